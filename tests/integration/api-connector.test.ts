import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle, TrunkStatusEvent } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { type HttpAnswer, httpClient } from "../support/http.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";
import { authorizationFor, parseChallenge, registerText, SipTestClient } from "../support/sip-test-client.js";

const ADMIN = "test-admin-token";
const FRESH = "fresh-key-0001-GtKoxs4aCssndSvKiPgr";
const ACME = "acme-key-0001-t7m7w6ToB8iPQCFUNQuX";
const VIDEO = "video-key-0001-IiZpphNB7kBCvWoMwJhC";

const SEED = `
tenants:
  - name: Fresh
    flavour: openscape
    apiKey: ${FRESH}
  - name: Acme
    flavour: openscape
    apiKey: ${ACME}
    systems:
      - systemId: osbiz-1
        trunk: { username: "3919209257", password: "s3cret-Trunk-1" }
    users:
      - { emailAddress: a@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", phoneNumber: "+4923026672131", system: osbiz-1 }
  - name: Video
    flavour: video
    apiKey: ${VIDEO}
`;

const LOCATION = { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" };

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
const clients: SipTestClient[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN, seedText: SEED });
  http = httpClient(emulator);
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await emulator.close();
});

const pbx = (key: string, method: string, path: string, body?: unknown) => http.pbx(key, method, path, body);
const admin = (method: string, path: string, body?: unknown) => http.admin(method, path, body, ADMIN);

async function tenantId(name: string): Promise<string> {
  const res = await admin("GET", "/api/admin/tenants");
  return res.body.find((t: { name: string }) => t.name === name).id;
}

async function connectors(name: string) {
  const res = await admin("GET", `/api/admin/tenants/${await tenantId(name)}/connectors`);
  expect(res.status).toBe(200);
  return res.body as Array<{ name: string; status: string; systemId: string }>;
}

/** REGISTER with digest over a new TLS connection, as OSBiz does with the provisioned credentials. */
async function register(sip: { username: string; password: string; domain: string; port: number }) {
  const client = await SipTestClient.connectTls(sip.port, { ca: emulator.certificates.caCertPem! });
  clients.push(client);
  const base = {
    user: sip.username,
    localPort: client.localPort,
    domain: sip.domain,
    callId: `c-${Math.random()}`,
  };
  const first = await client.request(registerText({ ...base, cseq: 1 }));
  if (first.status !== 401) return first;
  const challenge = parseChallenge(first.headers.get("www-authenticate")!);
  const authorization = authorizationFor({
    challenge,
    user: sip.username,
    password: sip.password,
    uri: `sip:${sip.domain}`,
  });
  return client.request(registerText({ ...base, cseq: 2, authorization }));
}

function expectProblem(res: HttpAnswer, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(String(res.headers["content-type"])).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
}

