import { expect, it } from "vitest";
import { runPbxActions, scenarioPbxPlan } from "../../src/composition/index.js";
import { CallFailedError, type MockOsbiz, type MockOsbizEvents } from "../../src/mock-osbiz/index.js";
import { ControllableClock } from "../../src/shared/clock.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import {
  ACME_KEY,
  ACME_TRUNK,
  AL,
  catalog,
  handshake,
  type ScenarioEmulator,
  scenarioPerTest,
  VIDCO_KEY,
} from "../support/scenario-support.js";
import { registerText, SipTestClient } from "../support/sip-test-client.js";
import { until } from "../support/until.js";

/**
 * One test per scenario in scenarios/: apply it, reproduce the symptom the way a PBX would,
 * and check that diagnose names the cause and the fix in one sentence (and, where the
 * scenario's expect block lists one, that sentence contains it).
 */
const PORTS = { emulator: { min: 46000, max: 46499 }, mock: { min: 46500, max: 46999 } };
/** The mock refreshes at 80 % of the granted 600 s. */
const REFRESH_MS = 480_001;
const AT = "\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z";

const { withScenario } = scenarioPerTest(PORTS);

/** The tenant's diagnosis; with the symptom's scenario, its problems hold the scenario's expect.diagnose. */
async function diagnosis(e: ScenarioEmulator, scenario: string | null, tenant: string) {
  const d = (await e.http.admin("GET", `/api/admin/tenants/${await e.tenantId(tenant)}/diagnose`)).body as {
    ok: boolean;
    problems: string[];
    warnings: string[];
  };
  for (const part of (scenario && catalog.load(scenario).expect.diagnose) || [])
    expect(d.problems.some((p) => p.includes(part))).toBe(true);
  return d;
}

function next<K extends keyof MockOsbizEvents>(mock: MockOsbiz, name: K): Promise<MockOsbizEvents[K]> {
  return new Promise((resolve) => {
    const off = mock.on(name, (payload) => {
      off();
      resolve(payload);
    });
  });
}

it("all-lines-busy: all trunk lines are busy (1/1)", async () => {
  const e = await withScenario("all-lines-busy");
  const pbx = await e.mock({ keepAliveMs: 0 });
  const call = await pbx.call(AL);
  const d = await diagnosis(e, "all-lines-busy", "Acme");
  expect(d.problems).toEqual([
    "gtc-001: All trunk lines are busy (1/1): new calls get 503 — wait for a call to end, or raise the number of simultaneous Unify Phone calls in the connector wizard.",
  ]);
  await call.hangup();
  expect((await diagnosis(e, null, "Acme")).problems).toEqual([]);
});

it("api-key-regenerated: the PBX's REST calls carry the old key", async () => {
  const e = await withScenario("api-key-regenerated");
  await expect(e.mock({ apiKey: ACME_KEY })).rejects.toThrow(/401 api_key_invalid/);
  const stale = new RegExp(
    `the REST API refused 1 request from 127\\.0\\.0\\.1 with a missing or unknown API key \\(last at ${AT}\\), as after the tenant's API key was regenerated — enter the tenant's current API key \\(GET /api/admin/tenants\\) in the PBX's connector wizard`,
  );
  const never = (await diagnosis(e, "api-key-regenerated", "Acme")).problems;
  expect(never).toEqual([
    expect.stringMatching(
      /^gtc-001: Not registered since the emulator started \(.*\): no REGISTER has arrived for this trunk, and /,
    ),
  ]);
  expect(never[0]).toMatch(stale);

  // A PBX registered before the regeneration: the trunk works, its REST calls do not.
  const pbx = await PbxTestUa.connect(e.emulator, ACME_TRUNK.username, ACME_TRUNK.password);
  try {
    expect((await pbx.register()).status).toBe(200);
    expect((await e.http.pbx(ACME_KEY, "GET", "/api/connector/v1/users")).status).toBe(401);
    const registered = (await diagnosis(e, "api-key-regenerated", "Acme")).problems;
    expect(registered).toEqual([
      expect.stringMatching(/^gtc-001: The REST API refused 2 requests from 127\.0\.0\.1/),
    ]);
    // The current key gets through: nothing is wrong any more.
    const current = "acme-key-0002-AePgasox4hjjgUVQfdTN";
    expect((await e.http.pbx(current, "GET", "/api/connector/v1/users")).status).toBe(200);
    expect(await diagnosis(e, null, "Acme")).toMatchObject({ ok: true, problems: [] });
  } finally {
    pbx.client.close();
  }
});

