import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { Agent } from "undici";
import { type MailboxChange, type UnmatchedEntry, unmatchedSummary } from "../services/index.js";
import type { Clock } from "../shared/clock.js";
import { Listeners } from "../shared/listeners.js";
import { BoundedQueue } from "./bounded-queue.js";
import { matchesEventFilter } from "./event-filter.js";
import { type AttemptResult, attemptDelivery, type QueuedDelivery } from "./webhook-attempt.js";
import {
  callSummary,
  newDeliveryId,
  type WebhookCallSource,
  type WebhookDeskPhoneNotice,
  type WebhookPayload,
} from "./webhook-payload.js";
import { parseWebhookSettings, type WebhookInput, type WebhookSettings } from "./webhook-settings.js";

/** A call's life event as the B2BUA publishes it (`b2bua.events`). */
export interface WebhookCallNotice {
  readonly callId: string;
  readonly type: string;
  readonly at: number;
  readonly detail?: string;
}

/** A connector (trunk) availability change as the registrar publishes it. */
export interface WebhookConnectorNotice {
  readonly tenantId: string;
  readonly trunkId: string;
  readonly status: string;
  readonly reason: string;
  readonly at: number;
}

/** How one delivery ended: delivered, given up (failed), or pushed out of the full queue (dropped). */
export type WebhookOutcome = "delivered" | "failed" | "dropped";

export interface WebhookStatus {
  readonly url: string | null;
  readonly events: readonly string[] | null;
  readonly secretSet: boolean;
  /** Waiting for delivery, the one in flight included. */
  readonly queued: number;
  readonly delivered: number;
  /** Given up: a 4xx, or still failing after the last retry. */
  readonly failed: number;
  /** Pushed out of the full queue, oldest first. */
  readonly dropped: number;
  readonly lastError?: string;
  /** Real time of the last 2xx. */
  readonly lastDeliveredAt?: string;
}

export interface WebhookDispatcherOptions {
  /** Emulator clock: the time of a test event. */
  readonly clock: Clock;
  /** The journal: the call of an event, as it stands at the event. */
  readonly findCall: (callId: string) => WebhookCallSource | undefined;
  readonly log: Logger;
  readonly queueCapacity?: number;
  /** Waits before the 2nd, 3rd… attempt (real time); their count + 1 is the attempts per event. */
  readonly retryDelaysMs?: readonly number[];
  /** Per attempt: connect, then headers, then body. */
  readonly timeoutMs?: number;
  /** How long `close()` lets the POST in flight finish. */
  readonly closeGraceMs?: number;
}

interface Counters {
  delivered: number;
  failed: number;
  dropped: number;
  lastError?: string;
  lastDeliveredAt?: string;
}

/**
 * Pushes call and connector events to one HTTP receiver: in event order, one POST at a
 * time, with retries and a bounded queue. Publishing never throws and never waits, so a
 * slow or dead receiver cannot slow or crash the B2BUA or the registrar.
 */