describe("provisioning a PBX system", () => {
  it("answers 201 with a trunk, SIP credentials and the emulator's real endpoints", async () => {
    const res = await pbx(FRESH, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-a",
      name: "Head office",
      version: "V3R3",
      simultaneousCalls: 30,
      numbering: LOCATION,
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe("/api/connector/v1/systems/osbiz-a");
    expect(res.body).toMatchObject({
      trunkId: "gtc-001",
      systemId: "osbiz-a",
      name: "Head office",
      version: "V3R3",
      simultaneousCalls: 30,
      numbering: LOCATION,
      sip: {
        host: "127.0.0.1",
        port: emulator.ports.sip,
        transport: "tls",
        domain: emulator.config.domain,
        registerInterval: 600,
      },
      stun: { host: "127.0.0.1", port: emulator.ports.stun },
      status: "unavailable",
    });
    expect(res.body.sip.username).toMatch(/^[1-9][0-9]{9}$/);
    expect(res.body.sip.password.length).toBeGreaterThanOrEqual(20);
  });

  it("uses the defaults: 16 simultaneous calls, name = systemId, version null", async () => {
    const res = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-min" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "osbiz-min", version: null, simultaneousCalls: 16 });
    expect(res.body.numbering.schema).toBe("international");
  });

  it("is idempotent per systemId: 200 with the same trunk and credentials, updating what is sent", async () => {
    const first = await pbx(FRESH, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-a",
      simultaneousCalls: 30,
      numbering: LOCATION,
    });
    expect(first.status).toBe(201);
    const again = await pbx(FRESH, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-a",
      name: "Renamed",
    });
    expect(again.status).toBe(200);
    expect(again.headers.location).toBeUndefined();
    expect(again.body.trunkId).toBe("gtc-001");
    expect(again.body.sip).toEqual(first.body.sip);
    expect(again.body).toMatchObject({ name: "Renamed", simultaneousCalls: 30, numbering: LOCATION });
    const internal = await pbx(FRESH, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-a",
      simultaneousCalls: 8,
      numbering: { schema: "internal" },
    });
    expect(internal.status).toBe(200);
    expect(internal.body).toMatchObject({ simultaneousCalls: 8, numbering: { schema: "internal" } });
    expect(internal.body.sip).toEqual(first.body.sip);
    expect(await connectors("Fresh")).toHaveLength(1);
  });

  it("gives another systemId on the same key its own trunk with its own credentials", async () => {
    const a = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a" });
    const b = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-b" });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.trunkId).toBe("gtc-001");
    expect(b.body.trunkId).toBe("gtc-002");
    expect(b.body.sip.username).not.toBe(a.body.sip.username);
    expect(b.body.sip.password).not.toBe(a.body.sip.password);
    expect((await connectors("Fresh")).map((c) => [c.name, c.systemId])).toEqual([
      ["gtc-001", "osbiz-a"],
      ["gtc-002", "osbiz-b"],
    ]);
  });

  it("gets a system with the same shape, and 404 system_not_found for unknown or other tenants' systems", async () => {
    const created = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a" });
    const got = await pbx(FRESH, "GET", "/api/connector/v1/systems/osbiz-a");
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expectProblem(await pbx(FRESH, "GET", "/api/connector/v1/systems/nope"), 404, "system_not_found");
    // osbiz-1 belongs to Acme.
    expectProblem(await pbx(FRESH, "GET", "/api/connector/v1/systems/osbiz-1"), 404, "system_not_found");
    expectProblem(await pbx(FRESH, "DELETE", "/api/connector/v1/systems/osbiz-1"), 404, "system_not_found");
    expect(await connectors("Acme")).toHaveLength(1);
  });
});

describe("the provisioned credentials on the SIP side", () => {
  it("register over TLS, the connector becomes available; uninstall drops it and its credentials are refused", async () => {
    const events: TrunkStatusEvent[] = [];
    emulator.onTrunkStatus((e) => events.push(e));
    const prov = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a" });
    const sip = prov.body.sip;
    const ok = await register(sip);
    expect(ok.status).toBe(200);
    expect(await connectors("Fresh")).toMatchObject([{ name: "gtc-001", status: "available" }]);
    expect((await pbx(FRESH, "GET", "/api/connector/v1/systems/osbiz-a")).body.status).toBe("available");

    const del = await pbx(FRESH, "DELETE", "/api/connector/v1/systems/osbiz-a");
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect(emulator.bindings()).toHaveLength(0);
    expect(events.map((e) => e.status)).toEqual(["available", "unavailable"]);
    expect(await connectors("Fresh")).toEqual([]);
    expectProblem(await pbx(FRESH, "GET", "/api/connector/v1/systems/osbiz-a"), 404, "system_not_found");
    // A trunk user that no longer exists fails like a wrong password (no enumeration of trunk users).
    expect((await register(sip)).status).toBe(403);
  });

  it("a wrong password from provisioning is refused: the credentials are really the trunk's", async () => {
    const prov = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a" });
    const res = await register({ ...prov.body.sip, password: `${prov.body.sip.password}x` });
    expect(res.status).toBe(403);
    expect(await connectors("Fresh")).toMatchObject([{ status: "unavailable" }]);
  });

  it("re-provisioning after uninstall gives a new trunk (names are not reused) with new credentials", async () => {
    const first = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a" });
    await pbx(FRESH, "DELETE", "/api/connector/v1/systems/osbiz-a");
    const second = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a" });
    expect(second.status).toBe(201);
    expect(second.body.trunkId).toBe("gtc-002");
    expect(second.body.sip.username).not.toBe(first.body.sip.username);
    expect((await register(first.body.sip)).status).toBe(403);
    expect((await register(second.body.sip)).status).toBe(200);
  });
});

