import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TrunkStatusEvent } from "../../src/index.js";
import { type MockOsbiz, type MockOsbizEvents, RegistrationError } from "../../src/mock-osbiz/index.js";
import { ControllableClock } from "../../src/shared/clock.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";
import {
  ACME_TRUNK,
  catalog,
  handshake,
  type ScenarioEmulator,
  scenarioPerTest,
} from "../support/scenario-support.js";
import { registerText, SipTestClient } from "../support/sip-test-client.js";
import { until } from "../support/until.js";

const PORTS = { emulator: { min: 48100, max: 48499 }, mock: { min: 48500, max: 48999 } };
/** Long enough to see that no answer comes; nothing asserts how long anything takes. */
const QUIET_MS = 300;
/** The mock refreshes at 80 % of the granted 600 s. */
const REFRESH_MS = 480_001;

const { start, withScenario } = scenarioPerTest(PORTS);

function next<K extends keyof MockOsbizEvents>(mock: MockOsbiz, name: K): Promise<MockOsbizEvents[K]> {
  return new Promise((resolve) => {
    const off = mock.on(name, (payload) => {
      off();
      resolve(payload);
    });
  });
}

function statusEvents(e: ScenarioEmulator): TrunkStatusEvent[] {
  const events: TrunkStatusEvent[] = [];
  e.emulator.onTrunkStatus((event) => events.push(event));
  return events;
}

describe("scenarios the PBX sees as 'not registered'", () => {
  it("not-registered-firewall: TLS to 65061 is reset, the connector stays unavailable", async () => {
    const { expect: hints } = catalog.load("not-registered-firewall");
    const e = await withScenario("not-registered-firewall");
    await expect(e.mock()).rejects.toThrow(
      /^cannot connect to 127\.0\.0\.1:\d+ over TLS: Client network socket disconnected before secure TLS/,
    );
    expect(hints.tls?.error).toBe("ECONNRESET");
    expect(await handshake(e.emulator)).toEqual({ ok: false, code: hints.tls?.error });
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual([hints.connector]);
    const problems = (await e.diagnose("Acme")).problems;
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^gtc-001: Not registered since .*firewall/)]),
    );
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(hints.diagnose![0]!)]));
    const trace = (await e.http.admin("GET", "/api/admin/trace?format=text")).text;
    expect(trace).toContain(
      "fault scenario.not-registered-firewall.firewall-rejects-tls at tls.accept: refuse",
    );
  });

  it("not-registered-firewall applied while registered: the connection is cut at the next refresh and cannot come back", async () => {
    const e = await withScenario("srtp-misconfigured");
    const events = statusEvents(e);
    const clock = new ControllableClock({ frozen: true });
    const mock = await e.mock({ clock, keepAliveMs: 0 });
    const applied = await e.apply("not-registered-firewall");
    expect(applied.faults.added.map((f: { id: string }) => f.id)).toEqual([
      "scenario.not-registered-firewall.firewall-rejects-tls",
      "scenario.not-registered-firewall.firewall-cuts-connection",
    ]);
    const lost = next(mock, "unregistered");
    clock.advance(REFRESH_MS);
    await lost;
    clock.advance(1000);
    await until(
      async () => (await e.faults()).some((f) => f.id.endsWith("rejects-tls") && f.hits > 0),
      "refused",
    );
    expect(mock.registered).toBe(false);
    expect(events.map((x) => x.status)).toEqual(["available", "unavailable"]);
    expect(events[1]!.reason).toMatch(/fault scenario\.not-registered-firewall\.firewall-cuts-connection/);
    expect((await e.connectors("Acme"))[0]!.status).toBe("unavailable");
  });

  it("tls-certificate-expired: the handshake fails with CERT_HAS_EXPIRED", async () => {
    const { expect: hints } = catalog.load("tls-certificate-expired");
    const e = await withScenario("tls-certificate-expired");
    expect(hints.tls?.error).toBe("CERT_HAS_EXPIRED");
    expect(await handshake(e.emulator)).toEqual({ ok: false, code: "CERT_HAS_EXPIRED" });
    await expect(e.mock()).rejects.toThrow(/over TLS: certificate has expired/);
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual([hints.connector]);
  });

  it("tls-version-mismatch: a PBX capped at TLS 1.2 gets a protocol_version alert, TLS 1.3 registers", async () => {
    const { expect: hints } = catalog.load("tls-version-mismatch");
    const e = await withScenario("tls-version-mismatch");
    expect(await handshake(e.emulator, { maxVersion: "TLSv1.2" })).toEqual({
      ok: false,
      code: hints.tls?.error,
    });
    expect(hints.tls?.error).toBe("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION");
    expect(await handshake(e.emulator)).toEqual({ ok: true, protocol: "TLSv1.3" });
    const mock = await e.mock({ keepAliveMs: 0 });
    expect(mock.registered).toBe(true);
  });

  it("registrar-overload-503: every REGISTER gets 503 with Retry-After", async () => {
    const { expect: hints } = catalog.load("registrar-overload-503");
    const e = await withScenario("registrar-overload-503");
    const refused = await e.mock().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RegistrationError);
    expect((refused as RegistrationError).status).toBe(503);

    const pbx = await PbxTestUa.connect(e.emulator, ACME_TRUNK.username, ACME_TRUNK.password);
    const answer = await pbx.register();
    pbx.client.close();
    expect(answer.status).toBe(hints.register?.status);
    expect(answer.reason).toBe(hints.register?.reason);
    expect(answer.headers.get("Retry-After")).toBe(String(hints.register?.retryAfter));
    expect(answer.headers.get("Warning")).toBe('399 unify-phone-emulator "registrar overloaded"');
    expect(hints.register).toEqual({ status: 503, reason: "Service Unavailable", retryAfter: 120 });
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual([hints.connector]);
    expect((await e.faults()).find((f) => f.id.endsWith("registrar-overloaded"))?.hits).toBe(2);
  });

  it("slow-connector: no answer to REGISTER, so the PBX's transaction times out (Timer F)", async () => {
    const e = await withScenario("slow-connector");
    const raw = await SipTestClient.connectTls(e.emulator.ports.sip, {
      ca: e.emulator.certificates.caCertPem!,
    });
    const seen: string[] = [];
    raw.socket.on("data", (chunk: Buffer) => seen.push(chunk.toString("latin1")));
    raw.write(registerText({ user: ACME_TRUNK.username, localPort: raw.localPort, expires: 600 }));
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(seen).toEqual([]);
    raw.close();

    const clock = new ControllableClock({ frozen: true });
    const starting = e.mock({ clock, keepAliveMs: 0 }).catch((error: Error) => error);
    await until(async () => (await e.faults())[0]!.hits === 2, "the mock's REGISTER held by the fault");
    clock.advance(32_000);
    expect(await starting).toMatchObject({ message: "no final response to REGISTER (timeout)" });
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual(["unavailable"]);
  });
});

