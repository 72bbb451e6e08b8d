import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/index.js";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";
import { type ReceivedRequest, WebhookReceiver } from "../support/webhook-receiver.js";

const SECRET = "hook-secret-0001";
const DIALED = "+4923026672131";

let emulator: EmulatorHandle | undefined;
let receiver: WebhookReceiver | undefined;
let pbx: PbxTestUa | undefined;

afterEach(async () => {
  pbx?.close();
  await emulator?.close();
  await receiver?.close();
  pbx = emulator = receiver = undefined;
});

async function setup(options: Parameters<typeof startTestEmulator>[0] = {}) {
  receiver = await WebhookReceiver.start();
  emulator = await startTestEmulator({ adminToken: "hook-admin", ...options });
  return { receiver, emulator, http: httpClient(emulator) };
}

/** Registers the seeded PBX trunk (connector.available). */
async function registerPbx(e: EmulatorHandle): Promise<PbxTestUa> {
  pbx = await PbxTestUa.connect(e, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  return pbx;
}

/** PBX → user: INVITE, 180, 200, ACK, BYE; returns the journal id of the call. */
async function callAndHangUp(http: ReturnType<typeof httpClient>, ua: PbxTestUa): Promise<string> {
  const tenant = (await http.admin("GET", "/api/admin/tenants")).body[0];
  const user = (await http.admin("GET", `/api/admin/tenants/${tenant.id}/users`)).body.items[0];
  await http.admin("PATCH", `/api/admin/tenants/${tenant.id}/users/${user.id}`, {
    callBehaviour: { mode: "answer", ringMs: 50 },
  });
  const invite = ua.sendInvite(DIALED, sdpOffer(40_000));
  const ok = await ua.response(invite.callId, 200);
  expect(ok.status).toBe(200);
  ua.ack(ok, invite);
  ua.inDialog("BYE", ok);
  expect((await ua.response(invite.callId, 200, "BYE")).status).toBe(200);
  const calls = (await http.admin("GET", "/api/admin/calls")).body;
  return calls.find((c: { legs: { callId: string }[] }) => c.legs.some((l) => l.callId === invite.callId)).id;
}

function sign(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** `expected` appear in `types` in this order (other types may come between). */
function inOrder(types: string[], expected: string[]): boolean {
  let i = 0;
  for (const t of types) if (t === expected[i]) i++;
  return i === expected.length;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

describe("call-event webhook", () => {
  it("pushes connector.available, then the call from invite to ended, in order, signed", async () => {
    const { receiver, emulator, http } = await setup();
    const put = await http.admin("PUT", "/api/admin/webhook", { url: receiver.url, secret: SECRET });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ url: receiver.url, events: ["*"], secretSet: true, delivered: 0 });

    const callId = await callAndHangUp(http, await registerPbx(emulator));
    await until(
      () => receiver.types().includes("call.ended"),
      () => receiver.types().join(", "),
    );

    const types = receiver.types();
    expect(types[0]).toBe("connector.available");
    expect(inOrder(types, ["call.invite", "call.ringing", "call.answered", "call.ended"])).toBe(true);
    for (const r of receiver.delivered) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-upe-event"]).toBe(r.json.type);
      expect(r.headers["x-upe-delivery"]).toBe(r.json.id);
      expect(r.headers["x-upe-signature"]).toBe(sign(r.body, SECRET));
    }
    expect(new Set(receiver.delivered.map((r) => r.json.id)).size).toBe(receiver.delivered.length);

    const [available] = receiver.delivered;
    expect(available!.json).toMatchObject({
      type: "connector.available",
      connector: { trunkId: expect.any(String), tenantId: expect.any(String), status: "available" },
    });
    const byType = (t: string) => receiver.delivered.find((r) => r.json.type === t)!.json;
    expect(byType("call.invite").call).toMatchObject({
      id: callId,
      direction: "pbx-to-user",
      trunk: "gtc-001",
      to: DIALED,
      state: "setup",
      finalStatus: null,
      journal: `/api/admin/calls/${callId}`,
    });
    const ended = byType("call.ended");
    expect(ended).toMatchObject({
      detail: "BYE from the PBX",
      call: { id: callId, state: "ended", finalStatus: 200, hangupCause: "BYE from the PBX" },
    });
    // `at` is the emulator-clock time the journal has for the same event.
    const journal = (await http.admin("GET", ended.call.journal)).body;
    const journalEnded = journal.events.find((e: { type: string }) => e.type === "ended");
    expect(ended.at).toBe(journalEnded.at);
    expect(ended.emulatorTime).toBe(Date.parse(ended.at));

    const status = (await http.admin("GET", "/api/admin/webhook")).body;
    expect(status).toMatchObject({ delivered: receiver.delivered.length, failed: 0, dropped: 0 });
    expect(status.lastDeliveredAt).toEqual(expect.any(String));
  });

  it("is set at start by the webhook URL and secret options", async () => {
    receiver = await WebhookReceiver.start();
    const e = await startTestEmulator({
      adminToken: "hook-admin",
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
    });
    emulator = e;
    await registerPbx(e);
    await until(() => receiver!.types().includes("connector.available"));
    const [delivery] = receiver.delivered;
    expect(delivery!.headers["x-upe-signature"]).toBe(sign(delivery!.body, SECRET));
    const status = await httpClient(e).admin("GET", "/api/admin/webhook");
    expect(status.body).toMatchObject({ url: receiver.url, secretSet: true });
    expect(status.text).not.toContain(SECRET);
  });

  it("refuses a bad URL at start with a configuration error", async () => {
    for (const webhookUrl of ["ftp://x", "/hook"]) {
      await expect(startTestEmulator({ webhookUrl })).rejects.toThrow(ConfigError);
    }
    await expect(startTestEmulator({ webhookSecret: SECRET })).rejects.toThrow(/needs --webhook-url/);
  });

  it("retries a receiver that answers 500 twice: delivered once, still in order", async () => {
    const { receiver, emulator, http } = await setup();
    receiver.answer = (_r, i) => (i < 2 ? 500 : 200);
    await http.admin("PUT", "/api/admin/webhook", { url: receiver.url });
    await callAndHangUp(http, await registerPbx(emulator));
    await until(
      () => receiver.types().includes("call.ended"),
      () => receiver.types().join(", "),
    );

    expect(receiver.requests.slice(0, 3).map((r) => [r.json.type, r.status])).toEqual([
      ["connector.available", 500],
      ["connector.available", 500],
      ["connector.available", 200],
    ]);
    const ids = receiver.delivered.map((r) => r.json.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      inOrder(receiver.types(), ["connector.available", "call.invite", "call.answered", "call.ended"]),
    ).toBe(true);
    const status = (await http.admin("GET", "/api/admin/webhook")).body;
    expect(status).toMatchObject({ failed: 0, lastError: `POST ${receiver.url}: answered 500` });
  });

  it("counts failures against a dead receiver, says why, and calls go on", async () => {
    const { emulator, http } = await setup();
    const url = await closedPortUrl();
    await http.admin("PUT", "/api/admin/webhook", { url });
    // The call's events queue up behind connector.available, which is still being retried.
    const callId = await callAndHangUp(http, await registerPbx(emulator));
    expect((await http.admin("GET", `/api/admin/calls/${callId}`)).body).toMatchObject({
      state: "ended",
      finalStatus: 200,
    });

    await until(async () => (await http.admin("GET", "/api/admin/webhook")).body.failed >= 1);
    const status = (await http.admin("GET", "/api/admin/webhook")).body;
    expect(status.delivered).toBe(0);
    expect(status.lastError).toBe(`POST ${url}: connect ECONNREFUSED ${new URL(url).host}`);
    // Closing the emulator (afterEach) does not wait for the events still queued.
  });

  it("sends only the events the filter selects (the test event always)", async () => {
    const { receiver, emulator, http } = await setup();
    await http.admin("PUT", "/api/admin/webhook", {
      url: receiver.url,
      events: ["call.answered", "connector.*"],
    });
    await callAndHangUp(http, await registerPbx(emulator));
    expect((await http.admin("POST", "/api/admin/webhook/test")).status).toBe(202);
    await until(() => receiver.types().includes("webhook.test"));
    expect(receiver.types()).toEqual(["connector.available", "call.answered", "webhook.test"]);
  });

  it("stops deliveries on DELETE", async () => {
    const { receiver, emulator, http } = await setup();
    await http.admin("PUT", "/api/admin/webhook", { url: receiver.url });
    const ua = await registerPbx(emulator);
    await until(() => receiver.types().includes("connector.available"));

    expect((await http.admin("DELETE", "/api/admin/webhook")).status).toBe(204);
    expect((await http.admin("GET", "/api/admin/webhook")).body).toMatchObject({ url: null, queued: 0 });
    await callAndHangUp(http, ua);
    // Set again only to have a marker: whatever came between would be before it.
    await http.admin("PUT", "/api/admin/webhook", { url: receiver.url });
    await http.admin("POST", "/api/admin/webhook/test");
    await until(() => receiver.types().includes("webhook.test"));
    expect(receiver.types()).toEqual(["connector.available", "webhook.test"]);
  });

  it("queues a test event on request, and answers 409 without a webhook", async () => {
    const { receiver, http } = await setup();
    const none = await http.admin("POST", "/api/admin/webhook/test");
    expect(none.status).toBe(409);
    expect(none.headers["content-type"]).toContain("application/problem+json");
    expect(none.body.code).toBe("webhook_not_configured");

    await http.admin("PUT", "/api/admin/webhook", { url: receiver.url });
    const queued = await http.admin("POST", "/api/admin/webhook/test");
    expect(queued.status).toBe(202);
    await until(() => receiver.delivered.length === 1);
    const test = receiver.delivered[0] as ReceivedRequest;
    expect(test.json).toMatchObject({ id: queued.body.id, type: "webhook.test" });
    expect(test.headers["x-upe-signature"]).toBeUndefined();
  });

  it.each([
    [{ url: "ftp://x" }, 422, "invalid_value", "url"],
    [{ url: "/hook" }, 422, "invalid_value", "url"],
    [{ url: "https://user:pw@x.test/" }, 422, "invalid_value", "url"],
    [{ url: "http://x.test/", extra: 1 }, 400, "validation_failed", "body.extra"],
    [{ url: "http://x.test/", events: ["Call"] }, 400, "validation_failed", "body.events.0"],
    [{ secret: "k" }, 400, "validation_failed", "body.url"],
  ])("refuses PUT %j with %i %s naming %s", async (body, status, code, field) => {
    const { http } = await setup();
    const res = await http.admin("PUT", "/api/admin/webhook", body);
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.body.code).toBe(code);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await http.admin("GET", "/api/admin/webhook")).body.url).toBeNull();
  });

  it("never shows the secret, and needs the admin token", async () => {
    const { receiver, http } = await setup();
    const put = await http.admin("PUT", "/api/admin/webhook", { url: receiver.url, secret: SECRET });
    expect(put.text).not.toContain(SECRET);
    const get = await http.admin("GET", "/api/admin/webhook");
    expect(get.body).toMatchObject({ secretSet: true });
    expect(get.text).not.toContain(SECRET);

    for (const [method, path] of [
      ["GET", "/api/admin/webhook"],
      ["PUT", "/api/admin/webhook"],
      ["DELETE", "/api/admin/webhook"],
      ["POST", "/api/admin/webhook/test"],
    ] as const) {
      const res = await http.call(method, path, { body: { url: receiver.url } });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.code).toBe("admin_token_missing");
    }
  });

  it("is in the OpenAPI document and in the typed client", async () => {
    const { receiver, emulator, http } = await setup();
    const doc = (await http.call("GET", "/openapi.json")).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/admin/webhook", "/api/admin/webhook/test"]),
    );

    const client = emulator.client;
    expect(await client.webhook.get()).toMatchObject({ url: null, events: null, secretSet: false });
    expect(await client.webhook.set({ url: receiver.url, events: ["connector.*"] })).toMatchObject({
      url: receiver.url,
      events: ["connector.*"],
    });
    const { id } = await client.webhook.test();
    await until(() => receiver.delivered.some((r) => r.json.id === id));
    await client.webhook.delete();
    await expect(client.webhook.test()).rejects.toMatchObject({ status: 409 });
  });
});
