import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { type ClientCall, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import { ADMIN_TOKEN, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";
import { until } from "../support/until.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

/*
 * Issue 15's "Done means", end to end over TLS: the real emulator, the mock OSBiz (trunk + CSTA)
 * and a sip.js Unify Phone client per user. A trunk call rings Al's desk phone and app, Al answers
 * on the desk phone, pulls the call to the app, pushes it back, holds, retrieves and transfers it
 * to Bo; then who alerts under each routing. Every step is checked where an operator sees it:
 * the call journal (cti[], pull/push marks), the trace (CSTA XML) and the desk-phone.* webhooks.
 */

const CALLER = "004930123456";
const AL = "+4923026672131";
const BO_SEED =
  '{ emailAddress: bo@acme.test, firstName: Bo, lastName: Bee, locale: de-DE, callno: "2132", system: osbiz-1 }';

/** A user's sip.js client and what it was offered (with the Reason of any CANCEL it got). */
interface Phone {
  client: UnifyPhoneClient;
  offered: ClientCall[];
  cancelReasons: Map<ClientCall, string>;
}

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let mock: MockOsbiz;
let webhook: WebhookReceiver;
let lines: string[];
let tenant: string;
const users: Record<"al" | "bo", { id: string; path: string; phone: Phone }> = {} as never;

beforeAll(async () => {
  emulator = await startTestEmulator({
    adminToken: ADMIN_TOKEN,
    seedText: acmeSeed(BO_SEED),
    ctiSession: "auto",
    rtpPorts: { min: 57000, max: 57499 },
  });
  api = usersClient(emulator);
  tenant = await api.tenantId("Acme");
  const all = await api.all(tenant);
  for (const [key, callno] of [
    ["al", "2131"],
    ["bo", "2132"],
  ] as const) {
    const id = all.find((u) => u.callno === callno).id as string;
    const path = `/api/admin/tenants/${tenant}/users/${id}`;
    expect(
      (await api.call("PUT", `${path}/client-password`, { json: { password: "client-pass-1" } })).status,
    ).toBe(204);
    // The virtual user rings on without answering: the devices decide.
    await patch(path, { callBehaviour: { mode: "no-answer", ringMs: 60_000 } });
    users[key] = { id, path, phone: await connectPhone(id) };
  }
  webhook = await WebhookReceiver.start();
  expect((await api.call("PUT", "/api/admin/webhook", { json: { url: webhook.url } })).status).toBe(200);
  lines = [];
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }, { callno: "2132" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 57500, max: 57999 } },
    log: (line) => lines.push(line),
  });
  await untilDesk("al", (s) => s.cti === "connected" && s.monitored === true, "Al's desk phone monitored");
  await untilDesk("bo", (s) => s.cti === "connected" && s.monitored === true, "Bo's desk phone monitored");
}, 30_000);

afterAll(async () => {
  for (const user of Object.values(users)) await user.phone.client.close();
  await mock?.stop();
  await webhook?.close();
  await api?.close();
  await emulator?.close();
});

