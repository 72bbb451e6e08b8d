import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import { ADMIN_TOKEN, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";
import { until } from "../support/until.js";

/*
 * Push (an app call to the desk phone: REFER on the PBX leg) and pull (the desk phone's call to
 * the app: CSTA SingleStepTransferCall / DeflectCall), end to end against the mock OSBiz over
 * TLS, and the journal telling the whole story: SIP events and CSTA messages in one entry.
 */

const CALLER = "004930123456";
const AL = "+4923026672131";

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let mock: MockOsbiz;
let lines: string[];
let user: string;
let userId: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN, seedText: acmeSeed(), ctiSession: "auto" });
  api = usersClient(emulator);
  const tenant = await api.tenantId("Acme");
  const al = (await api.all(tenant)).find((u) => u.callno === "2131");
  userId = al.id;
  user = `/api/admin/tenants/${tenant}/users/${al.id}`;
  lines = [];
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 49000, max: 49999 } },
    log: (line) => lines.push(line),
  });
  await untilDesk((s) => s.cti === "connected" && s.monitored === true, "the desk phone monitored");
});

afterAll(async () => {
  await mock.stop();
  await api.close();
  await emulator.close();
});

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function desk(): Promise<any> {
  return (await api.call("GET", `${user}/desk-phone`)).body;
}

