import { type PresenceChange, type UnmatchedNotice, unmatchedSummary } from "../services/index.js";
import { SseStream } from "./sse-stream.js";

/** A source the hub listens to only while a stream is open; `on` answers the unsubscribe. */
export interface Subscribable<T> {
  on(listener: (event: T) => void): () => unknown;
}

/** A connector (trunk) availability change, as the registrar publishes it. */
export interface LiveConnectorNotice {
  readonly tenantId: string;
  readonly trunkId: string;
  readonly status: string;
  readonly reason: string;
  readonly at: number;
}

/** A call's life event, as the B2BUA publishes it. */
export interface LiveCallNotice {
  readonly callId: string;
  readonly type: string;
  readonly at: number;
  readonly detail?: string;
}

/** A fault rule that fired, as the fault engine reports it. */
export interface LiveFaultHit {
  readonly faultId: string;
  readonly name?: string;
  readonly point: string;
  readonly action: string;
  readonly hits: number;
  readonly at: number;
}

/** What the composition root hands the API for the live event stream (GET /api/admin/events). */
export interface LiveSources {
  readonly connectorStatus: Subscribable<LiveConnectorNotice>;
  readonly callEvents: Subscribable<LiveCallNotice>;
  /** Requests captured into the unmatched journal. */
  readonly unmatched?: Subscribable<UnmatchedNotice>;
  /** Users' presence (DND, busy) changes. */
  readonly presence?: Subscribable<PresenceChange>;
}

export interface EventHubSources extends LiveSources {
  readonly faultHits: Subscribable<LiveFaultHit>;
  /** The clock as GET /api/admin/clock answers it. */
  readonly clock: () => { readonly epochMs: number; readonly frozen: boolean; readonly offsetMs: number };
  readonly traceStats: () => { readonly recorded: number; readonly recordedHttp: number };
}

export interface EventHubOptions {
  readonly maxStreams: number;
  /** Comment lines on an idle stream; below the HTTP server's 30 s socket idle timeout. */
  readonly keepAliveMs?: number;
  /** How often the clock and the trace counters are compared with what was last sent. */
  readonly watchMs?: number;
}

/** The reconnection delay a stream asks EventSource-style clients for. */
const RETRY_MS = 2000;

/** A running clock's offset is read from two wall-clock samples: it may wobble by a millisecond. */
const OFFSET_TOLERANCE_MS = 5;

/**
 * Fans emulator events out to the open Server-Sent Events streams of one HTTP listener.
 * Subscribes to its sources when the first stream opens and lets go when the last closes, so
 * an emulator nobody watches pays nothing. The clock and the trace have no events of their own:
 * they are compared once per `watchMs` (and after every REST change) and sent when they moved.
 */
export class EventHub {
  private readonly streams = new Set<SseStream>();
  private subscriptions: (() => unknown)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private seq = 0;
  private lastClock: { frozen: boolean; epochMs: number; offsetMs: number } | undefined;
  private lastTrace: { recorded: number; recordedHttp: number } | undefined;
  private closed = false;

  constructor(
    private readonly sources: EventHubSources,
    private readonly options: EventHubOptions,
  ) {}

  get openStreams(): number {
    return this.streams.size;
  }

  /** A new stream with its `ready` event, or undefined when the limit is reached or the hub closed. */
  open(): SseStream | undefined {
    if (this.closed || this.streams.size >= this.options.maxStreams) return undefined;
    const stream = new SseStream((s) => this.forget(s));
    stream.preamble(RETRY_MS);
    const clock = this.sources.clock();
    const trace = this.sources.traceStats();
    stream.send("ready", { clock: clockEvent(clock), trace: traceEvent(trace) }, ++this.seq);
    this.streams.add(stream);
    if (this.streams.size === 1) this.start();
    return stream;
  }

  /** Sends one event to every open stream; never throws into the publisher (the B2BUA, the registrar). */
  publish(type: string, data: unknown): void {
    if (this.streams.size === 0) return;
    const id = ++this.seq;
    for (const stream of this.streams) {
      try {
        stream.send(type, data, id);
      } catch {
        stream.destroy();
      }
    }
  }

  /** Sends `clock` and `trace` if they moved since they were last sent. */
  checkNow(): void {
    if (this.streams.size === 0) return;
    const clock = this.sources.clock();
    const last = this.lastClock;
    const moved =
      last === undefined ||
      last.frozen !== clock.frozen ||
      (clock.frozen
        ? last.epochMs !== clock.epochMs
        : Math.abs(last.offsetMs - clock.offsetMs) > OFFSET_TOLERANCE_MS);
    if (moved) {
      if (last !== undefined) this.publish("clock", clockEvent(clock));
      this.lastClock = { ...clock };
    }
    const trace = this.sources.traceStats();
    if (this.lastTrace === undefined || this.lastTrace.recorded !== trace.recorded) {
      if (this.lastTrace !== undefined) this.publish("trace", traceEvent(trace));
      this.lastTrace = { recorded: trace.recorded, recordedHttp: trace.recordedHttp };
    }
  }

  /** Shutdown: end every stream at once (they hold no request open afterwards) and stop listening. */
  close(): void {
    this.closed = true;
    for (const stream of [...this.streams]) stream.end();
    this.stop();
  }

  private start(): void {
    const { connectorStatus, callEvents, faultHits, unmatched, presence } = this.sources;
    this.lastClock = undefined;
    this.lastTrace = undefined;
    this.checkNow();
    this.subscriptions = [
      connectorStatus.on((e) =>
        this.publish("connector", {
          tenantId: e.tenantId,
          trunkId: e.trunkId,
          status: e.status,
          reason: e.reason,
          at: isoTime(e.at),
        }),
      ),
      callEvents.on((e) =>
        this.publish("call", {
          callId: e.callId,
          type: e.type,
          at: isoTime(e.at),
          ...(e.detail === undefined ? {} : { detail: e.detail }),
        }),
      ),
      faultHits.on((e) =>
        this.publish("fault.hit", {
          faultId: e.faultId,
          ...(e.name === undefined ? {} : { name: e.name }),
          point: e.point,
          action: e.action,
          hits: e.hits,
          at: isoTime(e.at),
        }),
      ),
      ...(unmatched ? [unmatched.on((e) => this.publish("unmatched", unmatchedSummary(e.entry)))] : []),
      ...(presence
        ? [presence.on((e) => this.publish("presence.changed", { ...e, at: isoTime(e.at) }))]
        : []),
    ];
    const keepAlive = setInterval(() => {
      for (const stream of this.streams) stream.keepAlive();
    }, this.options.keepAliveMs ?? 15_000);
    const watch = setInterval(() => this.checkNow(), this.options.watchMs ?? 1000);
    this.timers = [keepAlive, watch];
    for (const timer of this.timers) timer.unref();
  }

  private stop(): void {
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  private forget(stream: SseStream): void {
    if (!this.streams.delete(stream)) return;
    if (this.streams.size === 0) this.stop();
  }
}

function clockEvent(c: { epochMs: number; frozen: boolean; offsetMs: number }) {
  return {
    now: isoTime(c.epochMs),
    epochMs: c.epochMs,
    frozen: c.frozen,
    offsetMs: Math.round(c.offsetMs),
  };
}

function traceEvent(t: { recorded: number; recordedHttp: number }) {
  return { recorded: t.recorded, recordedHttp: t.recordedHttp };
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
