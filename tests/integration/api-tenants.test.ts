import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { DEFAULT_SEED, startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { authorizationFor, parseChallenge, registerText, SipTestClient } from "../support/sip-test-client.js";
import { until } from "../support/until.js";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "test-admin-token", seedText: DEFAULT_SEED });
  http = httpClient(emulator);
});

afterAll(async () => {
  await emulator.close();
});

describe("tenants", () => {
  it("creates a tenant with a generated API key and client ID", async () => {
    const res = await http.admin("POST", "/api/admin/tenants", { name: "Globex", flavour: "video" });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/admin/tenants/${res.body.id}`);
    expect(res.body).toMatchObject({ name: "Globex", flavour: "video" });
    expect(res.body.apiKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(res.body.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(res.body.createdAt)).not.toBeNaN();
    const list = await http.admin("GET", "/api/admin/tenants");
    expect(list.body.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(["Acme", "Globex"]),
    );
    const one = await http.admin("GET", `/api/admin/tenants/${res.body.id}`);
    expect(one.body).toEqual(res.body);
  });

  it("keeps a given API key, defaults the flavour to openscape, refuses duplicates with 409", async () => {
    const res = await http.admin("POST", "/api/admin/tenants", {
      name: "Initech",
      apiKey: "initech-key-0001-CjZeCnDqrjdJbrRS0jCm",
    });
    expect(res.body).toMatchObject({ flavour: "openscape", apiKey: "initech-key-0001-CjZeCnDqrjdJbrRS0jCm" });
    const dupName = await http.admin("POST", "/api/admin/tenants", { name: "initech" });
    expect(dupName.status).toBe(409);
    expect(dupName.body.code).toBe("tenant_name_taken");
    const dupKey = await http.admin("POST", "/api/admin/tenants", {
      name: "Other",
      apiKey: "initech-key-0001-CjZeCnDqrjdJbrRS0jCm",
    });
    expect(dupKey.body.code).toBe("api_key_taken");
  });

  it("validates the body with problem+json naming the field", async () => {
    const res = await http.admin("POST", "/api/admin/tenants", { name: "", flavour: "pbx", extra: 1 });
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 400,
      code: "validation_failed",
      title: expect.any(String),
      type: expect.any(String),
    });
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(["body.name", "body.flavour", "body.extra"]));
  });

  it("answers unknown tenants with 404 tenant_not_found, unknown paths with 404 not_found", async () => {
    expect((await http.admin("GET", "/api/admin/tenants/tn_nope")).body.code).toBe("tenant_not_found");
    const nothing = await http.admin("GET", "/api/admin/nothing-here");
    expect(nothing).toMatchObject({ status: 404, body: { code: "not_found" } });
  });

  it("deletes a tenant with its trunks, and its PBX loses the registration", async () => {
    const t = (await http.admin("POST", "/api/admin/tenants", { name: "Doomed" })).body;
    const provisioned = await http.pbx(t.apiKey, "POST", "/api/connector/v1/systems", {
      systemId: "doomed-1",
    });
    expect(provisioned.status).toBe(201);
    const { username, password } = provisioned.body.sip;
    const c = await SipTestClient.connectTls(emulator.ports.sip, { ca: emulator.certificates.caCertPem! });
    const first = await c.request(registerText({ user: username, localPort: c.localPort, callId: "doomed" }));
    const challenge = parseChallenge(first.headers.get("www-authenticate")!);
    const authorization = authorizationFor({
      challenge,
      user: username,
      password,
      uri: "sip:phoneapp.unify.com",
    });
    expect(
      (
        await c.request(
          registerText({ user: username, localPort: c.localPort, callId: "doomed", cseq: 2, authorization }),
        )
      ).status,
    ).toBe(200);
    expect(emulator.bindings().some((b) => b.aor === username)).toBe(true);
    expect((await http.admin("DELETE", `/api/admin/tenants/${t.id}`)).status).toBe(204);
    expect(emulator.bindings().some((b) => b.aor === username)).toBe(false);
    expect((await http.admin("GET", `/api/admin/tenants/${t.id}`)).status).toBe(404);
    expect((await http.pbx(t.apiKey, "GET", "/api/connector/v1/systems/doomed-1")).body.code).toBe(
      "api_key_invalid",
    );
    c.close();
  });
});

describe("API key", () => {
  it("is readable and regenerates at once: the old key is refused with 401 api_key_invalid", async () => {
    const t = (await http.admin("POST", "/api/admin/tenants", { name: "Keyed" })).body;
    expect((await http.admin("GET", `/api/admin/tenants/${t.id}/api-key`)).body).toEqual({
      apiKey: t.apiKey,
    });
    expect((await http.pbx(t.apiKey, "POST", "/api/connector/v1/systems", { systemId: "k-1" })).status).toBe(
      201,
    );
    const regenerated = await http.admin("POST", `/api/admin/tenants/${t.id}/api-key/regenerate`);
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.apiKey).not.toBe(t.apiKey);
    const old = await http.pbx(t.apiKey, "GET", "/api/connector/v1/systems/k-1");
    expect(old).toMatchObject({ status: 401, body: { code: "api_key_invalid" } });
    expect((await http.pbx(regenerated.body.apiKey, "GET", "/api/connector/v1/systems/k-1")).status).toBe(
      200,
    );
  });
});

describe("connectors", () => {
  it("lists each trunk with live status from the registrar", async () => {
    const acme = (await http.admin("GET", "/api/admin/tenants")).body.find(
      (t: { name: string }) => t.name === "Acme",
    );
    const before = await http.admin("GET", `/api/admin/tenants/${acme.id}/connectors`);
    const mine = () => before.body.find((c: { username: string }) => c.username === TRUNK.username);
    expect(mine()).toMatchObject({
      name: "gtc-001",
      type: "OSBIZ",
      status: "unavailable",
      systemId: "osbiz-1",
      contact: null,
    });

    const c = await SipTestClient.connectTls(emulator.ports.sip, { ca: emulator.certificates.caCertPem! });
    const first = await c.request(
      registerText({ user: TRUNK.username, localPort: c.localPort, callId: "conn" }),
    );
    const challenge = parseChallenge(first.headers.get("www-authenticate")!);
    const authorization = authorizationFor({
      challenge,
      user: TRUNK.username,
      password: TRUNK.password,
      uri: "sip:phoneapp.unify.com",
    });
    await c.request(
      registerText({ user: TRUNK.username, localPort: c.localPort, callId: "conn", cseq: 2, authorization }),
    );
    const after = (await http.admin("GET", `/api/admin/tenants/${acme.id}/connectors`)).body;
    const entry = after.find((x: { username: string }) => x.username === TRUNK.username);
    expect(entry).toMatchObject({ status: "available", contact: expect.stringContaining(TRUNK.username) });
    expect(Date.parse(entry.expiresAt) - Date.parse(entry.registeredAt)).toBe(600_000);

    c.close();
    const status = async () =>
      (await http.admin("GET", `/api/admin/tenants/${acme.id}/connectors`)).body.find(
        (x: { username: string }) => x.username === TRUNK.username,
      ).status;
    await until(async () => (await status()) === "unavailable", "the connector to become unavailable");
  });
});

describe("clock", () => {
  it("reads, sets, freezes and advances the emulator clock", async () => {
    const initial = await http.admin("GET", "/api/admin/clock");
    expect(initial.body).toMatchObject({ frozen: false });
    const set = await http.admin("PUT", "/api/admin/clock", {
      now: "2030-01-01T00:00:00.000Z",
      frozen: true,
    });
    expect(set.body).toMatchObject({ now: "2030-01-01T00:00:00.000Z", frozen: true });
    const advanced = await http.admin("POST", "/api/admin/clock/advance", { by: "31d" });
    expect(advanced.body.now).toBe("2030-02-01T00:00:00.000Z");
    expect((await http.admin("POST", "/api/admin/clock/advance", { by: "PT1H30M" })).body.now).toBe(
      "2030-02-01T01:30:00.000Z",
    );
    expect((await http.admin("POST", "/api/admin/clock/advance", { by: 500 })).body.epochMs).toBe(
      Date.parse("2030-02-01T01:30:00.500Z"),
    );
    const bad = await http.admin("POST", "/api/admin/clock/advance", { by: "a while" });
    expect(bad).toMatchObject({ status: 422, body: { code: "clock_invalid" } });
    expect((await http.admin("PUT", "/api/admin/clock", { now: "yesterday-ish" })).body.code).toBe(
      "clock_invalid",
    );
    const resumed = await http.admin("PUT", "/api/admin/clock", { frozen: false });
    expect(resumed.body.frozen).toBe(false);
  });

  it("advancing past a binding's expiry makes the connector unavailable", async () => {
    const c = await SipTestClient.connectTls(emulator.ports.sip, { ca: emulator.certificates.caCertPem! });
    const first = await c.request(
      registerText({ user: TRUNK.username, localPort: c.localPort, callId: "clk", expires: 120 }),
    );
    const challenge = parseChallenge(first.headers.get("www-authenticate")!);
    const authorization = authorizationFor({
      challenge,
      user: TRUNK.username,
      password: TRUNK.password,
      uri: "sip:phoneapp.unify.com",
    });
    await c.request(
      registerText({
        user: TRUNK.username,
        localPort: c.localPort,
        callId: "clk",
        cseq: 2,
        expires: 120,
        authorization,
      }),
    );
    expect(emulator.bindings().some((b) => b.aor === TRUNK.username)).toBe(true);
    await http.admin("POST", "/api/admin/clock/advance", { by: "121s" });
    expect(emulator.bindings().some((b) => b.aor === TRUNK.username)).toBe(false);
    c.close();
  });
});