it("cloned-system: two PBXs take the trunk over from each other", async () => {
  const e = await withScenario("cloned-system");
  await e.mock({ keepAliveMs: 0 });
  await e.mock({ keepAliveMs: 0 });
  expect((await diagnosis(e, "cloned-system", "Acme")).problems).toEqual([
    expect.stringMatching(
      new RegExp(
        `^gtc-001: Two PBXs register this trunk with the same credentials and take it over from each other \\(1 time, last at ${AT}\\): a cloned or restored system runs with the connector configuration active — deactivate the Unify Phone connector on the clone\\.$`,
      ),
    ),
  ]);
});

it("connection-flapping: the fault that closes the connection at re-registration", async () => {
  const e = await withScenario("connection-flapping");
  const clock = new ControllableClock({ frozen: true });
  const mock = await e.mock({ clock, keepAliveMs: 0 });
  const lost = next(mock, "unregistered");
  clock.advance(REFRESH_MS);
  await lost;
  const back = next(mock, "registered");
  clock.advance(1000);
  await back;
  const d = await diagnosis(e, "connection-flapping", "Acme");
  expect(d.problems).toEqual([
    expect.stringMatching(
      new RegExp(
        `^gtc-001: The connection drops \\(1 time, last at ${AT}\\): fault "connection cut at re-registration" \\(1 hit, last at ${AT}\\) closes it, as a NAT or firewall with a session timeout shorter than the re-registration interval does — remove the fault \\(DELETE /api/admin/faults/scenario\\.connection-flapping\\.close-on-refresh\\)\\.$`,
      ),
    ),
  ]);
  // Removed, the fault leaves no stale problem: the trunk is registered, all is well.
  expect(
    (await e.http.admin("DELETE", "/api/admin/faults/scenario.connection-flapping.close-on-refresh")).status,
  ).toBe(204);
  expect(await diagnosis(e, null, "Acme")).toMatchObject({ ok: true, problems: [] });
});

it.each([
  ["jwt-not-set", "jwt_not_set", /^No JWT is configured: Unify Phone is not functional for Vidco \(/],
  ["jwt-expired", "jwt_expired", /^The JWT expired on .*: Unify Phone is not functional for Vidco \(/],
  [
    "jwt-invalid",
    "jwt_invalid",
    /^The JWT "seed" was invalidated .*: Unify Phone is not functional for Vidco \(/,
  ],
])("%s: Unify Phone is not functional, and why", async (name, code, sentence) => {
  const e = await withScenario(name);
  expect((await e.http.pbx(VIDCO_KEY, "GET", "/api/connector/v1/users")).body.code).toBe(code);
  const problems = (await diagnosis(e, name, "Vidco")).problems;
  expect(problems.filter((p) => /JWT/.test(p))).toEqual([expect.stringMatching(sentence)]);
  expect(problems[0]).toMatch(
    /— create a (new )?JWT for client ID vidco-client in the RingCentral JWT creation portal and paste it in the admin app \(PUT \/api\/admin\/tenants\/.*\/jwt\)\.$/,
  );
});

it("jwt-expiring: a warning, not a problem, until the clock passes the expiry", async () => {
  const e = await withScenario("jwt-expiring");
  const d = await diagnosis(e, "jwt-expiring", "Vidco");
  expect(d.problems.filter((p) => /JWT/.test(p))).toEqual([]);
  expect(d.warnings).toEqual([
    expect.stringMatching(
      /^The JWT expires on .* \(in 10 days\): everything works until then, when Unify Phone stops for Vidco/,
    ),
  ]);
  expect((await e.http.admin("POST", "/api/admin/clock/advance", { by: "11d" })).status).toBe(200);
  const later = await diagnosis(e, null, "Vidco");
  expect(later.warnings).toEqual([]);
  expect(later.problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^The JWT expired on .*: Unify Phone is not functional for Vidco/),
    ]),
  );
});

