import { afterEach, describe, expect, it } from "vitest";
import { ClientRegistrationError, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";
import { ACME_TRUNK, catalog, type ScenarioEmulator, scenarioPerTest } from "../support/scenario-support.js";

const PORTS = { emulator: { min: 52000, max: 52099 }, mock: { min: 52100, max: 52199 } };
const { withScenario } = scenarioPerTest(PORTS);

const pbxs: PbxTestUa[] = [];
let client: UnifyPhoneClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  for (const pbx of pbxs.splice(0)) pbx.close();
});

/** A PBX that connects now and registers: the answer to its REGISTER. */
async function pbxRegister(e: ScenarioEmulator) {
  const pbx = await PbxTestUa.connect(e.emulator, ACME_TRUNK.username, ACME_TRUNK.password);
  pbxs.push(pbx);
  return { pbx, answer: await pbx.register() };
}

/** Al's Unify Phone client logs in: 200, or the refusal. */
async function clientRegister(e: ScenarioEmulator): Promise<{ status: number; reason: string }> {
  const tenantId = await e.tenantId("Acme");
  const al = (await e.http.admin("GET", `/api/admin/tenants/${tenantId}/users?search=al`)).body.items[0];
  await client?.close();
  client = await UnifyPhoneClient.connect({
    url: `${e.emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
    userId: al.id,
    password: "Al-client-Pass1",
    ca: e.emulator.certificates.caCertPem!,
  });
  return client.register().then(
    () => ({ status: 200, reason: "OK" }),
    (error: unknown) => (error instanceof ClientRegistrationError ? error : Promise.reject(error)),
  );
}

async function advance(e: ScenarioEmulator, by: string): Promise<void> {
  expect((await e.http.admin("POST", "/api/admin/clock/advance", { by })).status).toBe(200);
}

describe("scenario maintenance-window", () => {
  it("refuses PBX and client REGISTERs with 503 + Retry-After inside the window, and only there", async () => {
    const hints = catalog.load("maintenance-window").expect;
    const e = await withScenario("maintenance-window");
    // Frozen, so the seconds left in Retry-After are exact.
    expect((await e.http.admin("PUT", "/api/admin/clock", { frozen: true })).status).toBe(200);

    const before = await pbxRegister(e);
    expect(before.answer.status).toBe(200);
    expect((await clientRegister(e)).status).toBe(200);

    // The window opens 10 min after the apply; the PBX's binding (600 s) is refreshed before.
    await advance(e, "9m");
    expect((await before.pbx.register()).status).toBe(200);
    await advance(e, "1m");
    const refresh = await before.pbx.register();
    expect(refresh.status).toBe(hints.register?.status);
    expect(refresh.reason).toContain(hints.register?.reason);
    expect(refresh.headers.get("retry-after")).toBe(String(hints.register?.retryAfter));
    // The binding made before the window stays until it expires.
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual(["available"]);
    const login = await clientRegister(e);
    expect(login.status).toBe(hints.clientRegister?.status);
    expect(login.reason).toContain(hints.clientRegister?.reason);

    // A PBX (re)connecting in the window cannot register: diagnose says why.
    before.pbx.close();
    await advance(e, "1h");
    const late = await pbxRegister(e);
    expect(late.answer.status).toBe(503);
    expect(late.answer.headers.get("retry-after")).toBe("3600");
    const problems = (await e.diagnose("Acme")).problems;
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(hints.diagnose![0]!)]));

    await advance(e, "1h");
    expect((await late.pbx.register()).status).toBe(200);
    expect((await clientRegister(e)).status).toBe(200);
  });

  it("applying another scenario ends the window at once", async () => {
    const e = await withScenario("maintenance-window");
    await advance(e, "11m");
    expect((await pbxRegister(e)).answer.status).toBe(503);
    const applied = await e.apply("srtp-misconfigured");
    expect(applied.maintenance).toBeNull();
    expect((await pbxRegister(e)).answer.status).toBe(200);
  });

  it("an admin sets and ends a window over REST: GET/PUT/DELETE /api/admin/maintenance", async () => {
    const e = await withScenario("srtp-misconfigured");
    expect((await e.http.admin("PUT", "/api/admin/clock", { frozen: true })).status).toBe(200);
    expect((await e.http.admin("GET", "/api/admin/maintenance")).body).toEqual({
      window: null,
      open: false,
      retryAfter: null,
    });
    const set = await e.http.admin("PUT", "/api/admin/maintenance", { lasts: "1h" });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ open: true, retryAfter: 3600 });
    const refused = (await pbxRegister(e)).answer;
    expect([refused.status, refused.headers.get("retry-after")]).toEqual([503, "3600"]);
    expect(refused.reason).toBe(`Service Unavailable: planned maintenance until ${set.body.window.until}`);

    const bad = await e.http.admin("PUT", "/api/admin/maintenance", { startsIn: "soon", lasts: "1h" });
    expect([bad.status, bad.body.code]).toEqual([422, "maintenance_invalid"]);
    expect(bad.body.detail).toMatch(/^startsIn: not a duration: soon/);
    expect((await e.http.admin("PUT", "/api/admin/maintenance", { from: 0 })).body.code).toBe(
      "maintenance_invalid",
    );

    expect((await e.http.admin("DELETE", "/api/admin/maintenance")).body).toMatchObject({
      window: null,
      open: false,
    });
    expect((await pbxRegister(e)).answer.status).toBe(200);
  });
});