export class WebhookDispatcher {
  private settings: WebhookSettings | undefined;
  private readonly queue: BoundedQueue<QueuedDelivery>;
  private readonly agent: Agent;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  /** Aborted when the webhook is replaced or cleared: its POST in flight and retry wait stop. */
  private session = new AbortController();
  /** Aborted by close(): no more retry waits. */
  private readonly shutdown = new AbortController();
  /** The delivery loop and the session it serves; at most one loop per session. */
  private draining: { readonly signal: AbortSignal; readonly done: Promise<void> } | undefined;
  private inFlight = false;
  private counters: Counters = { delivered: 0, failed: 0, dropped: 0 };
  /** Each delivery's end (never reset, unlike the status counters): for monitoring. */
  readonly outcomes = new Listeners<WebhookOutcome>();
  private closing = false;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.queue = new BoundedQueue(options.queueCapacity ?? 1000);
    this.retryDelaysMs = options.retryDelaysMs ?? [200, 1000];
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.agent = new Agent({ connect: { timeout: this.timeoutMs } });
  }

  /** Sets (or replaces) the webhook; the queue and counters start afresh. Throws DomainError. */
  configure(input: WebhookInput): WebhookStatus {
    const settings = parseWebhookSettings(input);
    this.reset();
    this.settings = settings;
    this.options.log.info(
      { url: settings.url, events: settings.events, secretSet: settings.secret !== null },
      "webhook configured",
    );
    return this.status();
  }

  clear(): void {
    this.reset();
    this.settings = undefined;
  }

  status(): WebhookStatus {
    const s = this.settings;
    const c = this.counters;
    return {
      url: s?.url ?? null,
      events: s ? [...s.events] : null,
      secretSet: Boolean(s?.secret),
      queued: this.queue.length + (this.inFlight ? 1 : 0),
      delivered: c.delivered,
      failed: c.failed,
      dropped: c.dropped,
      ...(c.lastError === undefined ? {} : { lastError: c.lastError }),
      ...(c.lastDeliveredAt === undefined ? {} : { lastDeliveredAt: c.lastDeliveredAt }),
    };
  }

  /** Listener for `b2bua.events`: `call.<type>` with the call's summary. */
  callEvent(notice: WebhookCallNotice): void {
    this.safely(() => {
      const type = `call.${notice.type}`;
      if (!this.wants(type)) return;
      const call = this.options.findCall(notice.callId);
      this.enqueue(type, notice.at, {
        ...(notice.detail === undefined ? {} : { detail: notice.detail }),
        ...(call ? { call: callSummary(call) } : {}),
      });
    });
  }

  /** Listener for trunk status changes: `connector.available` / `connector.unavailable`. */
  connectorStatus(notice: WebhookConnectorNotice): void {
    this.safely(() => {
      const type = `connector.${notice.status}`;
      if (!this.wants(type)) return;
      const { tenantId, trunkId, status, reason } = notice;
      this.enqueue(type, notice.at, { connector: { tenantId, trunkId, status, reason } });
    });
  }

  /** Listener for the MWI service: `mwi.changed` when the PBX reported other counts for a user. */
  mwiChanged(change: MailboxChange): void {
    this.safely(() => {
      const type = "mwi.changed";
      if (!this.wants(type)) return;
      const { tenantId, userId, mailbox, previous, source } = change;
      this.enqueue(type, change.at, {
        mwi: { tenantId, userId, ...mailbox, previous: { ...previous }, source },
      });
    });
  }

  /** Listener for presence: `presence.changed` when a user's DND or busy changed. */
  presenceChanged(change: { readonly at: number } & Readonly<Record<string, unknown>>): void {
    this.safely(() => {
      const type = "presence.changed";
      if (!this.wants(type)) return;
      const { at, ...presence } = change;
      this.enqueue(type, at, { presence });
    });
  }

  /** Listener for the CTI: `desk-phone.state` (a user's desk phone now) or `desk-phone.event` (a CSTA event on it). */
  deskPhone(notice: WebhookDeskPhoneNotice): void {
    this.safely(() => {
      if (!this.wants(notice.type)) return;
      const { type, at, ...deskPhone } = notice;
      this.enqueue(type, at, { deskPhone });
    });
  }

  /** Listener for the unmatched journal: `unmatched.request` for each captured request. */
  unmatchedRequest(entry: UnmatchedEntry): void {
    this.safely(() => {
      const type = "unmatched.request";
      if (!this.wants(type)) return;
      this.enqueue(type, entry.at, {
        unmatched: {
          ...unmatchedSummary(entry),
          journal: `/api/admin/unmatched/${encodeURIComponent(entry.id)}`,
        },
      });
    });
  }

  /** Queues a `webhook.test` event (whatever the filter); its delivery id, or undefined without a webhook. */
  sendTest(): string | undefined {
    return this.enqueue("webhook.test", this.options.clock.now(), {
      detail: "test event requested with POST /api/admin/webhook/test",
    });
  }

  /** Stops retry waits at once, lets the POST in flight finish for up to 1 s, then closes the agent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.queue.clear();
    this.shutdown.abort();
    if (this.draining) {
      const grace = new AbortController();
      await Promise.race([
        this.draining.done,
        sleep(this.options.closeGraceMs ?? 1000, undefined, { signal: grace.signal }).catch(() => {}),
      ]);
      grace.abort();
    }
    this.session.abort();
    await this.agent.destroy();
  }

  private wants(type: string): boolean {
    return this.settings !== undefined && !this.closing && matchesEventFilter(this.settings.events, type);
  }

  private enqueue(
    type: string,
    at: number,
    parts: Pick<
      WebhookPayload,
      "detail" | "call" | "connector" | "unmatched" | "mwi" | "deskPhone" | "presence"
    >,
  ): string | undefined {
    if (!this.settings || this.closing) return undefined;
    const payload: WebhookPayload = {
      id: newDeliveryId(),
      type,
      at: new Date(at).toISOString(),
      emulatorTime: at,
      ...parts,
    };
    if (this.queue.push({ id: payload.id, type, body: JSON.stringify(payload) })) {
      this.counters.dropped++;
      this.outcomes.emit("dropped");
    }
    this.startDraining(this.settings);
    return payload.id;
  }

  private startDraining(settings: WebhookSettings): void {
    const signal = this.session.signal;
    if (this.draining?.signal === signal) return;
    const done = this.drain(settings, signal).catch((err: unknown) =>
      this.options.log.error({ err }, "webhook delivery loop failed"),
    );
    this.draining = { signal, done };
  }

  /** One POST at a time, in event order, until the queue is empty or the session ends. */
  private async drain(settings: WebhookSettings, signal: AbortSignal): Promise<void> {
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        this.inFlight = true;
        const result = await this.deliver(settings, next, signal);
        // Replaced, cleared or shutting down: the result belongs to a webhook that is gone.
        if (result === undefined) return;
        this.inFlight = false;
        this.record(settings, next, result);
        if (this.closing) return;
      }
    } finally {
      // In the same tick as the last look at the queue: an event queued later starts a new loop.
      if (this.draining?.signal === signal) this.draining = undefined;
    }
  }

  /** Up to 1 + retryDelaysMs.length attempts; undefined when abandoned (session over, closing). */
  private async deliver(
    settings: WebhookSettings,
    delivery: QueuedDelivery,
    signal: AbortSignal,
  ): Promise<AttemptResult | undefined> {
    for (let attempt = 0; ; attempt++) {
      const result = await attemptDelivery(this.agent, settings, delivery, {
        timeoutMs: this.timeoutMs,
        signal,
      });
      if (signal.aborted) return undefined;
      const delay = this.retryDelaysMs[attempt];
      if (result.ok || !result.retry || delay === undefined) return result;
      if (this.closing) return undefined;
      this.counters.lastError = result.error;
      this.options.log.debug(
        { url: settings.url, event: delivery.type, delivery: delivery.id, error: result.error, delay },
        "webhook delivery failed; retrying",
      );
      // Real time, not the emulator clock: the receiver lives in real time.
      await sleep(delay, undefined, { signal: AbortSignal.any([signal, this.shutdown.signal]) }).catch(
        () => {},
      );
      if (signal.aborted || this.closing) return undefined;
    }
  }

  private record(settings: WebhookSettings, delivery: QueuedDelivery, result: AttemptResult): void {
    if (result.ok) {
      this.counters.delivered++;
      this.counters.lastDeliveredAt = new Date().toISOString();
      this.outcomes.emit("delivered");
      return;
    }
    this.counters.failed++;
    this.outcomes.emit("failed");
    this.counters.lastError = result.error;
    this.options.log.warn(
      { url: settings.url, event: delivery.type, delivery: delivery.id, error: result.error },
      "webhook delivery failed",
    );
  }

  private reset(): void {
    this.session.abort();
    this.session = new AbortController();
    this.queue.clear();
    this.inFlight = false;
    this.counters = { delivered: 0, failed: 0, dropped: 0 };
  }

  /** Never throw into the emitter (B2BUA, registrar). */
  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.log.warn({ err }, "webhook event not queued");
    }
  }
}