it("not-registered-firewall: TLS to the SIP port is reset before the handshake", async () => {
  const e = await withScenario("not-registered-firewall");
  await expect(e.mock()).rejects.toThrow(/over TLS/);
  const port = e.emulator.ports.sip;
  expect((await diagnosis(e, "not-registered-firewall", "Acme")).problems).toEqual([
    expect.stringMatching(
      new RegExp(
        `^gtc-001: Not registered since the emulator started \\(.*\\): every TLS connection to port ${port} is reset before the handshake \\(fault "firewall rejects TLS to 65061" \\(1 hit, last at ${AT}\\)\\), as a firewall rejecting TLS to port ${port} does — open TCP ${port} from the PBX to the connector \\(here: remove the fault \\(DELETE /api/admin/faults/scenario\\.not-registered-firewall\\.firewall-rejects-tls\\)\\)\\.$`,
      ),
    ),
  ]);
});

it("numbering-mismatch: the last call got 404, and a good call clears it", async () => {
  const e = await withScenario("numbering-mismatch");
  const pbx = await e.mock({ keepAliveMs: 0 });
  await expect(pbx.call(AL)).rejects.toBeInstanceOf(CallFailedError);
  expect((await diagnosis(e, "numbering-mismatch", "Acme")).problems).toEqual([
    expect.stringMatching(
      new RegExp(
        `^gtc-001: The last call from the PBX \\(to \\${AL} at ${AT}\\) got 404: the number does not match the connector's numbering plan — run the connector wizard again so the connector's numbering matches what the PBX dials\\.$`,
      ),
    ),
  ]);
  const good = await pbx.call("2131");
  await good.hangup();
  expect((await diagnosis(e, null, "Acme")).problems).toEqual([]);
});

it("registrar-overload-503: the fault answering REGISTER 503", async () => {
  const e = await withScenario("registrar-overload-503");
  await expect(e.mock()).rejects.toThrow(/503/);
  expect((await diagnosis(e, "registrar-overload-503", "Acme")).problems).toEqual([
    expect.stringMatching(
      /^gtc-001: Not registered since the emulator started \(.*\): its REGISTERs are answered 503 Service Unavailable \(Retry-After 120\) by fault "registrar overloaded" \(1 hit, .*\), as an overloaded registrar does — remove the fault \(DELETE \/api\/admin\/faults\/scenario\.registrar-overload-503\.registrar-overloaded\) and the PBX registers at its next attempt\.$/,
    ),
  ]);
});

it("slow-connector: REGISTER answered later than the PBX waits", async () => {
  const e = await withScenario("slow-connector");
  const raw = await SipTestClient.connectTls(e.emulator.ports.sip, {
    ca: e.emulator.certificates.caCertPem!,
  });
  try {
    raw.write(registerText({ user: ACME_TRUNK.username, localPort: raw.localPort, expires: 600 }));
    await until(async () => (await e.faults())[0]!.hits === 1, "the REGISTER held by the fault");
    expect((await diagnosis(e, "slow-connector", "Acme")).problems).toEqual([
      expect.stringMatching(
        /^gtc-001: Not registered since the emulator started \(.*\): the connector answers its REGISTERs only after 40 s \(fault "connector answers after 40 s" \(1 hit, .*\)\), later than the PBX waits \(64×T1 = 32 s\), so the PBX gives up as on 408 Request Timeout — remove the fault/,
      ),
    ]);
  } finally {
    raw.close();
  }
});