describe("scenarios the PBX sees as a trunk that keeps dropping", () => {
  it("connection-flapping: every refresh closes the connection, the PBX reconnects and registers again", async () => {
    const e = await withScenario("connection-flapping");
    const events = statusEvents(e);
    const clock = new ControllableClock({ frozen: true });
    const mock = await e.mock({ clock, keepAliveMs: 0 });
    for (let round = 0; round < 2; round++) {
      const lost = next(mock, "unregistered");
      clock.advance(REFRESH_MS);
      expect((await lost).reason).toMatch(/closed/);
      const back = next(mock, "registered");
      clock.advance(1000);
      await back;
    }
    expect(events.map((x) => x.status)).toEqual([
      "available",
      "unavailable",
      "available",
      "unavailable",
      "available",
    ]);
    expect(events[1]!.reason).toMatch(/fault scenario\.connection-flapping\.close-on-refresh: close/);
    expect((await e.faults())[0]!.hits).toBe(2);
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual(["available"]);
  });

  it("cloned-system: two PBXs on one trunk take it over from each other, the connector flaps", async () => {
    const { expect: hints } = catalog.load("cloned-system");
    const e = await withScenario("cloned-system");
    const events = statusEvents(e);
    const originalClock = new ControllableClock({ frozen: true });
    const original = await e.mock({ clock: originalClock, keepAliveMs: 0 });
    const clone = await e.mock({ keepAliveMs: 0 });
    expect([original.registered, clone.registered]).toEqual([true, true]);
    expect(hints.register?.status).toBe(200);
    const contactOf = (m: MockOsbiz) =>
      `sip:${ACME_TRUNK.username}@127.0.0.1:${m.connection!.localPort};transport=tls`;
    expect(e.emulator.bindings().map((b) => b.contact)).toEqual([contactOf(clone)]);

    originalClock.advance(REFRESH_MS);
    await until(() => events.length === 5, "the original's refresh taking the trunk back");
    expect(events.map((x) => x.status)).toEqual([
      "available",
      "unavailable",
      "available",
      "unavailable",
      "available",
    ]);
    expect(events[1]!.reason).toMatch(/cloned system/);
    expect(e.emulator.bindings().map((b) => b.contact)).toEqual([contactOf(original)]);
    expect((await e.connectors("Acme")).map((c) => c.status)).toEqual([hints.connector]);
  });

  it("cloned-system copied with policy reject (as scenarios/README.md tells): the clone gets 403", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "upe-clone-"));
    const file = path.join(dir, "cloned-system-reject.yaml");
    const text = readFileSync(catalog.load("cloned-system").file, "utf8")
      .replace("name: cloned-system", "name: cloned-system-reject")
      .replace("duplicateRegistration: flap", "duplicateRegistration: reject");
    writeFileSync(file, text);
    const s = await start({ scenario: file });
    const original = await s.mock({ keepAliveMs: 0 });
    const clone = await s.mock({ keepAliveMs: 0 }).catch((error: unknown) => error);
    expect(original.registered).toBe(true);
    expect(clone).toBeInstanceOf(RegistrationError);
    expect((clone as RegistrationError).message).toBe(
      "REGISTER refused: 403 Forbidden: trunk already registered from another connection (cloned system?)",
    );
  });
});
