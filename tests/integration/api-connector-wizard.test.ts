import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { type HttpAnswer, httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";

/** The OSBiz user instance wizard over the connector API (SPEC §1): create, add, edit, remove, delete. */

const ADMIN = "test-admin-token";
const KEY = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";
const OTHER = "other-key-0001-8wj3QYQt1aXpvVKHaddO";

const SEED = `
tenants:
  - name: Acme
    flavour: openscape
    apiKey: ${KEY}
    users:
      - { emailAddress: bea.brown@acme.test, firstName: Bea, lastName: Brown, locale: en-GB }
  - name: Other
    flavour: openscape
    apiKey: ${OTHER}
    systems:
      - systemId: other-1
    users:
      - { emailAddress: olga.other@other.test, firstName: Olga, lastName: Other, locale: fr-FR, callno: "2131", system: other-1 }
`;

const LOCATION = { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" };

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let pbxs: PbxTestUa[];

/** Provisions a system and registers its PBX: user provisioning needs an available connector (HowTo §2.4). */
async function connect(body: Record<string, unknown>): Promise<void> {
  const res = await pbx("POST", "/api/connector/v1/systems", body);
  expect(res.status).toBe(201);
  const ua = await PbxTestUa.connect(emulator, res.body.sip.username, res.body.sip.password);
  pbxs.push(ua);
  expect((await ua.register()).status).toBe(200);
}

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN, seedText: SEED });
  http = httpClient(emulator);
  pbxs = [];
  await connect({ systemId: "intl", numbering: LOCATION });
  await connect({ systemId: "short", numbering: { schema: "internal" } });
});

afterEach(async () => {
  for (const ua of pbxs) ua.client.close();
  await emulator.close();
});

const pbx = (method: string, path: string, body?: unknown, key = KEY) => http.pbx(key, method, path, body);

function expectProblem(res: HttpAnswer, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ status, code });
}

const newUser = (over: Record<string, unknown> = {}) => ({
  systemId: "intl",
  emailAddress: "carl.clark@acme.test",
  firstName: "Carl",
  lastName: "Clark",
  locale: "de-DE",
  callno: "2131",
  ...over,
});

async function users(query = "") {
  const res = await pbx("GET", `/api/connector/v1/users${query}`);
  expect(res.status).toBe(200);
  return res.body as { items: Array<Record<string, unknown>>; total: number };
}

async function otherUserId(): Promise<string> {
  return (await pbx("GET", "/api/connector/v1/users?search=olga", undefined, OTHER)).body.items[0].id;
}