async function connectPhone(userId: string): Promise<Phone> {
  const client = await UnifyPhoneClient.connect({
    url: `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
    userId,
    password: "client-pass-1",
    ca: emulator.certificates.caCertPem!,
  });
  await client.register();
  const phone: Phone = { client, offered: [], cancelReasons: new Map() };
  client.onIncoming((call) => {
    phone.offered.push(call);
    // What the app sees when it stops ringing: the CANCEL's Reason header (RFC 3326).
    const delegate = call.session.delegate ?? {};
    call.session.delegate = {
      ...delegate,
      onCancel: (cancel) => phone.cancelReasons.set(call, cancel.request.getHeader("Reason") ?? ""),
    };
  });
  return phone;
}

async function patch(path: string, json: Record<string, unknown>): Promise<void> {
  const res = await api.call("PATCH", path, { json });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function desk(who: "al" | "bo"): Promise<any> {
  return (await api.call("GET", `${users[who].path}/desk-phone`)).body;
}

function untilDesk(
  who: "al" | "bo",
  check: (s: Record<string, unknown>) => boolean,
  what: string,
): Promise<void> {
  return until(
    async () => check(await desk(who)),
    () => `${what}\n${lines.slice(-30).join("\n")}`,
  );
}

async function deskAction(action: string, json: Record<string, unknown> = {}, who: "al" | "bo" = "al") {
  const res = await api.call("POST", `${users[who].path}/desk-phone/${action}`, { json });
  expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function journal(callId: string): Promise<any> {
  return (await api.call("GET", `/api/admin/calls/${callId}`)).body;
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function userCalls(who: "al" | "bo"): Promise<any[]> {
  return (await api.call("GET", `/api/admin/calls?userId=${users[who].id}`)).body;
}

/** The next call offered to a user's app, once it rings. */
async function nextOffer(who: "al" | "bo", after: number): Promise<ClientCall> {
  const { offered } = users[who].phone;
  await until(
    () => offered.length > after,
    () => `${who}'s app ringing\n${lines.slice(-30).join("\n")}`,
  );
  return offered[after]!;
}

/** Waits for a webhook of `type` about Al's desk phone whose `deskPhone` passes `test`. */
// biome-ignore lint/suspicious/noExplicitAny: webhook bodies are asserted field by field
function hook(type: string, test: (deskPhone: Record<string, any>) => boolean): Promise<void> {
  return until(
    () =>
      webhook.delivered.some(
        (r) => r.json.type === type && r.json.deskPhone.userId === users.al.id && test(r.json.deskPhone),
      ),
    () => `a ${type} webhook; got ${webhook.delivered.map((r) => r.json.type).join(", ")}`,
  );
}

const types = (list: { type: string }[]) => list.map((e) => e.type);

describe("routing default: desk phone and app ring, answer on the desk phone, pull, push, hold, transfer", () => {
  let entryId = "";
  let pulledId = "";

  it("a trunk call rings the desk phone (CSTA Delivered) and the app together", async () => {
    const before = users.al.phone.offered.length;
    mock.call(AL, { fromCallno: CALLER }).catch(() => {});
    const app = await nextOffer("al", before);
    expect(app.state).toBe("ringing");
    await untilDesk("al", (s) => s.status === "ringing", "the desk phone ringing (twinning)");
    const entry = (await userCalls("al")).find((c) => c.from === CALLER && c.state === "ringing");
    expect(entry).toBeDefined();
    entryId = entry.id;
    await until(
      async () => types((await journal(entryId)).cti).includes("DeliveredEvent"),
      "Delivered in cti[]",
    );
    await hook("desk-phone.state", (d) => d.state.status === "ringing");
    await hook("desk-phone.event", (d) => d.event === "DeliveredEvent");
  });

  it("answered on the desk phone: the app stops ringing with CANCEL 'Call completed elsewhere'", async () => {
    const app = users.al.phone.offered.at(-1)!;
    await deskAction("answer");
    await untilDesk("al", (s) => s.status === "connected", "the desk phone talking");
    await until(() => app.state === "terminated", "the app no longer ringing");
    expect(users.al.phone.cancelReasons.get(app)).toContain("Call completed elsewhere");
    await until(async () => (await journal(entryId)).state === "ended", "the app-side entry ended");
    const entry = await journal(entryId);
    expect(entry.finalStatus).toBe(487);
    expect(types(entry.cti)).toEqual(
      expect.arrayContaining(["DeliveredEvent", "AnswerCall", "EstablishedEvent"]),
    );
  });

  it("pulled to the app: the app rings, answers, and audio flows both ways", async () => {
    const before = users.al.phone.offered.length;
    const pulled = await api.call("POST", `/api/admin/calls/${entryId}/pull`);
    expect(pulled.status, JSON.stringify(pulled.body)).toBe(202);
    const app = await nextOffer("al", before);
    await app.answer();
    await until(
      async () => (await userCalls("al")).some((c) => c.pulledFrom === entryId && c.state === "answered"),
      () => `the pulled call answered on the app\n${lines.slice(-30).join("\n")}`,
    );
    pulledId = (await userCalls("al")).find((c) => c.pulledFrom === entryId).id;
    await untilDesk("al", (s) => s.status === "idle", "the desk phone idle after the pull");
    await until(
      () => app.stats.packetsReceived > 20 && app.stats.packetsSent > 20,
      () => `RTP both ways at the app: ${JSON.stringify(app.stats)}`,
    );
    expect(types((await journal(entryId)).cti)).toEqual(
      expect.arrayContaining(["SingleStepTransferCall", "SingleStepTransferCallResponse"]),
    );
    expect(types((await journal(pulledId)).events)).toContain("pulled");
  });

  it("pushed back to the desk phone: it rings, answers, the app leg ends", async () => {
    const app = users.al.phone.offered.at(-1)!;
    const pushed = await api.call("POST", `/api/admin/calls/${pulledId}/push`);
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(202);
    await untilDesk("al", (s) => s.status === "ringing", "the desk phone ringing with the pushed call");
    await deskAction("answer");
    await untilDesk("al", (s) => s.status === "connected", "the desk phone talking after the push");
    await until(() => app.state === "terminated", "the app leg ended (BYE)");
    await until(async () => (await journal(pulledId)).state === "ended", "the pulled entry ended");
    const entry = await journal(pulledId);
    expect(types(entry.events)).toEqual(expect.arrayContaining(["push", "push-accepted", "pushed"]));
    expect(types(entry.cti)).toEqual(expect.arrayContaining(["DeliveredEvent", "AnswerCall"]));
  });

  it("hold and retrieve on the desk phone over REST (CSTA HoldCall / RetrieveCall)", async () => {
    await deskAction("hold");
    await untilDesk("al", (s) => s.status === "held", "the desk phone holding the call");
    expect(mock.deskPhone("2131").state).toBe("held");
    await deskAction("retrieve");
    await untilDesk("al", (s) => s.status === "connected", "the call retrieved");
    await hook("desk-phone.state", (d) => d.state.status === "held");
    await hook("desk-phone.event", (d) => d.event === "RetrievedEvent");
  });

  it("transferred to Bo over REST (SingleStepTransferCall): Bo's desk phone and app alert", async () => {
    const before = users.bo.phone.offered.length;
    await deskAction("transfer", { to: "2132" });
    await untilDesk("al", (s) => s.status === "idle", "Al's desk phone free after the transfer");
    const app = await nextOffer("bo", before);
    await untilDesk("bo", (s) => s.status === "ringing", "Bo's desk phone ringing");
    await app.answer();
    await untilDesk("bo", (s) => s.status === "idle", "Bo's desk phone stops when the app answered");
    await until(
      () => app.stats.packetsReceived > 0,
      () => `RTP at Bo's app: ${JSON.stringify(app.stats)}`,
    );
    const bo = (await userCalls("bo")).find((c) => c.state === "answered");
    expect(bo).toMatchObject({ from: CALLER });
    await app.hangup();
    await until(async () => (await journal(bo.id)).state === "ended", "Bo's call ended");
  });

  it("the trace shows the CSTA XML (and the SIP) of the story", async () => {
    const text = (await api.call("GET", "/api/admin/trace?format=text&kind=csta")).body as string;
    for (const element of [
      "<DeliveredEvent",
      "<AnswerCall",
      "<SingleStepTransferCall",
      "<HoldCall",
      "<RetrieveCall",
    ])
      expect(text).toContain(element);
    // The SIP side of the same story: the push's REFER, the pull's Referred-By INVITE, the CANCEL's Reason.
    const sip = (await api.call("GET", "/api/admin/trace?format=text&kind=sip")).body as string;
    expect(sip).toMatch(/REFER sip:/);
    expect(sip).toMatch(/Referred-By: <sip:2131@/i);
    expect(sip).toContain('text="Call completed elsewhere"');
  });
});

describe("who alerts under each routing", () => {
  async function ringAl(): Promise<number> {
    const before = users.al.phone.offered.length;
    mock.call(AL, { fromCallno: CALLER }).catch(() => {});
    return before;
  }

  async function endAll(): Promise<void> {
    for (const call of mock.calls) if (call.active) await call.hangup();
    for (const callno of ["2131", "2132"])
      if (mock.deskPhone(callno).state !== "idle") mock.deskPhone(callno).hangup();
    await untilDesk("al", (s) => s.status === "idle", "Al's desk phone idle");
    await untilDesk("bo", (s) => s.status === "idle", "Bo's desk phone idle");
  }

  it("desk-phone: only the desk phone rings (the connector answers 480, the app is never offered the call)", async () => {
    await patch(users.al.path, { routing: "desk-phone" });
    const before = await ringAl();
    await untilDesk("al", (s) => s.status === "ringing", "the desk phone ringing");
    await until(
      async () =>
        (await userCalls("al")).some((c) => c.from === CALLER && c.hangupCause === "routing desk-phone"),
      "the connector's refusal in the journal",
    );
    expect(users.al.phone.offered.length).toBe(before);
    await endAll();
  });

  it("unify-phone: only the app rings (the connector clears the desk phone's alerting)", async () => {
    await patch(users.al.path, { routing: "unify-phone" });
    const before = await ringAl();
    const app = await nextOffer("al", before);
    await until(
      async () =>
        (await userCalls("al")).some(
          (c) => c.from === CALLER && c.state === "ringing" && types(c.cti).includes("ClearConnection"),
        ),
      "ClearConnection in the ringing call's cti[]",
    );
    await untilDesk("al", (s) => s.status === "idle", "the desk phone no longer ringing");
    expect(app.state).toBe("ringing");
    await endAll();
    await until(() => app.state === "terminated", "the app stops when the caller hangs up");
  });

  it("alternative: neither of Al's devices rings; the call goes to the alternative number (Bo)", async () => {
    await patch(users.al.path, { routing: "alternative", alternativeNumber: "2132" });
    await until(
      () => mock.deskPhone("2131").forwarding("forwardImmediate") === "2132",
      "forwarding on the desk",
    );
    const alBefore = await ringAl();
    const boBefore = users.bo.phone.offered.length;
    await nextOffer("bo", boBefore);
    await untilDesk("bo", (s) => s.status === "ringing", "Bo's desk phone ringing");
    expect(users.al.phone.offered.length).toBe(alBefore);
    expect((await desk("al")).status).toBe("idle");
    await endAll();
    await patch(users.al.path, { routing: "default" });
    await until(() => mock.deskPhone("2131").forwarding("forwardImmediate") === undefined, "forwarding off");
  });
});
