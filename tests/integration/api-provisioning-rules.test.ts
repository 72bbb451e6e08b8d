import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { type HttpAnswer, httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

/**
 * The provisioning rules of the vendor HowTo: users need an available connector (§2.4),
 * every tenant has its Administrator (the admin app's Users tab), Unify Video tenants use
 * international numbering (§3.2), and 0 simultaneous calls means "no trunk lines".
 */

const ADMIN = "test-admin-token";
const ACME = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";
const VIDEO = "video-key-0001-IiZpphNB7kBCvWoMwJhC";
const TRUNK = { username: "3919209257", password: "s3cret-Trunk-1" };
const LOCATION = { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" };

const SEED = `
tenants:
  - name: Acme
    apiKey: ${ACME}
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
  - name: Video Co
    flavour: video
    apiKey: ${VIDEO}
    jwt: { status: active }
`;

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let acme: string;
const pbxs: PbxTestUa[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN, seedText: SEED });
  http = httpClient(emulator);
  const tenants = (await http.admin("GET", "/api/admin/tenants")).body as { id: string; name: string }[];
  acme = tenants.find((t) => t.name === "Acme")!.id;
});

afterEach(async () => {
  for (const ua of pbxs.splice(0)) ua.client.close();
  await emulator.close();
});

async function register(user = TRUNK.username, password = TRUNK.password): Promise<PbxTestUa> {
  const ua = await PbxTestUa.connect(emulator, user, password);
  pbxs.push(ua);
  expect((await ua.register()).status).toBe(200);
  return ua;
}

function expectProblem(res: HttpAnswer, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body).toMatchObject({ status, code });
}

const users = () => `/api/admin/tenants/${acme}/users`;
const carl = { emailAddress: "carl@acme.test", firstName: "Carl", lastName: "Clark", locale: "de-DE" };
const csv = "emailAddress,firstName,lastName,locale,callno\ncarl@acme.test,Carl,Clark,de-DE,2132\n";
const postCsv = (query: string, body: string) =>
  http.call("POST", `${users()}/import?${query}`, {
    headers: { authorization: `Bearer ${ADMIN}` },
    raw: body,
    contentType: "text/csv",
  });
const importCsv = (query: string) => postCsv(query, csv);
const emails = async () =>
  ((await http.admin("GET", `${users()}?limit=1000`)).body.items as { emailAddress: string }[]).map(
    (u) => u.emailAddress,
  );

describe("user provisioning requires an available Telephony Connector (HowTo §2.4)", () => {
  it("refuses to create a user on a trunk whose PBX is not registered: 409 naming the trunk", async () => {
    const res = await http.admin("POST", users(), { ...carl, trunk: "gtc-001", callno: "2132" });
    expectProblem(res, 409, "connector_unavailable");
    expect(res.body.detail).toMatch(/trunk gtc-001 \(system osbiz-1\) is unavailable/);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ field: "trunk", code: "connector_unavailable" }),
    ]);
    expect(await emails()).not.toContain("carl@acme.test");
    // a user without a trunk is not provisioned onto a PBX
    expect((await http.admin("POST", users(), carl)).status).toBe(201);
  });

  it("creates the user once the PBX has registered, and refuses again after it unregisters", async () => {
    const ua = await register();
    const res = await http.admin("POST", users(), { ...carl, trunk: "gtc-001", callno: "2132" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ trunk: "gtc-001", phoneNumber: "+4923026672132" });
    ua.client.close();
    // the connection's binding goes with it: the connector is unavailable again
    await until(
      async () =>
        (await http.admin("GET", `/api/admin/tenants/${acme}/connectors`)).body[0].status === "unavailable",
      "the connector to become unavailable",
    );
    const again = await http.admin("POST", users(), {
      ...carl,
      emailAddress: "d@acme.test",
      trunk: "gtc-001",
    });
    expectProblem(again, 409, "connector_unavailable");
  });

  it("refuses an import with 409; a dry run validates and reports it as a warning", async () => {
    const real = await importCsv("trunk=gtc-001");
    expectProblem(real, 409, "connector_unavailable");
    expect(real.body.errors[0]).toMatchObject({
      field: "trunk",
      message: expect.stringContaining("gtc-001"),
    });
    const dry = await importCsv("trunk=gtc-001&dryRun=true");
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      dryRun: true,
      warnings: [expect.objectContaining({ field: "trunk", code: "connector_unavailable" })],
    });
    // the dry run still validates every row
    const bad = await postCsv("trunk=gtc-001&dryRun=true", `${csv}x,,,de-DE,1\n`);
    expectProblem(bad, 422, "import_invalid");
    expect(await emails()).not.toContain("carl@acme.test");

    await register();
    expect((await importCsv("trunk=gtc-001&dryRun=true")).body).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      dryRun: true,
    });
    expect((await importCsv("trunk=gtc-001")).body).toMatchObject({ created: 1 });
  });

  it("refuses the PBX-side wizard's Create the same way", async () => {
    const res = await http.pbx(ACME, "POST", "/api/connector/v1/users", {
      ...carl,
      systemId: "osbiz-1",
      callno: "2132",
    });
    expectProblem(res, 409, "connector_unavailable");
    await register();
    const ok = await http.pbx(ACME, "POST", "/api/connector/v1/users", {
      ...carl,
      systemId: "osbiz-1",
      callno: "2132",
    });
    expect(ok.status).toBe(201);
  });
});