describe("Create: a new user in the cloud, assigned to the system", () => {
  it("builds the E.164 number from the location number with international numbering", async () => {
    const res = await pbx("POST", "/api/connector/v1/users", newUser({ did: "2131" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      emailAddress: "carl.clark@acme.test",
      firstName: "Carl",
      lastName: "Clark",
      locale: "de-DE",
      callno: "2131",
      did: "2131",
      phoneNumber: "+4923026672131",
      trunk: "gtc-001",
      assigned: true,
      assignedToThisSystem: true,
    });
    expect(res.body.id).toEqual(expect.any(String));
  });

  it("keeps the short callno with internal numbering", async () => {
    const res = await pbx("POST", "/api/connector/v1/users", newUser({ systemId: "short" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ callno: "2131", phoneNumber: "2131", trunk: "gtc-002" });
  });

  it("refuses a callno whose number is taken with 409 and creates nothing", async () => {
    expect((await pbx("POST", "/api/connector/v1/users", newUser())).status).toBe(201);
    const dup = await pbx("POST", "/api/connector/v1/users", newUser({ emailAddress: "dora@acme.test" }));
    expectProblem(dup, 409, "phone_number_taken");
    expect((await users("?search=dora")).total).toBe(0);
  });

  it("refuses a taken e-mail (any case) with 409 email_taken", async () => {
    const res = await pbx(
      "POST",
      "/api/connector/v1/users",
      newUser({ emailAddress: "BEA.BROWN@acme.test" }),
    );
    expectProblem(res, 409, "email_taken");
  });

  it("names the field of a bad value: e-mail, callno, locale", async () => {
    const email = await pbx("POST", "/api/connector/v1/users", newUser({ emailAddress: "not-an-email" }));
    expectProblem(email, 422, "invalid_value");
    expect(email.body.errors[0]).toMatchObject({ field: "emailAddress", code: "invalid_email" });
    const callno = await pbx("POST", "/api/connector/v1/users", newUser({ callno: "21a" }));
    expect(callno.status).toBe(422);
    expect(callno.body.errors[0]).toMatchObject({ field: "callno", code: "invalid_callno" });
    const locale = await pbx("POST", "/api/connector/v1/users", newUser({ locale: "xx-XX" }));
    expect(locale.status).toBe(422);
    expect(locale.body.errors[0]).toMatchObject({ field: "locale", code: "invalid_locale" });
    expect((await users("?search=carl")).total).toBe(0);
  });

  it("refuses a number longer than E.164 allows (9 + 7 digits) with 422 number_too_long", async () => {
    const res = await pbx("POST", "/api/connector/v1/users", newUser({ callno: "1234567" }));
    expectProblem(res, 422, "number_too_long");
  });

  it("needs a system of the caller's tenant (404 system_not_found) and the required fields (400)", async () => {
    expectProblem(
      await pbx("POST", "/api/connector/v1/users", newUser({ systemId: "other-1" })),
      404,
      "system_not_found",
    );
    const { callno: _omitted, ...noCallno } = newUser();
    const res = await pbx("POST", "/api/connector/v1/users", noCallno);
    expectProblem(res, 400, "validation_failed");
    expect(res.body.errors[0].field).toBe("body.callno");
  });
});

describe("Add existing user: search, marking, assign and edit", () => {
  it("searches by name or e-mail and marks assigned users and those of this system", async () => {
    await pbx("POST", "/api/connector/v1/users", newUser());
    const all = await users("?systemId=intl");
    expect(all.total).toBe(3);
    expect(all.items.map((u) => [u.lastName, u.assigned, u.assignedToThisSystem, u.trunk])).toEqual([
      ["Acme", false, false, null], // the tenant's Administrator
      ["Brown", false, false, null],
      ["Clark", true, true, "gtc-001"],
    ]);
    expect((await users("?systemId=short")).items.map((u) => u.assignedToThisSystem)).toEqual([
      false,
      false,
      false,
    ]);
    expect((await users("?search=BROWN")).items.map((u) => u.emailAddress)).toEqual(["bea.brown@acme.test"]);
    expect((await users("?search=carl.clark@")).items.map((u) => u.firstName)).toEqual(["Carl"]);
    const page = await users("?offset=2&limit=1");
    expect(page).toMatchObject({ total: 3, items: [{ lastName: "Clark" }] });
    expectProblem(await pbx("GET", "/api/connector/v1/users?systemId=other-1"), 404, "system_not_found");
  });

  it("never shows another tenant's users", async () => {
    expect((await users("?search=olga")).total).toBe(0);
    expect((await users()).items.map((u) => u.emailAddress)).toEqual([
      "admin@acme.example",
      "bea.brown@acme.test",
    ]);
  });

  it("assigns an existing user (200) and edits callno and DID on the same system", async () => {
    const bea = (await users("?search=bea")).items[0]!;
    const add = await pbx("PUT", `/api/connector/v1/users/${bea.id}/assignment`, {
      systemId: "intl",
      callno: "2140",
    });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ id: bea.id, callno: "2140", did: null, phoneNumber: "+4923026672140" });
    const edit = await pbx("PUT", `/api/connector/v1/users/${bea.id}/assignment`, {
      systemId: "intl",
      callno: "2141",
      did: "2141",
    });
    expect(edit.status).toBe(200);
    expect(edit.body).toMatchObject({
      callno: "2141",
      did: "2141",
      phoneNumber: "+4923026672141",
      trunk: "gtc-001",
    });
  });

  it("refuses to move a user assigned to another system: 409 user_assigned_to_other_system", async () => {
    const carl = (await pbx("POST", "/api/connector/v1/users", newUser())).body;
    const res = await pbx("PUT", `/api/connector/v1/users/${carl.id}/assignment`, {
      systemId: "short",
      callno: "10",
    });
    expectProblem(res, 409, "user_assigned_to_other_system");
    expect(res.body.detail).toMatch(/gtc-001/);
    expect((await users("?search=carl")).items[0]).toMatchObject({
      trunk: "gtc-001",
      phoneNumber: "+4923026672131",
    });
  });

  it("refuses a callno whose number another user has: 409 phone_number_taken", async () => {
    await pbx("POST", "/api/connector/v1/users", newUser());
    const bea = (await users("?search=bea")).items[0]!;
    const res = await pbx("PUT", `/api/connector/v1/users/${bea.id}/assignment`, {
      systemId: "intl",
      callno: "2131",
    });
    expectProblem(res, 409, "phone_number_taken");
    expect((await users("?search=bea")).items[0]).toMatchObject({ assigned: false, callno: null });
  });

  it("rebuilds the users' numbers when the system is provisioned with a new location number", async () => {
    await pbx("POST", "/api/connector/v1/users", newUser());
    const res = await pbx("POST", "/api/connector/v1/systems", {
      systemId: "intl",
      numbering: { ...LOCATION, areaCode: "89" },
    });
    expect(res.status).toBe(200);
    expect((await users("?search=carl")).items[0]).toMatchObject({
      callno: "2131",
      phoneNumber: "+49896672131",
    });
  });
});