function untilDesk(check: (s: Record<string, unknown>) => boolean, what: string): Promise<void> {
  return until(
    async () => check(await desk()),
    () => `${what}\n${lines.slice(-30).join("\n")}`,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function journal(callId: string): Promise<any> {
  return (await api.call("GET", `/api/admin/calls/${callId}`)).body;
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function userCalls(): Promise<any[]> {
  return (await api.call("GET", `/api/admin/calls?userId=${userId}`)).body;
}

const ctiTypes = (entry: { cti: { type: string }[] }) => entry.cti.map((e) => e.type);

describe("push and pull between the app and the desk phone, in one journal entry", () => {
  let callId = "";

  it("push: the answered app call moves to the desk phone (REFER, NOTIFY sipfrag, BYE on the trunk leg)", async () => {
    expect(
      (await api.call("PATCH", user, { json: { callBehaviour: { mode: "answer", ringMs: 0 } } })).status,
    ).toBe(200);
    const trunkLeg = await mock.call(AL, { fromCallno: CALLER });
    expect(trunkLeg.state).toBe("answered");
    await untilDesk((s) => s.status === "idle", "the twinned desk phone stopped ringing");
    const call = (await userCalls()).find((c) => c.state === "answered");
    expect(call).toBeDefined();
    callId = call.id;

    const pushed = await api.call("POST", `/api/admin/calls/${callId}/push`);
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(202);
    await untilDesk((s) => s.status === "ringing", "the desk phone ringing with the pushed call");
    expect((await api.call("POST", `${user}/desk-phone/answer`, { json: {} })).status).toBe(200);
    await until(async () => (await journal(callId)).state === "ended", "the app call ended by the PBX's BYE");
    await untilDesk((s) => s.status === "connected", "the desk phone talking");

    const entry = await journal(callId);
    expect(entry.kind).toBe("connector");
    expect(entry.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["push", "push-accepted", "pushed"]),
    );
    expect(ctiTypes(entry)).toEqual(
      expect.arrayContaining(["DeliveredEvent", "AnswerCall", "EstablishedEvent"]),
    );
    const answer = entry.cti.find((e: { type: string }) => e.type === "AnswerCall");
    expect(answer).toMatchObject({ direction: "out", invokeID: expect.any(String), device: "2131" });
    expect(
      entry.cti.some(
        (e: { type: string; invokeID?: string }) =>
          e.type === "AnswerCallResponse" && e.invokeID === answer.invokeID,
      ),
    ).toBe(true);
  }, 30_000);

  it("pull: the desk phone's call comes back to the app (SingleStepTransferCall; the new trunk call names where it came from)", async () => {
    const pulled = await api.call("POST", `/api/admin/calls/${callId}/pull`);
    expect(pulled.status, JSON.stringify(pulled.body)).toBe(202);
    await until(
      async () => (await userCalls()).some((c) => c.pulledFrom === callId && c.state === "answered"),
      () => `the pulled call answered on the app side\n${lines.slice(-30).join("\n")}`,
    );
    await untilDesk((s) => s.status === "idle", "the desk phone idle after the pull");
    const back = (await userCalls()).find((c) => c.pulledFrom === callId);
    expect(back.events.map((e: { type: string }) => e.type)).toContain("pulled");
    expect(ctiTypes(await journal(callId))).toEqual(
      expect.arrayContaining(["SingleStepTransferCall", "SingleStepTransferCallResponse"]),
    );
    await mock.calls.find((c) => c.active && c.from === CALLER)?.hangup();
    await until(async () => (await journal(back.id)).state === "ended", "the pulled call ended");
  }, 30_000);

  it("a call only the desk phone has gets its own desk-phone journal entry", async () => {
    mock.deskPhone("2131").makeCall("004989700");
    await untilDesk((s) => s.status === "connected", "the desk phone in a call of its own");
    const entry = await until(
      async () => (await userCalls()).find((c) => c.kind === "desk-phone" && c.state === "answered"),
      "a desk-phone journal entry",
    ).then(async () => (await userCalls()).find((c) => c.kind === "desk-phone"));
    expect(entry).toMatchObject({
      direction: "user-to-pbx",
      to: "004989700",
      legs: [{ kind: "desk-phone" }],
    });
    expect(ctiTypes(entry).length).toBeGreaterThan(0);
    mock.deskPhone("2131").hangup();
    await until(async () => (await journal(entry.id)).state === "ended", "the desk-phone entry ended");
  });

  it("REST gaps: consult a second party, alternate between the two calls, then stop monitoring (CSTA over TLS)", async () => {
    mock.deskPhone("2131").makeCall("004989700");
    await untilDesk((s) => s.status === "connected", "the desk phone in a call");
    const consult = await api.call("POST", `${user}/desk-phone/consult`, { json: { to: "004989701" } });
    expect(consult.status, JSON.stringify(consult.body)).toBe(200);
    expect(consult.body.result.callId).toEqual(expect.any(String));
    await untilDesk(
      (s) => (s.calls as { state: string }[]).some((c) => c.state === "hold"),
      "the first call held while consulting",
    );
    const alternate = await api.call("POST", `${user}/desk-phone/alternate`, { json: {} });
    expect(alternate.status, JSON.stringify(alternate.body)).toBe(200);
    await until(
      () => mock.deskPhone("2131").snapshot().peer === "004989700",
      "the desk phone back with the first party",
    );
    const stopped = await api.call("POST", `${user}/desk-phone/monitor-stop`, { json: {} });
    expect(stopped.status).toBe(200);
    expect(stopped.body.monitored).toBe(false);
    expect(mock.cstaSessions[0]!.monitors.size).toBe(0);
    const again = await api.call("GET", `${user}/desk-phone`);
    expect(again.body.monitored).toBe(false);
  });

  it("bad paths: 404 for an unknown call, 409 to push an ended call or pull one the desk phone has no part in", async () => {
    for (const action of ["push", "pull"]) {
      const missing = await api.call("POST", `/api/admin/calls/call-999999/${action}`);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe("call_not_found");
    }
    const ended = await api.call("POST", `/api/admin/calls/${callId}/push`);
    expect(ended.status).toBe(409);
    expect(ended.body.code).toBe("call_not_pushable");
    const notOnDesk = await api.call("POST", `/api/admin/calls/${callId}/pull`);
    expect(notOnDesk.status).toBe(409);
    expect(notOnDesk.body.code).toBe("call_not_on_desk_phone");
  });
});
