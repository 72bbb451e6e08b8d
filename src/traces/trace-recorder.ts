import type { Clock } from "../shared/clock.js";
import type { SipConnection, SipTrafficTap } from "../sip/transport/index.js";
import { summarizeSip } from "./sip-summary.js";
import type {
  CallContext,
  CallNotice,
  CstaMessageRecord,
  FaultHit,
  HttpCall,
  SipTraceEntry,
  TraceEntry,
  TraceOwner,
  UnmatchedRequest,
} from "./trace-entry.js";
import { TraceFile } from "./trace-file.js";
import { filterTrace, type TraceFilter } from "./trace-filter.js";
import {
  ENTRY_OVERHEAD,
  type Flow,
  type OtherEntry,
  SIP_RECORD,
  type SipRecord,
  TraceRing,
} from "./trace-ring.js";

/** Distributes Omit over a union, so each entry kind keeps its own fields. */
type Unstamped<T> = T extends unknown ? Omit<T, "seq" | "at" | "wallAt"> : never;

export interface TraceRecorderOptions {
  /** Entries kept in memory; the oldest are overwritten. 0 keeps none (file only). */
  readonly capacity: number;
  /** Bytes the kept entries may hold (approximately); the oldest go first. */
  readonly maxBytes?: number;
  /** The emulator clock: `at` of every entry. */
  readonly clock: Clock;
  /** Append every entry to this file as a JSON line. */
  readonly file?: string;
  /** Tenant and trunk of a SIP connection (from the registrar's bindings), when known. */
  readonly resolve?: (connectionId: string) => TraceOwner | undefined;
  readonly onFileError?: (error: Error) => void;
}

export interface TraceStats {
  readonly capacity: number;
  readonly size: number;
  /** Entries recorded since start (the last seq). */
  readonly recorded: number;
  /** Of those, REST calls: the live event stream tells SIP and call activity from the page's own requests. */
  readonly recordedHttp: number;
  /** Entries overwritten in memory since the last clear. */
  readonly dropped: number;
  readonly file: string | null;
  /** Lines the file could not take. */
  readonly fileDropped: number;
}

/**
 * Every SIP message in and out, every REST call, call event, fault hit and connection
 * change, in one bounded ring buffer (and optionally a JSON-lines file).
 */
export class TraceRecorder {
  /** Set this on the SIP transport layer (`transport.tap = recorder.tap`). */
  readonly tap: SipTrafficTap;
  private readonly buffer: TraceRing;
  private readonly file: TraceFile | undefined;
  /** One flow description per connection, shared by all its entries. */
  private readonly flows = new WeakMap<SipConnection, FlowState>();
  private seq = 0;
  private httpSeq = 0;

  constructor(private readonly options: TraceRecorderOptions) {
    this.buffer = new TraceRing(options.capacity, options.maxBytes);
    this.file = options.file === undefined ? undefined : new TraceFile(options.file, options.onFileError);
    this.tap = {
      received: (bytes, connection) => this.recordSip("in", bytes, connection),
      sent: (bytes, connection) => this.recordSip("out", bytes, connection),
      opened: (connection) => this.recordConnection("opened", connection),
      closed: (connection, reason) => this.recordConnection("closed", connection, reason),
    };
  }

  /**
   * The hot path (every message of the registrar bench): the ring copies the bytes into its
   * ByteLog and keeps the rest as numbers and shared objects; text and summary are made when read.
   */
  recordSip(direction: "in" | "out", bytes: Buffer, connection: SipConnection): void {
    const seq = ++this.seq;
    const at = this.options.clock.now();
    const wallAt = Date.now();
    const state = this.flowOf(connection);
    const owner = this.ownerOf(connection.id);
    // The same owner as last time on this connection: keep the object already held.
    if (!sameOwner(owner, state.owner)) state.owner = owner;
    this.buffer.pushSip(seq, at, wallAt, direction, state.flow, state.owner, bytes);
    if (this.file) {
      const message = bytes.toString("utf8");
      const { flow, owner: kept } = state;
      this.file.append(
        sipEntry({
          kind: SIP_RECORD,
          seq,
          at,
          wallAt,
          direction,
          flow,
          owner: kept,
          message,
          size: bytes.length,
        }),
      );
    }
  }

