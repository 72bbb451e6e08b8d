import { createServer, type Server } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import {
  MockOsbiz,
  type MockOsbizEvents,
  type MockOsbizOptions,
  MockWizardError,
  PbxRefusedError,
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
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1, callBehaviour: { mode: answer, ringMs: 0 } }
`;
const AL = "+4923026672131";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let mock: MockOsbiz | undefined;
let lines: string[];

beforeEach(async () => {
  emulator = await startTestEmulator({
    adminToken: "pbx-admin",
    seedText: SEED,
    rtpPorts: { min: 45000, max: 45999 },
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
    behaviour: { mode: "answer", ringMs: 0 },
    rtp: { bind: "127.0.0.1", portRange: { min: 46000, max: 46999 } },
    // Reconnections after a drift come from applyExpertModeChange, not from the backoff.
    reconnect: { initialMs: 60_000 },
    log: (line) => lines.push(line),
    ...options,
  });
}

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
  return (await http.admin("GET", "/api/admin/tenants")).body[0].id;
}

async function connectorStatus(): Promise<string> {
  return (await http.admin("GET", `/api/admin/tenants/${await tenantId()}/connectors`)).body[0].status;
}

async function diagnoseProblems(): Promise<string[]> {
  return (await http.admin("GET", `/api/admin/tenants/${await tenantId()}/diagnose`)).body.problems;
}

async function alId(): Promise<string> {
  const id = await tenantId();
  return (await http.admin("GET", `/api/admin/tenants/${id}/users?search=al@acme.test`)).body.items[0].id;
}

/** Al (Unify Phone) calls out through the PBX; the journal entry once it ended or was answered. */
async function alCalls(to = "+4930123456") {
  const started = await http.admin("POST", "/api/admin/calls", { fromUser: await alId(), to });
  const id = started.body.id ?? started.body.callId;
  expect(id, JSON.stringify(started.body)).toBeDefined();
  let entry: Record<string, unknown> = {};
  await untilLogged(async () => {
    entry = (await http.admin("GET", `/api/admin/calls/${id}`)).body;
    return entry.state === "ended" || entry.state === "answered";
  }, "the call to be answered or refused");
  return { started, entry };
}

describe("user checks", () => {
  it.each([
    [{ licence: "none" }, 403, "Unify Phone licence missing", /no Unify Phone licence/, /licence is missing/],
    [{ licence: "expired" }, 403, "Unify Phone licence expired", /licence has expired/, /licence is expired/],
    [
      { trustedExternal: false },
      403,
      "Not a Trusted External User",
      /not a Trusted External/,
      /Trusted External User/,
    ],
    [{ unifyPhoneRoute: false }, 404, "No route to Unify Phone", /route flag is off/, /route flag is off/],
  ] as const)(
    "%o: the PBX refuses the user's calls both ways, the journal and diagnose say so",
    async (flags, status, reason, warning, diagnosis) => {
      mock = await start({ users: [{ callno: "2131", ...flags }] });
      const { entry } = await alCalls();
      expect(entry).toMatchObject({ state: "ended", finalStatus: status, refusedBy: "pbx", endedBy: "pbx" });
      expect(entry.hangupCause).toBe(`${status} ${reason}`);
      expect(entry.warning).toMatch(warning);
      expect(mock.calls[0]).toMatchObject({ direction: "incoming", state: "ended", status, reason });
      expect((await diagnoseProblems()).join("\n")).toMatch(diagnosis);

      // The PBX does not even try to call the user: no INVITE, a clear error.
      const journalBefore = (await http.admin("GET", "/api/admin/calls")).body.length;
      const refused = await mock.call(AL).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PbxRefusedError);
      expect((refused as PbxRefusedError).status).toBe(status);
      expect((refused as PbxRefusedError).message).toMatch(warning);
      expect(lines.some((l) => l.startsWith(`call to ${AL} from`) && l.includes(reason))).toBe(true);
      expect((await http.admin("GET", "/api/admin/calls")).body).toHaveLength(journalBefore);
    },
  );

  it("fixing the user in the wizard lets the calls through again", async () => {
    mock = await start({ users: [{ callno: "2131", licence: "none" }] });
    expect((await alCalls()).entry.finalStatus).toBe(403);
    mock.updateUser("2131", { licence: "valid" });
    const { entry } = await alCalls();
    expect(entry).toMatchObject({ state: "answered", refusedBy: null, warning: null });
    expect(await diagnoseProblems()).toEqual([]);
    expect(mock.users()).toEqual([
      { callno: "2131", licence: "valid", trustedExternal: true, unifyPhoneRoute: true },
    ]);
  });

  it("users the PBX does not know are not checked (backward compatible)", async () => {
    mock = await start({ users: [{ callno: "2199", licence: "none" }] });
    expect((await alCalls()).entry.state).toBe("answered");
  });
});

describe("RTP proxy channels", () => {
  it("exhausted: the PBX's own 503 with a Warning, told apart from the connector's lines-busy in journal and diagnose", async () => {
    mock = await start({ rtpChannels: { total: 3, busy: 1 } });
    mock.occupyRtpChannels(1, "device-at-home");
    const first = await mock.call(AL);
    expect(mock.rtpChannelsInUse()).toEqual({ total: 3, itsp: 1, deviceAtHome: 1, unifyPhone: 1 });

    const { entry } = await alCalls();
    expect(entry).toMatchObject({
      finalStatus: 503,
      hangupCause: "503 RTP proxy channels exhausted",
      refusedBy: "pbx",
    });
    expect(entry.warning).toMatch(/all 3 RTP proxy channels are in use/);
    const problems = (await diagnoseProblems()).join("\n");
    expect(problems).toMatch(/the PBX refused calls: RTP proxy channels exhausted/);
    expect(problems).not.toMatch(/trunk lines/i);
    const own = await mock.call(AL).catch((e: unknown) => e);
    expect((own as PbxRefusedError).status).toBe(503);

    // A channel comes free when the call ends.
    await first.hangup();
    expect(mock.rtpChannelsInUse().unifyPhone).toBe(0);
    mock.releaseRtpChannels(1, "device-at-home");
    expect((await alCalls()).entry.state).toBe("answered");
    expect(mock.rtpChannelsInUse().unifyPhone).toBe(1);
  });

  it("the connector's own line limit: refusedBy connector, no Warning, diagnose names the trunk lines", async () => {
    mock = await start({ simultaneousCalls: 1 });
    await mock.call(AL);
    const { started, entry } = await alCalls();
    expect(started.status).toBe(409);
    expect(entry).toMatchObject({
      finalStatus: 503,
      refusedBy: "connector",
      warning: null,
      endedBy: "emulator",
      hangupCause: "all trunk lines busy (1/1)",
    });
    const problems = (await diagnoseProblems()).join("\n");
    expect(problems).toMatch(/The connector refused the last call to the PBX/);
    expect(problems).not.toMatch(/RTP proxy/);
    expect(mock.rtpChannelsInUse().unifyPhone).toBe(1);
  });

  it("refuses to occupy more channels than are free", async () => {
    mock = await start({ model: "S" });
    expect(mock.rtpChannelsInUse().total).toBe(180);
    expect(() => mock!.occupyRtpChannels(181, "itsp")).toThrow(RangeError);
    expect(() => mock!.releaseRtpChannels(1, "itsp")).toThrow(/1 itsp RTP channels: 0 held/);
  });
});

describe("user wizard and sizing", () => {
  it("the model's user limit: start() refuses too many users, addUser refuses the one too many", async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => ({ callno: String(3000 + i) }));
    const tooMany = await start({ model: "X1", users: [...fifty, { callno: "3999" }] }).catch(
      (e: unknown) => e,
    );
    expect(tooMany).toBeInstanceOf(MockWizardError);
    expect((tooMany as Error).message).toMatch(/X1 takes at most 50 Unify Phone users/);
    expect(await connectorStatus()).toBe("unavailable");
    mock = await start({ model: "X1", users: fifty });
    expect(() => mock!.addUser({ callno: "3999" })).toThrow(/at most 50/);
    mock.removeUser("3000");
    mock.addUser({ callno: "3999" });
    expect(mock.users()).toHaveLength(50);
  });

  it("createUser creates the user in the cloud (or assigns an existing one), within the limit", async () => {
    const fortyNine = Array.from({ length: 49 }, (_, i) => ({ callno: String(3000 + i) }));
    mock = await start({ model: "X1", users: fortyNine });
    const bob = await mock.createUser({
      callno: "2132",
      emailAddress: "bob@acme.test",
      firstName: "Bob",
      lastName: "Bay",
    });
    expect(bob).toMatchObject({ emailAddress: "bob@acme.test", callno: "2132", trunk: "gtc-001" });
    const listed = (await http.admin("GET", `/api/admin/tenants/${await tenantId()}/users?search=bob`)).body;
    expect(listed.items[0]).toMatchObject({ callno: "2132" });
    await expect(
      mock.createUser({ callno: "2133", emailAddress: "cy@acme.test", firstName: "Cy", lastName: "Cole" }),
    ).rejects.toThrow(MockWizardError);
    // A user the cloud has already is assigned ("Add"), not created twice.
    mock.removeUser("3000");
    const al = await mock.createUser({
      callno: "2135",
      emailAddress: "AL@acme.test",
      firstName: "Al",
      lastName: "Ace",
    });
    expect(al).toMatchObject({ id: await alId(), callno: "2135", assignedToThisSystem: true });
    const none = (await http.admin("GET", `/api/admin/tenants/${await tenantId()}/users?search=cy@`)).body;
    expect(none.items).toHaveLength(0);
  });

  it.each([
    [{ uplinkKbps: 2048 }, 16],
    [{ uplinkKbps: 1000 }, 7],
    [{ uplinkKbps: 100_000 }, 60],
    [{ uplinkKbps: 100_000, model: "S" as const }, 180],
    [{ uplinkKbps: 2048, simultaneousCalls: 3 }, 3],
  ])("%o provisions simultaneousCalls %i", async (options, calls) => {
    mock = await start(options);
    expect(mock.system.simultaneousCalls).toBe(calls);
    const connector = (await http.admin("GET", `/api/admin/tenants/${await tenantId()}/connectors`)).body[0];
    expect(JSON.stringify(connector)).toContain(`${calls}`);
  });
});

describe("Expert Mode drift", () => {
  async function closedPort(): Promise<number> {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  it("a wrong registrar port: no connection, the connector goes unavailable; the wizard's port brings it back", async () => {
    mock = await start();
    const port = await closedPort();
    await mock.applyExpertModeChange({ registrarPort: port });
    expect(mock.registered).toBe(false);
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port} .*ECONNREFUSED`)),
    );
    await untilLogged(
      async () => (await connectorStatus()) === "unavailable",
      "the connector to go unavailable",
    );
    expect((await diagnoseProblems()).join("\n")).toMatch(/Not registered since/);
    await mock.applyExpertModeChange({ registrarPort: mock.system.sip.port });
    expect(mock.registered).toBe(true);
    expect(await connectorStatus()).toBe("available");
  });

  it("a wrong domain: the connector refuses the REGISTER (401, credentials for another realm)", async () => {
    mock = await start();
    await mock.applyExpertModeChange({ domain: "wrong.example" });
    expect(mock.registered).toBe(false);
    expect(lines).toContainEqual("registration failed: REGISTER refused: 401 Unauthorized");
    await untilLogged(
      async () => (await connectorStatus()) === "unavailable",
      "the connector to go unavailable",
    );
    await mock.applyExpertModeChange({ domain: mock.system.sip.domain });
    expect(mock.registered).toBe(true);
  });

  it("TLS off (tcp): the connector never sees a REGISTER, only a failed TLS handshake", async () => {
    mock = await start({ expertMode: { transport: "tcp" } });
    expect(mock.registered).toBe(false);
    expect(lines).toContainEqual(expect.stringMatching(/^registration failed: REGISTER not answered/));
    await untilLogged(
      async () => (await connectorStatus()) === "unavailable",
      "the connector to go unavailable",
    );
    const problems = (await diagnoseProblems()).join("\n");
    expect(problems).toMatch(/Not registered since .*TLS handshakes from 127\.0\.0\.1 fail/);
  });
});