it("srtp-misconfigured: the last call got 488 for an SRTP-only offer", async () => {
  const e = await withScenario("srtp-misconfigured");
  const pbx = await PbxTestUa.connect(e.emulator, ACME_TRUNK.username, ACME_TRUNK.password);
  try {
    expect((await pbx.register()).status).toBe(200);
    const srtp = pbx.sendInvite(AL, sdpOffer(46998, { srtpOnly: true }));
    expect((await pbx.response(srtp.callId)).status).toBe(488);
    expect((await diagnosis(e, "srtp-misconfigured", "Acme")).problems).toEqual([
      expect.stringMatching(
        /^gtc-001: The last call from the PBX \(.*\) got 488: the PBX offered SRTP only and the connector is RTP only — set the Unify Phone trunk's media security to RTP on the PBX\.$/,
      ),
    ]);
  } finally {
    pbx.client.close();
  }
});

it("tls-certificate-expired: the connector's certificate has expired", async () => {
  const e = await withScenario("tls-certificate-expired");
  expect(await handshake(e.emulator)).toEqual({ ok: false, code: "CERT_HAS_EXPIRED" });
  expect((await diagnosis(e, "tls-certificate-expired", "Acme")).problems).toEqual([
    expect.stringMatching(
      /^gtc-001: Not registered since the emulator started \(.*\): the connector presents a server certificate that has expired \(fault "server certificate expired" \(1 hit, .*\)\), so the PBX aborts every TLS handshake \(certificate has expired\) — renew the connector's certificate \(here: remove the fault/,
    ),
  ]);
});