  recordConnection(event: "opened" | "closed", connection: SipConnection, reason?: string): void {
    this.push({
      kind: "connection",
      event,
      ...this.flowOf(connection).flow,
      ...(reason === undefined ? {} : { reason }),
      ...this.ownerOf(connection.id),
    });
  }

  recordHttp(call: HttpCall): void {
    this.httpSeq++;
    this.push({ kind: "http", ...call });
  }

  /** A call event, with the call's owner and legs' SIP Call-IDs (from the call journal) when known. */
  recordCall(notice: CallNotice, context?: CallContext): void {
    this.push({
      kind: "call",
      callId: notice.callId,
      type: notice.type,
      ...(notice.detail === undefined ? {} : { detail: notice.detail }),
      ...context,
    });
  }

  recordFault(hit: FaultHit): void {
    this.push({ kind: "fault", ...hit });
  }

  recordUnmatched(request: UnmatchedRequest): void {
    this.push({ kind: "unmatched", ...request });
  }

  recordCsta(record: CstaMessageRecord): void {
    this.push({ kind: "csta", ...record });
  }

  /** Matching entries, oldest first. */
  entries(filter: TraceFilter = {}): TraceEntry[] {
    return filterTrace(
      this.buffer.toArray().map((e) => (e.kind === SIP_RECORD ? sipEntry(e) : e)),
      filter,
    );
  }

  stats(): TraceStats {
    return {
      capacity: this.buffer.capacity,
      size: this.buffer.size,
      recorded: this.seq,
      recordedHttp: this.httpSeq,
      dropped: this.buffer.dropped,
      file: this.file?.path ?? null,
      fileDropped: this.file?.dropped ?? 0,
    };
  }

  /** Empty the buffer (the file is kept; seq numbers keep increasing). */
  clear(): void {
    this.buffer.clear();
  }

  close(): Promise<void> {
    return this.file?.close() ?? Promise.resolve();
  }

  private push(fields: Unstamped<OtherEntry>): void {
    const entry = {
      seq: ++this.seq,
      at: this.options.clock.now(),
      wallAt: Date.now(),
      ...fields,
    } as OtherEntry;
    this.buffer.push(entry, entryCost(entry));
    this.file?.append(entry);
  }

  private flowOf(connection: SipConnection): FlowState {
    let state = this.flows.get(connection);
    if (!state) {
      const flow = {
        connectionId: connection.id,
        transport: connection.protocol,
        local: { address: connection.localAddress, port: connection.localPort },
        peer: { address: connection.remoteAddress, port: connection.remotePort },
      };
      state = { flow, owner: undefined };
      this.flows.set(connection, state);
    }
    return state;
  }

  /** A lookup that fails must not break the transport path that called the recorder. */
  private ownerOf(connectionId: string): TraceOwner | undefined {
    try {
      return this.options.resolve?.(connectionId);
    } catch {
      return undefined;
    }
  }
}

/** A connection's flow, and the owner its latest SIP entry was given. */
interface FlowState {
  readonly flow: Flow;
  owner: TraceOwner | undefined;
}

/** The same three fields, each present or absent alike (no allocation: this runs per message). */
function sameOwner(a: TraceOwner | undefined, b: TraceOwner | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.tenantId === b.tenantId &&
    a.trunkId === b.trunkId &&
    a.trunkName === b.trunkName &&
    "tenantId" in a === "tenantId" in b &&
    "trunkId" in a === "trunkId" in b &&
    "trunkName" in a === "trunkName" in b
  );
}

/** An entry's approximate memory: its text (the unmatched request, the CSTA XML) plus the fixed part. */
function entryCost(entry: OtherEntry): number {
  return entry.kind === "unmatched" || entry.kind === "csta"
    ? entry.message.length + ENTRY_OVERHEAD
    : ENTRY_OVERHEAD;
}

function sipEntry(r: SipRecord): SipTraceEntry {
  return {
    seq: r.seq,
    kind: "sip",
    at: r.at,
    wallAt: r.wallAt,
    direction: r.direction,
    ...r.flow,
    size: r.size,
    message: r.message,
    summary: summarizeSip(r.message),
    ...r.owner,
  };
}
