import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import {
  CallFailedError,
  type MockCall,
  MockOsbiz,
  type MockOsbizEvents,
  type MockOsbizOptions,
} from "../../src/mock-osbiz/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";

const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        simultaneousCalls: 4
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
`;
const AL = "+4923026672131";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let mock: MockOsbiz | undefined;
let lines: string[];

beforeEach(async () => {
  emulator = await startTestEmulator({
    adminToken: "mock-admin",
    seedText: SEED,
    rtpPorts: { min: 42000, max: 42999 },
  });
  http = httpClient(emulator);
  lines = [];
});

afterEach(async () => {
  await mock?.stop();
  mock = undefined;
  await emulator.close();
});

function start(options: Partial<MockOsbizOptions> = {}): Promise<MockOsbiz> {
  return MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    rtp: { bind: "127.0.0.1", portRange: { min: 43000, max: 43999 } },
    log: (line) => lines.push(line),
    ...options,
  });
}

/** `until` that shows the mock's log when it times out. */
function untilLogged(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  return until(check, () => `${what}\n${lines.join("\n")}`);
}

function next<K extends keyof MockOsbizEvents>(m: MockOsbiz, name: K): Promise<MockOsbizEvents[K]> {
  return new Promise((resolve) => {
    const off = m.on(name, (payload) => {
      off();
      resolve(payload);
    });
  });
}

async function tenantId(): Promise<string> {
  const tenants = (await http.admin("GET", "/api/admin/tenants")).body;
  return tenants.find((t: { name: string }) => t.name === "Acme").id;
}

async function connectorStatus(): Promise<string> {
  const connectors = (await http.admin("GET", `/api/admin/tenants/${await tenantId()}/connectors`)).body;
  return connectors.find((c: { systemId: string }) => c.systemId === "osbiz-1").status;
}

async function setBehaviour(behaviour: Record<string, unknown>): Promise<string> {
  const id = await tenantId();
  const user = (await http.admin("GET", `/api/admin/tenants/${id}/users?search=al@acme.test`)).body.items[0];
  await http.admin("PATCH", `/api/admin/tenants/${id}/users/${user.id}`, { callBehaviour: behaviour });
  return user.id;
}

async function journalOf(call: MockCall) {
  const calls = (await http.admin("GET", "/api/admin/calls")).body;
  return calls.find((c: { legs: { callId: string }[] }) => c.legs.some((l) => l.callId === call.callId));
}

describe("registration", () => {
  it("provisions like the wizard, registers (connector available), and stop() unregisters", async () => {
    mock = await start();
    expect(mock.system.trunkId).toBe("gtc-001");
    expect(mock.registered).toBe(true);
    expect(lines[0]).toMatch(/^provisioned gtc-001 as 3919209257 /);
    expect(lines).toContainEqual(expect.stringMatching(/^registered 3919209257 for 600 s \(digest MD5\)/));
    expect(await connectorStatus()).toBe("available");
    const unregistered = next(mock, "unregistered");
    await mock.stop();
    expect(await unregistered).toEqual({ reason: "stopped" });
    expect(mock.registered).toBe(false);
    expect(await connectorStatus()).toBe("unavailable");
    expect(emulator.bindings()).toHaveLength(0);
  });

  it("answers a SHA-256 challenge", async () => {
    await emulator.close();
    emulator = await startTestEmulator({
      adminToken: "mock-admin",
      seedText: SEED,
      registrar: { digestAlgorithms: ["SHA-256"] },
    });
    http = httpClient(emulator);
    mock = await start();
    expect(lines).toContainEqual(expect.stringMatching(/^registered .*\(digest SHA-256\)/));
    expect(await connectorStatus()).toBe("available");
  });

  it("refreshes the binding before it expires", async () => {
    mock = await start({ expires: 60, reregisterMargin: 0.99 });
    const refreshed = await next(mock, "registered");
    expect(refreshed.expires).toBe(60);
    expect(lines.filter((l) => /^re-registered 3919209257 for 60 s/.test(l)).length).toBeGreaterThanOrEqual(
      1,
    );
    expect(emulator.bindings()).toHaveLength(1);
  });

  it("reconnects and registers again when the connection drops", async () => {
    mock = await start({ reconnect: { initialMs: 50 } });
    const first = mock.connection!;
    const lost = next(mock, "unregistered");
    const again = next(mock, "registered");
    first.close("pulled the cable");
    expect((await lost).reason).toBe("connection lost: pulled the cable");
    await again;
    expect(mock.connection).toBeDefined();
    expect(mock.connection!.localPort).not.toBe(first.localPort);
    await untilLogged(async () => (await connectorStatus()) === "available", "the connector to be available");
    expect(emulator.bindings()).toHaveLength(1);
    expect(emulator.bindings()[0]!.contact).toContain(`:${mock.connection!.localPort}`);
  });

  it("rejects start() with the registrar's answer for a wrong API key", async () => {
    await expect(start({ apiKey: "wrong" })).rejects.toThrow(/401/);
  });
});

describe("calls from the mock", () => {
  it("a virtual user answers; RTP flows both ways; the mock hangs up", async () => {
    await setBehaviour({ mode: "answer", ringMs: 0 });
    mock = await start();
    const call = await mock.call(AL);
    expect(call).toMatchObject({ state: "answered", status: 200, direction: "outgoing", to: AL });
    // The emulator echoes the mock's tone: packets come back.
    await untilLogged(() => (call.media?.stats.packetsReceived ?? 0) > 5, "echoed RTP");
    expect(call.media!.stats.packetsSent).toBeGreaterThan(0);
    const ended = next(mock, "call-ended");
    await call.hangup();
    expect(await ended).toBe(call);
    expect(call).toMatchObject({ state: "ended", endedBy: "local" });
    await untilLogged(async () => (await journalOf(call))?.state === "ended", "the journal entry to end");
    const entry = await journalOf(call);
    expect(entry).toMatchObject({ direction: "pbx-to-user", from: TRUNK.username, to: AL, endedBy: "pbx" });
    expect(entry.media.stats.packetsReceived).toBeGreaterThan(0);
  });

  it("rejects with the final status when the number is unknown or the user busy", async () => {
    mock = await start();
    const unknown = await mock.call("+499999").catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(CallFailedError);
    expect((unknown as CallFailedError).status).toBe(404);
    await setBehaviour({ mode: "busy" });
    const busy = (await mock.call(AL).catch((e: unknown) => e)) as CallFailedError;
    expect(busy.status).toBe(486);
    expect(busy.call).toMatchObject({ state: "ended", status: 486 });
  });

  it("hangup while ringing sends CANCEL: 487", async () => {
    await setBehaviour({ mode: "answer", ringMs: 60_000 });
    mock = await start();
    const pending = mock.call(AL).catch((e: unknown) => e);
    await untilLogged(() => mock!.calls[0]?.state === "ringing", "180 Ringing");
    const call = mock.calls[0]!;
    await call.hangup();
    const failure = (await pending) as CallFailedError;
    expect(failure.status).toBe(487);
    expect(call.endCause).toBe("cancelled by the mock PBX");
    expect((await journalOf(call)).hangupCause).toBe("cancelled by the PBX");
  });

  it("DTMF via SIP INFO and RFC 4733 lands in the journal", async () => {
    await setBehaviour({ mode: "answer", ringMs: 0 });
    mock = await start();
    const call = await mock.call(AL);
    await call.sendDtmf("12", "info");
    await call.sendDtmf("9#", "rfc4733");
    await untilLogged(async () => (await journalOf(call)).dtmf.length === 4, "four digits in the journal");
    const digits = (await journalOf(call)).dtmf.map(
      (d: { digit: string; via: string }) => `${d.digit}:${d.via}`,
    );
    expect(digits).toEqual(["1:info", "2:info", "9:rfc4733", "#:rfc4733"]);
  });

  it("hold and retrieve re-INVITE sendonly and sendrecv (calling from a given callno)", async () => {
    await setBehaviour({ mode: "answer", ringMs: 0 });
    mock = await start();
    const call = await mock.call(AL, { fromCallno: "200" });
    expect((await journalOf(call)).from).toBe("200");
    await call.hold();
    expect(call.onHold).toBe(true);
    expect((await journalOf(call)).onHold).toBe(true);
    await call.retrieve();
    expect(call.onHold).toBe(false);
    const entry = await journalOf(call);
    expect(entry.onHold).toBe(false);
    expect(entry.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["hold", "retrieve"]),
    );
  });

  it("blind transfer: REFER, the connector calls the target through the trunk, final NOTIFY 200", async () => {
    await setBehaviour({ mode: "answer", ringMs: 0 });
    mock = await start({ behaviour: { mode: "answer", ringMs: 0 } });
    const call = await mock.call(AL);
    const incoming = next(mock, "incoming");
    const result = await call.transfer("+4930999");
    expect(result).toEqual({ status: 200, reason: "OK" });
    expect((await incoming).to).toBe("+4930999");
    expect(call.state).toBe("ended");
    expect((await journalOf(call)).events.map((e: { type: string }) => e.type)).toContain("transferred");
  });
});

describe("calls to the mock", () => {
  async function userCalls(to = "+4930123456"): Promise<string> {
    const userId = await setBehaviour({ mode: "answer" });
    const started = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to });
    expect(started.status).toBe(201);
    return started.body.id;
  }

  it("answers after ringing with RTP both ways; the user's hang-up (BYE) ends it", async () => {
    mock = await start({ behaviour: { mode: "answer", ringMs: 20 } });
    const incoming = next(mock, "incoming");
    const id = await userCalls();
    const call = await incoming;
    expect(call).toMatchObject({ direction: "incoming", from: AL, to: "+4930123456" });
    await untilLogged(() => call.state === "answered", "the mock to answer");
    await untilLogged(
      async () => (await http.admin("GET", `/api/admin/calls/${id}`)).body.state === "answered",
      "the journal to show the answer",
    );
    await untilLogged(() => (call.media?.stats.packetsReceived ?? 0) > 5, "echoed RTP");
    const ended = next(mock, "call-ended");
    await http.admin("DELETE", `/api/admin/calls/${id}`);
    expect(await ended).toBe(call);
    expect(call).toMatchObject({ state: "ended", endedBy: "remote", endCause: "BYE from the connector" });
  });

  it.each([
    ["busy", 486],
    ["reject", 603],
  ] as const)("behaviour %s answers %i", async (mode, status) => {
    mock = await start({ behaviour: { mode } });
    const id = await userCalls();
    await untilLogged(
      async () => (await http.admin("GET", `/api/admin/calls/${id}`)).body.state === "ended",
      "the call to end",
    );
    expect((await http.admin("GET", `/api/admin/calls/${id}`)).body.finalStatus).toBe(status);
    expect(mock.calls[0]).toMatchObject({ state: "ended", status });
  });

  it("no-answer rings until the user gives up (CANCEL → 487)", async () => {
    mock = await start({ behaviour: { mode: "no-answer" } });
    const id = await userCalls();
    await untilLogged(() => mock!.calls[0]?.state === "ringing", "the mock to ring");
    await http.admin("DELETE", `/api/admin/calls/${id}`);
    await untilLogged(() => mock!.calls[0]!.state === "ended", "the CANCEL");
    expect(mock.calls[0]).toMatchObject({ status: 487, endCause: "cancelled by the caller" });
    await untilLogged(
      async () => (await http.admin("GET", `/api/admin/calls/${id}`)).body.finalStatus === 487,
      "487 in the journal",
    );
  });
});