it("tls-version-mismatch: no TLS version in common, until a TLS 1.3 PBX registers", async () => {
  const e = await withScenario("tls-version-mismatch");
  expect(await handshake(e.emulator, { maxVersion: "TLSv1.2" })).toMatchObject({ ok: false });
  await until(
    async () =>
      /TLS version|accepts TLS/.test((await diagnosis(e, "tls-version-mismatch", "Acme")).problems.join()),
    "the failed handshake recorded",
  );
  expect((await diagnosis(e, "tls-version-mismatch", "Acme")).problems).toEqual([
    expect.stringMatching(
      /^gtc-001: Not registered since the emulator started \(.*\): TLS handshakes from 127\.0\.0\.1 fail \(1 time, .*\) because the connector accepts TLS TLSv1\.3–TLSv1\.3 only \(fault "connector accepts TLS 1\.3 only" .*\) and the PBX offers none of these — enable TLSv1\.3 on the PBX \(here: remove the fault/,
    ),
  ]);
  await e.mock({ keepAliveMs: 0 });
  expect(await diagnosis(e, null, "Acme")).toMatchObject({ ok: true, problems: [] });
});

/** The PBX of a PBX-side scenario, as --mock-osbiz starts it: its pbx: options, then its actions. */
async function scenarioMock(e: ScenarioEmulator, name: string): Promise<MockOsbiz> {
  const plan = scenarioPbxPlan(catalog.load(name))!;
  const mock = await e.mock({ keepAliveMs: 0, ...plan.options });
  await runPbxActions(mock, plan.actions, () => undefined);
  return mock;
}

/** Al's Unify Phone calls a PBX number; resolves once the journal says the call ended. */
async function alCallsThePbx(e: ScenarioEmulator): Promise<void> {
  const users = (await e.http.admin("GET", `/api/admin/tenants/${await e.tenantId("Acme")}/users?search=al`))
    .body;
  const placed = await e.http.admin("POST", "/api/admin/calls", {
    fromUser: users.items[0].id,
    to: "+4930123456",
  });
  const state = async () => (await e.http.admin("GET", `/api/admin/calls/${placed.body.id}`)).body.state;
  await until(async () => (await state()) === "ended", "the call to end");
}

it.each([
  ["no-licence", "403 Unify Phone licence missing"],
  ["licence-expired", "403 Unify Phone licence expired"],
  ["not-trusted-external-user", "403 Not a Trusted External User"],
  ["route-flag-off", "404 No route to Unify Phone"],
  ["rtp-channels-exhausted", "503 RTP proxy channels exhausted"],
])("%s: the PBX refused the last call, and says why", async (name, answer) => {
  const e = await withScenario(name);
  await scenarioMock(e, name);
  await alCallsThePbx(e);
  const refused = new RegExp(
    `^gtc-001: The PBX refused the last call to it \\(to \\+4930123456 at ${AT}\\): ${answer}.* — the PBX refused calls: `,
  );
  expect((await diagnosis(e, name, "Acme")).problems).toEqual([expect.stringMatching(refused)]);
});

it("expert-mode-change: TLS switched off in Expert Mode, the PBX's handshakes fail", async () => {
  const e = await withScenario("expert-mode-change");
  await scenarioMock(e, "expert-mode-change");
  await until(
    async () => (await diagnosis(e, null, "Acme")).problems.some((p) => p.includes("TLS handshakes from")),
    "the failed handshakes",
  );
  await diagnosis(e, "expert-mode-change", "Acme");
});

it("public-ip-changed: the trunk moved to the new address, nothing to report", async () => {
  const e = await withScenario("public-ip-changed");
  const mock = await scenarioMock(e, "public-ip-changed");
  expect(mock.connection?.localAddress).toBe("127.0.0.2");
  expect(await diagnosis(e, "public-ip-changed", "Acme")).toMatchObject({ ok: true, problems: [] });
});

it("maintenance-window: a PBX connecting in the window is refused 503 until it ends", async () => {
  const e = await withScenario("maintenance-window");
  expect((await e.http.admin("POST", "/api/admin/clock/advance", { by: "10m" })).status).toBe(200);
  const pbx = await PbxTestUa.connect(e.emulator, ACME_TRUNK.username, ACME_TRUNK.password);
  try {
    expect((await pbx.register()).status).toBe(503);
    const refused = new RegExp(
      `^gtc-001: Not registered since .*the last REGISTER from 127\\.0\\.0\\.1:\\d+ was refused at ${AT}: 503 Service Unavailable: planned maintenance until ${AT}`,
    );
    expect((await diagnosis(e, "maintenance-window", "Acme")).problems).toEqual([
      expect.stringMatching(refused),
    ]);
  } finally {
    pbx.close();
  }
});

it.each(["sip-alg-rewrite", "stun-symmetric-nat"])(
  "%s: the connector cannot see the router, so nothing is reported",
  async (name) => {
    // The ALG's damage is in the PBX's addresses, the NAT's in the STUN answers: diagnose has no
    // evidence of either (the fault rules are listed with their hits in GET /api/admin/faults).
    const e = await withScenario(name);
    await e.mock({ keepAliveMs: 0 });
    expect((await diagnosis(e, name, "Acme")).problems).toEqual([]);
  },
);

it("covers every scenario in scenarios/ (a new scenario needs its diagnose test here)", () => {
  const covered = [
    "all-lines-busy",
    "api-key-regenerated",
    "cloned-system",
    "connection-flapping",
    "cti-link-down", // tests/integration/scenario-cti-link-down.test.ts
    "expert-mode-change",
    "jwt-expired",
    "jwt-expiring",
    "jwt-invalid",
    "jwt-not-set",
    "licence-expired",
    "maintenance-window",
    "no-licence",
    "not-registered-firewall",
    "not-trusted-external-user",
    "numbering-mismatch",
    "public-ip-changed",
    "registrar-overload-503",
    "route-flag-off",
    "rtp-channels-exhausted",
    "sip-alg-rewrite",
    "slow-connector",
    "srtp-misconfigured",
    "stun-symmetric-nat",
    "tls-certificate-expired",
    "tls-version-mismatch",
  ];
  expect(catalog.names().sort()).toEqual(covered);
});