describe("API key", () => {
  it("a regenerated key replaces the old one at once: old key 401 api_key_invalid, new key works", async () => {
    await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a" });
    const regen = await admin("POST", `/api/admin/tenants/${await tenantId("Fresh")}/api-key/regenerate`);
    expect(regen.status).toBe(200);
    const fresh = regen.body.apiKey as string;
    expect(fresh).not.toBe(FRESH);
    expectProblem(await pbx(FRESH, "GET", "/api/connector/v1/systems/osbiz-a"), 401, "api_key_invalid");
    expectProblem(await pbx(FRESH, "GET", "/api/connector/v1/users"), 401, "api_key_invalid");
    const again = await pbx(fresh, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a" });
    expect(again.status).toBe(200);
    expect(again.body.trunkId).toBe("gtc-001");
  });

  it("without X-API-Key: 401 api_key_missing; the admin token is not an API key", async () => {
    expectProblem(
      await http.call("POST", "/api/connector/v1/systems", { body: { systemId: "x" } }),
      401,
      "api_key_missing",
    );
    expectProblem(
      await http.call("GET", "/api/connector/v1/users", { headers: { authorization: `Bearer ${ADMIN}` } }),
      401,
      "api_key_missing",
    );
    expect(await connectors("Fresh")).toEqual([]);
  });
});

describe("video-flavour tenant without a JWT", () => {
  it.each([
    ["POST", "/api/connector/v1/systems", { systemId: "osbiz-v" }],
    ["GET", "/api/connector/v1/systems/osbiz-v", undefined],
    ["DELETE", "/api/connector/v1/systems/osbiz-v", undefined],
    ["GET", "/api/connector/v1/users", undefined],
    ["PUT", "/api/connector/v1/users/us_x/assignment", { systemId: "osbiz-v", callno: "100" }],
    ["DELETE", "/api/connector/v1/users/us_x/assignment", undefined],
    ["DELETE", "/api/connector/v1/users/us_x", undefined],
  ])("%s %s → 403 jwt_not_set", async (method, path, body) => {
    expectProblem(await pbx(VIDEO, method, path, body), 403, "jwt_not_set");
  });

  it("POST /api/connector/v1/users → 409 jwt_not_set (creating a user asks the service, as the admin API)", async () => {
    const body = {
      systemId: "osbiz-v",
      emailAddress: "v@video.test",
      firstName: "V",
      lastName: "Vee",
      callno: "100",
    };
    expectProblem(await pbx(VIDEO, "POST", "/api/connector/v1/users", body), 409, "jwt_not_set");
  });

  it("provisions nothing", async () => {
    await pbx(VIDEO, "POST", "/api/connector/v1/systems", { systemId: "osbiz-v" });
    expect(await connectors("Video")).toEqual([]);
  });
});

describe("video-flavour tenant with a JWT", () => {
  /** Mint a portal token for the tenant's clientId, expiring `days` from the emulator's now, and set it. */
  async function setJwt(days: number): Promise<string> {
    const id = await tenantId("Video");
    const tenant = (await admin("GET", `/api/admin/tenants/${id}`)).body;
    const now = (await admin("GET", "/api/admin/clock")).body.epochMs as number;
    const minted = await admin("POST", "/api/jwt-portal/tokens", {
      clientId: tenant.clientId,
      label: "wizard test",
      expiresAt: new Date(now + days * 86_400_000).toISOString(),
    });
    expect(minted.status).toBe(201);
    expect((await admin("PUT", `/api/admin/tenants/${id}/jwt`, { token: minted.body.token })).status).toBe(
      200,
    );
    return minted.body.id;
  }

  it("provisions and runs the user wizard while the JWT is active", async () => {
    await setJwt(90);
    const prov = await pbx(VIDEO, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-v",
      numbering: LOCATION,
    });
    expect(prov.status).toBe(201);
    // user provisioning needs an available connector (HowTo §2.4): the PBX registers first
    const ua = await PbxTestUa.connect(emulator, prov.body.sip.username, prov.body.sip.password);
    expect((await ua.register()).status).toBe(200);
    const user = await pbx(VIDEO, "POST", "/api/connector/v1/users", {
      systemId: "osbiz-v",
      emailAddress: "v@video.test",
      firstName: "Vera",
      lastName: "Vee",
      callno: "100",
    });
    expect(user.status).toBe(201);
    expect(user.body.phoneNumber).toBe("+492302667100");
    // Vera and the tenant's Administrator
    expect((await pbx(VIDEO, "GET", "/api/connector/v1/users")).body.total).toBe(2);
    ua.client.close();
  });

  it("still works while expiring, refuses with 403 jwt_expired once past expiry", async () => {
    await setJwt(20);
    const jwt = await admin("GET", `/api/admin/tenants/${await tenantId("Video")}/jwt`);
    expect(jwt.body.status).toBe("expiring");
    expect((await pbx(VIDEO, "POST", "/api/connector/v1/systems", { systemId: "osbiz-v" })).status).toBe(201);
    expect((await admin("POST", "/api/admin/clock/advance", { by: "21d" })).status).toBe(200);
    expectProblem(await pbx(VIDEO, "GET", "/api/connector/v1/systems/osbiz-v"), 403, "jwt_expired");
    expectProblem(await pbx(VIDEO, "GET", "/api/connector/v1/users"), 403, "jwt_expired");
  });

  it("refuses with 403 jwt_invalid after the token is revoked in the portal", async () => {
    const tokenId = await setJwt(90);
    expect((await pbx(VIDEO, "POST", "/api/connector/v1/systems", { systemId: "osbiz-v" })).status).toBe(201);
    expect((await admin("POST", `/api/jwt-portal/tokens/${tokenId}/revoke`)).status).toBe(200);
    const res = await pbx(VIDEO, "POST", "/api/connector/v1/systems", {
      systemId: "osbiz-v",
      name: "changed",
    });
    expectProblem(res, 403, "jwt_invalid");
    expect(await connectors("Video")).toMatchObject([{ name: "gtc-001" }]);
  });
});