describe("public address change", () => {
  it("reconnects from the new address, re-registers, the old flow dies, calls keep working", async () => {
    mock = await start();
    const old = mock.connection!;
    const active = await mock.call(AL);
    await mock.changePublicAddress("127.0.0.2");
    expect(old.open).toBe(false);
    expect(mock.connection!.localAddress).toBe("127.0.0.2");
    expect(mock.registered).toBe(true);
    await untilLogged(
      () => emulator.bindings().length === 1 && emulator.bindings()[0]!.remote.address === "127.0.0.2",
      "the binding from the new address",
    );
    expect(emulator.bindings()[0]!.contact).toContain("127.0.0.2");
    expect(await connectorStatus()).toBe("available");
    expect(active.state).toBe("answered");
    expect(await diagnoseProblems()).toEqual([]);

    // The connector reaches the PBX over the new flow: a new call, and the BYE of the old one.
    const incoming = next(mock, "incoming");
    const { entry } = await alCalls();
    expect(entry.state).toBe("answered");
    expect((await incoming).state).not.toBe("ended");
    const ended = next(mock, "call-ended");
    const journal = (await http.admin("GET", "/api/admin/calls")).body;
    const first = journal.find((c: { legs: { callId: string }[] }) =>
      c.legs.some((l) => l.callId === active.callId),
    );
    await http.admin("DELETE", `/api/admin/calls/${first.id}`);
    expect(await ended).toBe(active);
    expect(active.endedBy).toBe("remote");
  });

  it("an address the host does not have: the move fails, the old flow stays registered", async () => {
    mock = await start();
    const old = mock.connection!;
    await expect(mock.changePublicAddress("192.0.2.1")).rejects.toThrow(/EADDRNOTAVAIL|EINVAL/);
    expect(mock.connection).toBe(old);
    expect(mock.registered).toBe(true);
    expect(await connectorStatus()).toBe("available");
  });

  it("a connector that refuses a second flow (duplicate-registration reject): both flows close, the mock comes back from the new address", async () => {
    await emulator.close();
    emulator = await startTestEmulator({
      adminToken: "pbx-admin",
      seedText: SEED,
      registrar: { duplicateRegistration: "reject" },
    });
    http = httpClient(emulator);
    mock = await start({ reconnect: { initialMs: 50 } });
    const lost = next(mock, "unregistered");
    await expect(mock.changePublicAddress("127.0.0.2")).rejects.toThrow(
      /403 Forbidden: trunk already registered/,
    );
    expect((await lost).reason).toMatch(/^registration from 127\.0\.0\.2 failed/);
    await untilLogged(
      () => mock!.registered && emulator.bindings()[0]?.remote.address === "127.0.0.2",
      "the mock to register again from 127.0.0.2",
    );
    expect(emulator.bindings()).toHaveLength(1);
  });
});
