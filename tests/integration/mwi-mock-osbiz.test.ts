import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { MailboxNotifyError, MockConsole, MockOsbiz } from "../../src/mock-osbiz/index.js";
import { UnifyPhoneClient } from "../../src/phone-client/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { until } from "../support/until.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

/*
 * Message waiting indication end to end: the mock OSBiz's mailbox NOTIFYs the connector over
 * the trunk's TLS connection; REST, the webhook and the user's sip.js client over WSS see it.
 */

const SEED = acmeSeed();
const PASSWORD = "client-pass-1";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;
let mock: MockOsbiz;
let tenantId: string;
let userId: string;
let webhook: WebhookReceiver;
const clients: UnifyPhoneClient[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: "mwi-admin", seedText: SEED });
  http = httpClient(emulator);
  tenantId = emulator.store.tenants.list()[0]!.id;
  userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  const path = `/api/admin/tenants/${tenantId}/users/${userId}/client-password`;
  expect((await http.admin("PUT", path, { password: PASSWORD })).status).toBe(204);
  webhook = await WebhookReceiver.start();
  expect((await http.admin("PUT", "/api/admin/webhook", { url: webhook.url })).status).toBe(200);
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    ca: emulator.certificates.caCertPem!,
    systemId: "osbiz-1",
    rtp: { bind: "127.0.0.1", portRange: { min: 44000, max: 44999 } },
    log: () => {},
  });
});

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await mock.stop();
  await emulator.close();
  await webhook.close();
});

async function client(): Promise<UnifyPhoneClient> {
  const c = await UnifyPhoneClient.connect({
    url: `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
    userId,
    password: PASSWORD,
    ca: emulator.certificates.caCertPem!,
  });
  clients.push(c);
  await c.register();
  return c;
}

async function mwi() {
  const res = await http.admin("GET", `/api/admin/tenants/${tenantId}/users/${userId}/mwi`);
  expect(res.status).toBe(200);
  return res.body;
}

describe("mock mailbox → connector → client", () => {
  it("mwi 2131 2/5 on the console: REST shows 2/5, the registered client gets a NOTIFY, the webhook mwi.changed", async () => {
    const phone = await client();
    expect(await mwi()).toMatchObject({ waiting: false, newMessages: 0, updatedAt: null });
    const printed: string[] = [];
    await new MockConsole(mock, (line) => printed.push(line)).execute("mwi 2131 2/5");
    expect(printed).toEqual(["mailbox +4923026672131: 2/5 sent, 200 OK"]);

    expect(await mwi()).toMatchObject({
      userId,
      tenantId,
      waiting: true,
      newMessages: 2,
      oldMessages: 5,
      urgentNew: 0,
      urgentOld: 0,
      source: "NOTIFY from trunk gtc-001",
    });
    await until(() => phone.notifies.length > 0, "the client's NOTIFY");
    expect(phone.notifies[0]).toMatchObject({
      event: "message-summary",
      contentType: "application/simple-message-summary",
      inDialog: false,
    });
    expect(phone.notifies[0]!.body).toContain("Messages-Waiting: yes");
    expect(phone.notifies[0]!.body).toContain("Voice-Message: 2/5 (0/0)");

    await until(() => webhook.types().includes("mwi.changed"), "mwi.changed delivered");
    const event = webhook.delivered.find((r) => r.json.type === "mwi.changed")!.json;
    expect(event.mwi).toMatchObject({ userId, tenantId, waiting: true, newMessages: 2, oldMessages: 5 });
    expect(event.mwi.previous).toMatchObject({ waiting: false, newMessages: 0 });
  });

  it("a client that subscribed gets the state at once, then each change in its dialog (no unsolicited copy)", async () => {
    await mock.mailbox("2131").set({ new: 1, old: 0 });
    const phone = await client();
    const subscription = await phone.subscribe("message-summary");
    await until(() => phone.notifies.length >= 1, "the initial NOTIFY");
    expect(phone.notifies[0]).toMatchObject({ inDialog: true });
    expect(phone.notifies[0]!.subscriptionState).toMatch(/^active;expires=\d+/);
    expect(phone.notifies[0]!.body).toContain("Voice-Message: 1/0 (0/0)");
    await until(() => subscription.state() === "subscribed", "subscribed");

    await mock.mailbox("2131").set({ new: 0, old: 1 });
    await until(() => phone.notifies.length >= 2, "the change's NOTIFY");
    expect(phone.notifies[1]).toMatchObject({ inDialog: true });
    expect(phone.notifies[1]!.body).toContain("Messages-Waiting: no");
    expect(phone.notifies[1]!.body).toContain("Voice-Message: 0/1 (0/0)");

    // Unsubscribe (Expires: 0): sip.js takes the terminating NOTIFY without showing it; the
    // next change reaches the client unsolicited, so the connector ended the subscription.
    await subscription.unsubscribe();
    await until(() => subscription.state() === "terminated", "unsubscribed");
    await mock.mailbox("2131").set({ new: 3, old: 1 });
    await until(() => phone.notifies.length >= 3, "the NOTIFY after unsubscribing");
    expect(phone.notifies[2]).toMatchObject({ inDialog: false, subscriptionState: "active" });
    expect(phone.notifies[2]!.body).toContain("Voice-Message: 3/1 (0/0)");
  });

  it("a malformed summary is refused 400 with the reason; the counts stay", async () => {
    await mock.mailbox("2131").set({ new: 2, old: 5 });
    const response = await mock.mailbox("2131").sendRaw("Messages-Waiting: perhaps\r\n");
    expect(response.status).toBe(400);
    expect(response.reason).toBe("Bad Request: Messages-Waiting must be yes or no");
    expect(await mwi()).toMatchObject({ newMessages: 2, oldMessages: 5 });
  });

  it("a NOTIFY for a number nobody has is refused 404", async () => {
    const error = await mock
      .mailbox("2999")
      .set({ new: 1, old: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailboxNotifyError);
    expect((error as MailboxNotifyError).status).toBe(404);
    expect((error as MailboxNotifyError).reason).toBe("Not Found: no user with number +4923026672999");
    const rest = await http.admin("GET", `/api/admin/tenants/${tenantId}/users/us_nobody/mwi`);
    expect(rest.status).toBe(404);
    expect(rest.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });
});