describe("request validation", () => {
  it("a missing systemId is 400 validation_failed naming body.systemId", async () => {
    const res = await pbx(FRESH, "POST", "/api/connector/v1/systems", { name: "x" });
    expectProblem(res, 400, "validation_failed");
    expect(res.body.errors).toContainEqual(
      expect.objectContaining({ field: "body.systemId", code: "required" }),
    );
  });

  it.each([
    [{ systemId: "a", simultaneousCalls: -1 }, "body.simultaneousCalls"],
    [{ systemId: "a", simultaneousCalls: 1001 }, "body.simultaneousCalls"],
    [{ systemId: "a", numbering: { schema: "e164", countryCode: "49" } }, "body.numbering.schema"],
    [{ systemId: "a", numbering: { countryCode: 49 } }, "body.numbering.countryCode"],
    [{ systemId: "a", colour: "red" }, "body.colour"],
  ])("%j is 400 naming %s", async (body, field) => {
    const res = await pbx(FRESH, "POST", "/api/connector/v1/systems", body);
    expectProblem(res, 400, "validation_failed");
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each([
    [{ schema: "international" }, "invalid_numbering", "numbering.countryCode", /required/],
    [{ countryCode: "049" }, "invalid_numbering", "numbering.countryCode", /digits/],
    [{ countryCode: "49", areaCode: "02302" + "x" }, "invalid_numbering", "numbering.areaCode", /digits/],
    [{ countryCode: "49", pabxNumber: "6-67" }, "invalid_numbering", "numbering.pabxNumber", /digits/],
    [
      { countryCode: "491", areaCode: "123456", pabxNumber: "123456" },
      "number_too_long",
      "numbering",
      /E\.164/,
    ],
  ])(
    "numbering %j is 422 %s naming %s, and nothing is provisioned",
    async (numbering, code, field, message) => {
      const res = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "osbiz-a", numbering });
      expectProblem(res, 422, code);
      expect(res.body.errors).toEqual([expect.objectContaining({ field, code })]);
      expect(res.body.detail).toMatch(message);
      expect(await connectors("Fresh")).toEqual([]);
    },
  );

  it("a systemId that cannot be a path segment is 422 naming systemId", async () => {
    const res = await pbx(FRESH, "POST", "/api/connector/v1/systems", { systemId: "a/b" });
    expectProblem(res, 422, "invalid_value");
    expect(res.body.errors[0]).toMatchObject({ field: "systemId", code: "invalid_system_id" });
  });

  it("malformed paging is 400 naming the query field", async () => {
    const res = await pbx(FRESH, "GET", "/api/connector/v1/users?offset=-1");
    expectProblem(res, 400, "validation_failed");
    expect(res.body.errors[0].field).toBe("querystring.offset");
  });
});

describe("OpenAPI", () => {
  it("documents every connector route", async () => {
    const doc = (await http.call("GET", "/openapi.json")).body;
    expect(Object.keys(doc.paths["/api/connector/v1/systems"])).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/connector/v1/systems/{systemId}"]).sort()).toEqual(["delete", "get"]);
    expect(Object.keys(doc.paths["/api/connector/v1/users"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/connector/v1/users/{userId}/assignment"]).sort()).toEqual([
      "delete",
      "put",
    ]);
    expect(Object.keys(doc.paths["/api/connector/v1/users/{userId}"])).toEqual(["delete"]);
  });
});