describe("the tenant's Administrator", () => {
  it("comes with a new tenant: the default admin@<slug>.example, or adminEmail", async () => {
    const made = await http.admin("POST", "/api/admin/tenants", { name: "Nord Süd GmbH & Co." });
    expect(made.status).toBe(201);
    const list = await http.admin("GET", `/api/admin/tenants/${made.body.id}/users`);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        emailAddress: "admin@nord-s-d-gmbh-co.example",
        firstName: "Administrator",
        lastName: "Nord Süd GmbH & Co.",
        role: "admin",
        locale: "en-US",
        trunk: null,
      }),
    ]);
    const named = await http.admin("POST", "/api/admin/tenants", {
      name: "Beta",
      adminEmail: "it@beta.test",
    });
    const betaUsers = await http.admin("GET", `/api/admin/tenants/${named.body.id}/users`);
    expect(
      betaUsers.body.items.map((u: { emailAddress: string; role: string }) => [u.emailAddress, u.role]),
    ).toEqual([["it@beta.test", "admin"]]);
  });

  it("refuses a bad adminEmail with 422 and creates no tenant", async () => {
    const res = await http.admin("POST", "/api/admin/tenants", { name: "Gamma", adminEmail: "nope" });
    expectProblem(res, 422, "invalid_value");
    expect(res.body.errors).toEqual([
      expect.objectContaining({ field: "adminEmail", code: "invalid_email" }),
    ]);
    const names = (await http.admin("GET", "/api/admin/tenants")).body.map((t: { name: string }) => t.name);
    expect(names).not.toContain("Gamma");
  });

  it("the last admin can be neither deleted nor demoted (409 last_admin); with a second admin it can", async () => {
    const [admin] = (await http.admin("GET", `${users()}?search=admin@`)).body.items;
    expect(admin).toMatchObject({ emailAddress: "admin@acme.example", role: "admin" });
    const url = `${users()}/${admin.id}`;
    expectProblem(await http.admin("DELETE", url), 409, "last_admin");
    const demote = await http.admin("PATCH", url, { role: "user" });
    expectProblem(demote, 409, "last_admin");
    expect(demote.body.errors).toEqual([expect.objectContaining({ field: "role", code: "last_admin" })]);
    expectProblem(await http.pbx(ACME, "DELETE", `/api/connector/v1/users/${admin.id}`), 409, "last_admin");
    // other changes of the admin stay possible
    expect((await http.admin("PATCH", url, { firstName: "Ada" })).status).toBe(200);

    const second = await http.admin("POST", users(), { ...carl, role: "admin" });
    expect(second.status).toBe(201);
    expect((await http.admin("PATCH", url, { role: "user" })).body.role).toBe("user");
    expectProblem(await http.admin("DELETE", `${users()}/${second.body.id}`), 409, "last_admin");
    expect((await http.admin("PATCH", url, { role: "admin" })).status).toBe(200);
    expect((await http.admin("DELETE", `${users()}/${second.body.id}`)).status).toBe(204);
  });

  it("an import row that would demote the last admin is a row problem; nothing is written", async () => {
    await register();
    const body =
      "emailAddress,firstName,lastName,locale,role\nadmin@acme.example,Administrator,Acme,en-US,user\n";
    const res = await postCsv("trunk=gtc-001", body);
    expectProblem(res, 422, "import_invalid");
    expect(res.body.errors).toEqual([
      { row: 2, field: "role", code: "last_admin", message: expect.any(String) },
    ]);
    const [admin] = (await http.admin("GET", `${users()}?search=admin@`)).body.items;
    expect(admin).toMatchObject({ role: "admin", trunk: null });
  });
});

describe("numbering rules", () => {
  it("a Unify Video tenant must use international numbering: 422 naming numbering.schema", async () => {
    const res = await http.pbx(VIDEO, "POST", "/api/connector/v1/systems", {
      systemId: "v-1",
      numbering: { schema: "internal" },
    });
    expectProblem(res, 422, "invalid_numbering");
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "numbering.schema" })]);
    const ok = await http.pbx(VIDEO, "POST", "/api/connector/v1/systems", {
      systemId: "v-1",
      numbering: LOCATION,
    });
    expect(ok.status).toBe(201);
    // OpenScape tenants may keep internal numbering
    const acmeInternal = await http.pbx(ACME, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-2",
      numbering: { schema: "internal" },
    });
    expect(acmeInternal.status).toBe(201);
  });

  it("simultaneousCalls 0 is valid: no trunk lines, so every call gets 503 (0/0)", async () => {
    const res = await http.pbx(ACME, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-1",
      simultaneousCalls: 0,
    });
    expect(res.status).toBe(200);
    expect(res.body.simultaneousCalls).toBe(0);
    const ua = await register();
    const invite = ua.sendInvite("+4923026672131", sdpOffer(40_000));
    const answer = await ua.response(invite.callId);
    expect(answer.status).toBe(503);
    expect(answer.reason).toMatch(/all trunk lines busy \(0\/0\)/);
    const [connector] = (await http.admin("GET", `/api/admin/tenants/${acme}/connectors`)).body;
    expect(connector).toMatchObject({ status: "available", simultaneousCalls: 0 });
    const diagnose = await http.admin("GET", `/api/admin/tenants/${acme}/diagnose`);
    expect(JSON.stringify(diagnose.body)).toContain("No Unify Phone trunk lines are configured (0/0)");
  });
});
