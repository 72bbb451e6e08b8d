import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ControllableClock } from "../../../src/shared/clock.js";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "../../../src/webhooks/index.js";
import { until } from "../../support/until.js";
import { WebhookReceiver } from "../../support/webhook-receiver.js";

let receiver: WebhookReceiver;
let clock: ControllableClock;
let dispatcher: WebhookDispatcher | undefined;

beforeEach(async () => {
  receiver = await WebhookReceiver.start();
  clock = new ControllableClock({ start: Date.parse("2030-01-01T00:00:00Z"), frozen: true });
});

afterEach(async () => {
  await dispatcher?.close();
  dispatcher = undefined;
  await receiver.close();
  clock.dispose();
});

function start(options: Partial<WebhookDispatcherOptions> = {}): WebhookDispatcher {
  dispatcher = new WebhookDispatcher({
    clock,
    findCall: () => undefined,
    log: pino({ level: "silent" }),
    retryDelaysMs: [10, 10],
    ...options,
  });
  return dispatcher;
}

const connector = (trunkId: string) => ({
  tenantId: "tn_1",
  trunkId,
  status: "available",
  reason: "registered",
  at: clock.now(),
});

describe("WebhookDispatcher", () => {
  it("when the queue is full, drops the oldest waiting event and counts it", async () => {
    let release!: () => void;
    const released = new Promise<number>((resolve) => {
      release = () => resolve(200);
    });
    receiver.answer = () => released;
    const webhook = start({ queueCapacity: 3 });
    webhook.configure({ url: receiver.url });
    webhook.connectorStatus(connector("t1"));
    await until(() => receiver.requests.length === 1, "the first POST to be in flight");
    for (const t of ["t2", "t3", "t4", "t5", "t6"]) webhook.connectorStatus(connector(t));
    expect(webhook.status()).toMatchObject({ queued: 4, dropped: 2 });

    release();
    await until(
      () => webhook.status().delivered === 4,
      () => JSON.stringify(webhook.status()),
    );
    expect(receiver.delivered.map((r) => r.json.connector.trunkId)).toEqual(["t1", "t4", "t5", "t6"]);
    expect(webhook.status()).toMatchObject({ queued: 0, failed: 0, dropped: 2 });
  });

  it("does not retry a 4xx other than 429", async () => {
    receiver.answer = () => 404;
    const webhook = start();
    webhook.configure({ url: receiver.url });
    webhook.connectorStatus(connector("t1"));
    await until(() => webhook.status().failed === 1);
    expect(receiver.requests).toHaveLength(1);
    expect(webhook.status().lastError).toBe(`POST ${receiver.url}: answered 404`);
  });

  it("retries a 429 and a 5xx, then gives up after the last attempt", async () => {
    receiver.answer = (_r, i) => (i === 0 ? 429 : 503);
    const webhook = start();
    webhook.configure({ url: receiver.url });
    webhook.connectorStatus(connector("t1"));
    await until(() => webhook.status().failed === 1);
    expect(receiver.requests.map((r) => r.status)).toEqual([429, 503, 503]);
    expect(new Set(receiver.requests.map((r) => r.headers["x-upe-delivery"])).size).toBe(1);
  });

  it("never throws into the emitter, even when the journal lookup does", () => {
    const webhook = start({
      findCall: () => {
        throw new Error("journal broken");
      },
    });
    webhook.configure({ url: receiver.url });
    expect(() => webhook.callEvent({ callId: "call-1", type: "invite", at: clock.now() })).not.toThrow();
  });

  it("close() gives a stalled POST a bounded grace, then aborts it", async () => {
    receiver.answer = () => new Promise<number>(() => {});
    const webhook = start({ closeGraceMs: 50 });
    webhook.configure({ url: receiver.url });
    webhook.connectorStatus(connector("t1"));
    await until(() => receiver.requests.length === 1);
    await webhook.close();
    expect(webhook.sendTest()).toBeUndefined();
  });

  it("close() ends a retry wait at once (a 60 s wait would outlast the test timeout)", async () => {
    receiver.answer = () => 500;
    const webhook = start({ retryDelaysMs: [60_000] });
    webhook.configure({ url: receiver.url });
    webhook.connectorStatus(connector("t1"));
    await until(() => webhook.status().lastError !== undefined);
    await webhook.close();
    expect(receiver.requests).toHaveLength(1);
    expect(webhook.status().failed).toBe(0);
  });
});
