import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { ADMIN_TOKEN, USERS_SEED, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let acme: string;
let base: string;

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN, seedText: USERS_SEED });
  api = usersClient(emulator);
  // Provisioning users needs an available connector (HowTo §2.4): the PBXs register first.
  await api.connectPbxs();
  acme = await api.tenantId("Acme");
  base = api.users(acme);
});

afterEach(async () => {
  await api.close();
  await emulator.close();
});

const jurgen = { emailAddress: "juergen@acme.test", firstName: "Jürgen", lastName: "Groß", locale: "de-DE" };

describe("user CRUD", () => {
  it("creates a user with defaults, reads, changes and deletes it", async () => {
    emulator.clock.setState({ now: Date.parse("2030-01-02T03:04:05.000Z"), frozen: true });
    const created = await api.call("POST", base, { json: { ...jurgen, locale: undefined } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${base}/${created.body.id}`);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^us_/),
      ...jurgen,
      locale: "en-US",
      role: "user",
      trunk: null,
      callno: null,
      did: null,
      phoneNumber: null,
      callBehaviour: { mode: "answer", ringMs: 1000 },
      routing: "default",
      alternativeNumber: null,
      busyBehaviour: "call-waiting",
      createdAt: "2030-01-02T03:04:05.000Z",
      updatedAt: "2030-01-02T03:04:05.000Z",
    });
    const url = `${base}/${created.body.id}`;
    // GET adds the user's registered Unify Phone clients (none here).
    expect((await api.call("GET", url)).body).toEqual({ ...created.body, registrations: [] });

    emulator.clock.advance(60_000);
    const patched = await api.call("PATCH", url, {
      json: { role: "admin", locale: "it_it", callBehaviour: { mode: "busy" } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      role: "admin",
      locale: "it-IT",
      callBehaviour: { mode: "busy" },
      createdAt: "2030-01-02T03:04:05.000Z",
      updatedAt: "2030-01-02T03:05:05.000Z",
    });

    const deleted = await api.call("DELETE", url);
    expect(deleted.status).toBe(204);
    expect((await api.call("GET", url)).body.code).toBe("user_not_found");
    expect((await api.call("DELETE", url)).status).toBe(404);
  });

  it("builds the phone number from trunk + callno: international (E.164) and internal", async () => {
    const intl = await api.call("POST", base, {
      json: { ...jurgen, trunk: "gtc-001", callno: "2132", did: "77" },
    });
    expect(intl.body).toMatchObject({
      trunk: "gtc-001",
      callno: "2132",
      did: "77",
      phoneNumber: "+4923026672132",
    });
    const internal = await api.call("POST", base, {
      json: { ...jurgen, emailAddress: "i@acme.test", trunk: "gtc-002", callno: "2132" },
    });
    expect(internal.body).toMatchObject({ trunk: "gtc-002", phoneNumber: "2132" });
    const explicit = await api.call("POST", base, {
      json: {
        ...jurgen,
        emailAddress: "e@acme.test",
        trunk: "gtc-001",
        callno: "9",
        phoneNumber: "+4930123",
      },
    });
    expect(explicit.body).toMatchObject({ callno: "9", phoneNumber: "+4930123" });
  });

  it("rebuilds the number when trunk or callno change, keeps it otherwise, and null clears", async () => {
    const { body: user } = await api.call("POST", base, {
      json: { ...jurgen, trunk: "gtc-001", callno: "2132" },
    });
    const url = `${base}/${user.id}`;
    expect((await api.call("PATCH", url, { json: { callno: "2133" } })).body.phoneNumber).toBe(
      "+4923026672133",
    );
    expect((await api.call("PATCH", url, { json: { trunk: "gtc-002" } })).body).toMatchObject({
      trunk: "gtc-002",
      phoneNumber: "2133",
    });
    expect((await api.call("PATCH", url, { json: { phoneNumber: "+4930999" } })).body.phoneNumber).toBe(
      "+4930999",
    );
    expect((await api.call("PATCH", url, { json: { firstName: "Jörg" } })).body.phoneNumber).toBe("+4930999");
    const cleared = await api.call("PATCH", url, { json: { trunk: null } });
    expect(cleared.body).toMatchObject({ trunk: null, callno: "2133", phoneNumber: null });
  });

  it("answers 409 for a taken e-mail (any case) and a taken phone number", async () => {
    const email = await api.call("POST", base, { json: { ...jurgen, emailAddress: "A@Acme.TEST" } });
    expect(email.status).toBe(409);
    expect(email.body).toMatchObject({ code: "email_taken", errors: [{ field: "emailAddress" }] });
    const number = await api.call("POST", base, { json: { ...jurgen, trunk: "gtc-001", callno: "2131" } });
    expect(number.status).toBe(409);
    expect(number.body.code).toBe("phone_number_taken");
    expect(number.body.detail).toMatch(/\+4923026672131.*a@acme\.test/);
    const { body: user } = await api.call("POST", base, { json: jurgen });
    const patched = await api.call("PATCH", `${base}/${user.id}`, { json: { phoneNumber: "300" } });
    expect(patched.body.code).toBe("phone_number_taken");
    const renamed = await api.call("PATCH", `${base}/${user.id}`, { json: { emailAddress: "b@ACME.test" } });
    expect(renamed.body.code).toBe("email_taken");
    // another tenant may use the same e-mail and number
    const beta = api.users(await api.tenantId("Beta"));
    expect(
      (await api.call("POST", beta, { json: { ...jurgen, emailAddress: "a@acme.test", phoneNumber: "300" } }))
        .status,
    ).toBe(201);
  });

  it("answers 422 naming the broken rule", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ emailAddress: "no-at-sign" }, "emailAddress", "invalid_email"],
      [{ locale: "pt-BR" }, "locale", "invalid_locale"],
      [{ firstName: "  " }, "firstName", "invalid_text"],
      [{ trunk: "gtc-001", callno: "12ab" }, "callno", "invalid_callno"],
      [{ trunk: "gtc-001", callno: "123456789" }, "callno", "number_too_long"],
      [{ trunk: "gtc-003", callno: "100" }, "numbering.countryCode", "numbering_incomplete"],
      [{ phoneNumber: "+1234567890123456" }, "phoneNumber", "invalid_phone_number"],
      [{ callBehaviour: { note: "x".repeat(5000) } }, "callBehaviour", "invalid_call_behaviour"],
      [{ routing: "alternative" }, "alternativeNumber", "invalid_alternative_number"],
      [
        { routing: "alternative", alternativeNumber: "+49 89" },
        "alternativeNumber",
        "invalid_alternative_number",
      ],
    ];
    for (const [change, field, code] of cases) {
      const res = await api.call("POST", base, { json: { ...jurgen, ...change } });
      expect(res.status, code).toBe(422);
      expect(res.body.errors, code).toEqual([expect.objectContaining({ field, code })]);
    }
    // Al, Bea and the tenant's Administrator
    expect(await api.all(acme)).toHaveLength(3);
  });

  it("answers 400 for a body that breaks the schema and 404 for unknown tenant, user or trunk", async () => {
    const extra = await api.call("POST", base, { json: { ...jurgen, nickname: "J" } });
    expect(extra.status).toBe(400);
    expect(extra.body.errors).toEqual([expect.objectContaining({ field: "body.nickname" })]);
    expect((await api.call("POST", base, { json: { ...jurgen, role: "boss" } })).status).toBe(400);
    expect((await api.call("POST", base, { json: { ...jurgen, callBehaviour: [] } })).status).toBe(400);
    const { body: user } = await api.call("POST", base, { json: jurgen });
    expect((await api.call("PATCH", `${base}/${user.id}`, { json: {} })).status).toBe(400);
    expect((await api.call("GET", api.users("tn_none"))).body.code).toBe("tenant_not_found");
    expect((await api.call("GET", `${base}/us_none`)).body.code).toBe("user_not_found");
    const trunk = await api.call("POST", base, {
      json: { ...jurgen, emailAddress: "t@acme.test", trunk: "gtc-404" },
    });
    expect(trunk.status).toBe(404);
    expect(trunk.body).toMatchObject({ code: "trunk_not_found", errors: [{ field: "trunk" }] });
  });

  it("hides users of other tenants", async () => {
    const beta = await api.tenantId("Beta");
    const x = (await api.all(beta)).find((u) => u.emailAddress === "x@beta.test");
    expect((await api.call("GET", `${base}/${x.id}`)).status).toBe(404);
    expect((await api.call("PATCH", `${base}/${x.id}`, { json: { firstName: "Y" } })).status).toBe(404);
    expect((await api.call("DELETE", `${base}/${x.id}`)).status).toBe(404);
    expect((await api.call("GET", `${api.users(beta)}/${x.id}`)).body.firstName).toBe("Xa");
  });

  it("needs the admin token on every route", async () => {
    const { body: user } = await api.call("POST", base, { json: jurgen });
    for (const [method, path] of [
      ["GET", base],
      ["POST", base],
      ["GET", `${base}/${user.id}`],
      ["PATCH", `${base}/${user.id}`],
      ["DELETE", `${base}/${user.id}`],
      ["GET", `${base}/export`],
    ]) {
      // a valid body, so only the missing auth can be the reason
      const res = await api.call(method!, path!, { token: "not-the-token", json: jurgen });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.code).toBe("admin_token_invalid");
    }
    expect((await api.call("GET", `${base}/${user.id}`)).status).toBe(200);
  });
});

describe("user list: search and paging", () => {
  beforeEach(async () => {
    const names = ["Zoë Zimmer", "Jürgen Groß", "Anna Adler", "Berta Beispiel", "Carl Cäsar"];
    for (const [i, name] of names.entries()) {
      const [firstName, lastName] = name.split(" ");
      await api.call("POST", base, {
        json: { emailAddress: `user${i}@example.org`, firstName, lastName, locale: "de-DE" },
      });
    }
  });

  it("lists by last name with total, offset and limit", async () => {
    const all = await api.call("GET", base);
    // the Administrator's last name is the tenant's: "Acme"
    expect(all.body).toMatchObject({ total: 8, offset: 0, limit: 100 });
    expect(all.body.items.map((u: { lastName: string }) => u.lastName)).toEqual([
      "Ace",
      "Acme",
      "Adler",
      "Beispiel",
      "Bold",
      "Cäsar",
      "Groß",
      "Zimmer",
    ]);
    const page = await api.call("GET", `${base}?offset=2&limit=3`);
    expect(page.body).toMatchObject({ total: 8, offset: 2, limit: 3 });
    expect(page.body.items.map((u: { lastName: string }) => u.lastName)).toEqual([
      "Adler",
      "Beispiel",
      "Bold",
    ]);
    const past = await api.call("GET", `${base}?offset=50`);
    expect(past.body).toMatchObject({ items: [], total: 8 });
    const countOnly = await api.call("GET", `${base}?limit=0`);
    expect(countOnly.body).toMatchObject({ items: [], total: 8 });
  });

  it("searches name and e-mail case-insensitively, also non-ASCII", async () => {
    const search = async (q: string) =>
      (await api.call("GET", `${base}?search=${encodeURIComponent(q)}`)).body.items.map(
        (u: { emailAddress: string }) => u.emailAddress,
      );
    expect(await search("GROSS")).toEqual([]);
    expect(await search("GROß")).toEqual(["user1@example.org"]);
    expect(await search("jürgen g")).toEqual(["user1@example.org"]);
    expect(await search("EXAMPLE.ORG")).toHaveLength(5);
    expect(await search("@acme")).toEqual(["a@acme.test", "admin@acme.example", "b@acme.test"]);
    expect(await search("zoë")).toEqual(["user0@example.org"]);
    expect(await search("%")).toEqual([]);
    const paged = await api.call("GET", `${base}?search=example.org&offset=1&limit=2`);
    expect(paged.body).toMatchObject({ total: 5, offset: 1, limit: 2 });
    expect(paged.body.items).toHaveLength(2);
  });

  it("refuses bad paging with 400", async () => {
    for (const q of ["offset=-1", "limit=1001", "limit=x", "offset=1.5", "color=red"]) {
      const res = await api.call("GET", `${base}?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.code).toBe("validation_failed");
    }
  });
});
