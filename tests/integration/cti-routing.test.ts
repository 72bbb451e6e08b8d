import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MockOsbiz } from "../../src/mock-osbiz/index.js";
import { type ClientCall, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { ACME_API_KEY, acmeSeed } from "../support/acme-seed.js";
import { ADMIN_TOKEN, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";
import { until } from "../support/until.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

/*
 * The user's routing, busy and DND settings (issue 15 §3–4) against the mock OSBiz over TLS:
 * what the PBX receives for a trunk INVITE, whether the app side alerts, what the connector
 * asks of the desk phone over CSTA, and presence kept in sync both ways.
 */

const CALLER = "004930123456";
const AL = "+4923026672131";

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let mock: MockOsbiz;
let webhook: WebhookReceiver;
let lines: string[];
let user: string;
/** Al's sip.js client over WSS, and the calls it was offered. */
let phone: UnifyPhoneClient;
const offered: ClientCall[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN, seedText: acmeSeed(), ctiSession: "auto" });
  api = usersClient(emulator);
  const tenant = await api.tenantId("Acme");
  const al = (await api.all(tenant)).find((u) => u.callno === "2131");
  user = `/api/admin/tenants/${tenant}/users/${al.id}`;
  expect(
    (await api.call("PUT", `${user}/client-password`, { json: { password: "client-pass-1" } })).status,
  ).toBe(204);
  phone = await UnifyPhoneClient.connect({
    url: `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
    userId: al.id,
    password: "client-pass-1",
    ca: emulator.certificates.caCertPem!,
  });
  await phone.register();
  phone.onIncoming((call) => offered.push(call));
  webhook = await WebhookReceiver.start();
  expect((await api.call("PUT", "/api/admin/webhook", { json: { url: webhook.url } })).status).toBe(200);
  lines = [];
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: ACME_API_KEY,
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 48000, max: 48999 } },
    log: (line) => lines.push(line),
  });
  await untilDesk((s) => s.cti === "connected" && s.monitored === true, "the desk phone monitored");
});

afterEach(async () => {
  for (const call of mock.calls) if (call.active) await call.hangup();
  const phone = mock.deskPhone("2131");
  if (phone.state !== "idle") phone.hangup();
  await patch({ routing: "default", busyBehaviour: "call-waiting", callBehaviour: { mode: "answer" } });
  await until(async () => (await calls("active")).length === 0, "no active calls left");
  await untilDesk((s) => s.status === "idle", "the desk phone idle between tests");
});

afterAll(async () => {
  await phone.close();
  await mock.stop();
  await api.close();
  await emulator.close();
  await webhook.close();
});

async function patch(json: Record<string, unknown>): Promise<void> {
  const res = await api.call("PATCH", user, { json });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function desk(): Promise<any> {
  return (await api.call("GET", `${user}/desk-phone`)).body;
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function presence(): Promise<any> {
  return (await api.call("GET", `${user}/presence`)).body;
}

function untilDesk(check: (s: Record<string, unknown>) => boolean, what: string): Promise<void> {
  return until(
    async () => check(await desk()),
    () => `${what}\n${lines.slice(-30).join("\n")}`,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: REST bodies are asserted field by field
async function calls(state: "active" | "ended"): Promise<any[]> {
  return (await api.call("GET", `/api/admin/calls?state=${state}`)).body;
}

/** Place a trunk call to Al from CALLER; its outcome is read from the mock's trunk legs. */
function ring(): Set<unknown> {
  const before = new Set<unknown>(mock.calls);
  mock.call(AL, { fromCallno: CALLER }).catch(() => {});
  return before;
}

/** The final status and reason of the newest trunk leg from CALLER, once it has one. */
async function trunkOutcome(before: Set<unknown>): Promise<{ status: number; reason: string }> {
  let leg: (typeof mock.calls)[number] | undefined;
  await until(
    () => {
      leg = mock.calls.filter((c) => !before.has(c) && c.from === CALLER && c.status !== null).at(-1);
      return leg !== undefined;
    },
    () => `a final answer on the trunk leg\n${lines.slice(-30).join("\n")}`,
  );
  return { status: leg!.status!, reason: leg!.reason ?? "" };
}

/** The connector's active call from CALLER, as the journal shows it. */
const connectorCall = async () => (await calls("active")).find((c) => c.from === CALLER);

describe("routing per user × an incoming trunk call", () => {
  it("default: the app side alerts and the desk phone rings (twinning)", async () => {
    await patch({ callBehaviour: { mode: "no-answer" } });
    ring();
    const before = offered.length;
    await until(async () => (await connectorCall())?.state === "ringing", "the connector alerting the user");
    await until(() => offered.length > before, "the sip.js client ringing");
    await untilDesk((s) => s.status === "ringing", "the desk phone ringing too");
  });

  it("desk-phone: the connector answers 480 naming the routing; the desk phone keeps ringing", async () => {
    await patch({ routing: "desk-phone", callBehaviour: { mode: "no-answer" } });
    const before = offered.length;
    const trunkLeg = await trunkOutcome(ring());
    expect(trunkLeg.status).toBe(480);
    // The connector answered before any leg alerted: the client was never offered the call.
    expect(offered.length).toBe(before);
    expect(trunkLeg.reason).toContain("routing desk-phone");
    const entry = (await calls("ended")).find((c) => c.from === CALLER);
    expect(entry).toMatchObject({
      finalStatus: 480,
      refusedBy: "connector",
      hangupCause: "routing desk-phone",
    });
    expect(mock.deskPhone("2131").state).toBe("ringing");
  });

  it("unify-phone: the app alerts and the connector clears the desk phone's alerting (CSTA ClearConnection)", async () => {
    await patch({ routing: "unify-phone", callBehaviour: { mode: "no-answer" } });
    const before = offered.length;
    ring();
    await until(async () => (await connectorCall())?.state === "ringing", "the connector alerting the user");
    await until(() => offered.length > before, "the sip.js client ringing");
    await until(() => mock.deskPhone("2131").state === "idle", "the desk phone no longer ringing");
    expect((await connectorCall())?.state).toBe("ringing");
    const csta = (await api.call("GET", "/api/admin/trace?kind=csta")).body.entries as {
      type: string;
      direction: string;
    }[];
    expect(csta.filter((e) => e.direction === "out").map((e) => e.type)).toContain("ClearConnection");
  });

  it("alternative: the desk phone forwards to the alternative number (SetForwarding); leaving it switches that off", async () => {
    await patch({ routing: "alternative", alternativeNumber: "004989700" });
    await until(
      () => mock.deskPhone("2131").forwarding("forwardImmediate") === "004989700",
      "immediate forwarding set on the desk phone",
    );
    await untilDesk(
      (s) =>
        (s.forwarding as { type: string; active: boolean }[]).some(
          (f) => f.type === "forwardImmediate" && f.active,
        ),
      "forwarding in the connector's desk-phone state",
    );
    await patch({ routing: "default" });
    await until(
      () => mock.deskPhone("2131").forwarding("forwardImmediate") === undefined,
      "immediate forwarding off again",
    );
    const res = await api.call("PATCH", user, { json: { routing: "alternative", alternativeNumber: null } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: "alternativeNumber" })]);
  });
});

describe("busy settings: a second call while the user talks on the desk phone", () => {
  it("busy: 486 Busy Here; call-waiting: the app alerts as usual", async () => {
    await patch({ busyBehaviour: "busy", callBehaviour: { mode: "no-answer" } });
    mock.deskPhone("2131").makeCall("004989700");
    await untilDesk((s) => s.status === "connected", "the desk phone in a call");
    await until(async () => (await presence()).busy === true, "presence busy from the desk phone");
    expect(await presence()).toMatchObject({ busy: true, busySource: ["desk-phone"] });
    const refused = await trunkOutcome(ring());
    expect(refused.status).toBe(486);
    expect(refused.reason).toContain("Busy Here");

    await patch({ busyBehaviour: "call-waiting" });
    ring();
    await until(
      async () => (await connectorCall())?.state === "ringing",
      "the second call alerting (call waiting)",
    );
  });
});

describe("presence: DND both ways, busy, REST bad paths", () => {
  it("DND from the app reaches the desk phone and refuses calls with 480 Do Not Disturb; off on the phone reaches the app", async () => {
    const set = await api.call("PUT", `${user}/presence`, { json: { dnd: true } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ dnd: true, dndSource: "app" });
    await until(() => mock.deskPhone("2131").dnd, "SetDoNotDisturb on the desk phone");
    const refused = await trunkOutcome(ring());
    expect(refused.status).toBe(480);
    expect(refused.reason).toContain("Do Not Disturb");
    expect((await presence()).dndSource).toBe("app");

    mock.deskPhone("2131").setDnd(false);
    await until(async () => (await presence()).dnd === false, "DND off from the desk phone");
    mock.deskPhone("2131").setDnd(true);
    await until(async () => (await presence()).dndSource === "desk-phone", "DND on from the desk phone");
    await until(
      () =>
        webhook.delivered.some(
          (r) => r.json.type === "presence.changed" && r.json.presence.presence.dndSource === "desk-phone",
        ),
      "a presence.changed webhook",
    );
    expect((await api.call("PUT", `${user}/presence`, { json: { dnd: false } })).status).toBe(200);
    await until(() => !mock.deskPhone("2131").dnd, "DND off on the desk phone");
  });

  it("busy from an app call: busySource app while the connector's call is answered", async () => {
    await patch({ callBehaviour: { mode: "answer", ringMs: 0 } });
    const answered = await mock.call(AL, { fromCallno: CALLER });
    expect(answered.state).toBe("answered");
    await until(async () => (await connectorCall())?.state === "answered", "the connector's call answered");
    await until(async () => (await presence()).busySource.includes("app"), "busy from the app call");
    await answered.hangup();
    await until(async () => (await presence()).busySource.includes("app") === false, "not busy after BYE");
  });

  it("answers 400 for a bad body, 404 for an unknown user, 401 without the admin token", async () => {
    expect((await api.call("PUT", `${user}/presence`, { json: { dnd: "yes" } })).status).toBe(400);
    expect((await api.call("PUT", `${user}/presence`, { json: { dnd: true, x: 1 } })).status).toBe(400);
    const missing = await api.call("GET", `${user.replace(/us_[a-z0-9]+$/, "us_nobody")}/presence`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("user_not_found");
    expect((await api.call("GET", `${user}/presence`, { token: "wrong" })).status).toBe(401);
  });
});