describe("Remove and Delete", () => {
  it("Remove takes the user off the PBX only; it stays in the cloud without number", async () => {
    const carl = (await pbx("POST", "/api/connector/v1/users", newUser({ did: "2131" }))).body;
    const res = await pbx("DELETE", `/api/connector/v1/users/${carl.id}/assignment`);
    expect(res.status).toBe(204);
    expect((await users("?search=carl&systemId=intl")).items).toEqual([
      expect.objectContaining({
        id: carl.id,
        assigned: false,
        assignedToThisSystem: false,
        trunk: null,
        callno: null,
        did: null,
        phoneNumber: null,
      }),
    ]);
    // The number is free again.
    expect(
      (await pbx("POST", "/api/connector/v1/users", newUser({ emailAddress: "d@acme.test" }))).status,
    ).toBe(201);
  });

  it("Delete removes the user from the PBX and the cloud", async () => {
    const carl = (await pbx("POST", "/api/connector/v1/users", newUser())).body;
    expect((await pbx("DELETE", `/api/connector/v1/users/${carl.id}`)).status).toBe(204);
    expect((await users("?search=carl")).total).toBe(0);
    expectProblem(await pbx("DELETE", `/api/connector/v1/users/${carl.id}`), 404, "user_not_found");
  });

  it("uninstalling the system keeps its users in the cloud, unassigned and without number", async () => {
    await pbx("POST", "/api/connector/v1/users", newUser());
    expect((await pbx("DELETE", "/api/connector/v1/systems/intl")).status).toBe(204);
    expect((await users("?search=carl")).items[0]).toMatchObject({
      assigned: false,
      trunk: null,
      callno: null,
      phoneNumber: null,
    });
  });

  it("another tenant's user is 404 user_not_found for every operation and stays untouched", async () => {
    const id = await otherUserId();
    const assign = await pbx("PUT", `/api/connector/v1/users/${id}/assignment`, {
      systemId: "intl",
      callno: "2199",
    });
    expectProblem(assign, 404, "user_not_found");
    expectProblem(await pbx("DELETE", `/api/connector/v1/users/${id}/assignment`), 404, "user_not_found");
    expectProblem(await pbx("DELETE", `/api/connector/v1/users/${id}`), 404, "user_not_found");
    const others = (await pbx("GET", "/api/connector/v1/users", undefined, OTHER)).body.items;
    expect(others.find((u: { id: string }) => u.id === id)).toMatchObject({
      id,
      assigned: true,
      callno: "2131",
    });
  });

  it("an unknown user is 404 user_not_found", async () => {
    expectProblem(await pbx("DELETE", "/api/connector/v1/users/us_nope/assignment"), 404, "user_not_found");
  });
});
