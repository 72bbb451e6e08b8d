import type { Clock } from "../shared/clock.js";
import type { SipConnection, SipTrafficTap, TransportProtocol } from "../sip/transport/index.js";
import { RingBuffer } from "./ring-buffer.js";
import { summarizeSip } from "./sip-summary.js";
import type {
  CallContext,
  CallNotice,
  CstaMessageRecord,
  FaultHit,
  HttpCall,
  SipTraceEntry,
  TraceEndpoint,
  TraceEntry,
  TraceOwner,
  UnmatchedRequest,
} from "./trace-entry.js";
import { TraceFile } from "./trace-file.js";
import { filterTrace, type TraceFilter } from "./trace-filter.js";

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
  private readonly buffer: RingBuffer<Stored>;
  private readonly file: TraceFile | undefined;
  /** One flow description per connection, shared by all its entries. */
  private readonly flows = new WeakMap<SipConnection, Flow>();
  private seq = 0;
  private httpSeq = 0;

  constructor(private readonly options: TraceRecorderOptions) {
    this.buffer = new RingBuffer(options.capacity, options.maxBytes, storedBytes);
    this.file = options.file === undefined ? undefined : new TraceFile(options.file, options.onFileError);
    this.tap = {
      received: (bytes, connection) => this.recordSip("in", bytes, connection),
      sent: (bytes, connection) => this.recordSip("out", bytes, connection),
      opened: (connection) => this.recordConnection("opened", connection),
      closed: (connection, reason) => this.recordConnection("closed", connection, reason),
    };
  }

  /**
   * The hot path (every message of the registrar bench): keeps the bytes as a latin1
   * string (cheap, lossless) and a shared flow; text and summary are made when read.
   */
  recordSip(direction: "in" | "out", bytes: Buffer, connection: SipConnection): void {
    const record: SipRecord = {
      kind: SIP_RECORD,
      seq: ++this.seq,
      at: this.options.clock.now(),
      wallAt: Date.now(),
      direction,
      flow: this.flowOf(connection),
      raw: bytes.toString("latin1"),
      owner: this.ownerOf(connection.id),
    };
    this.buffer.push(record);
    if (this.file) this.file.append(sipEntry(record));
  }

  recordConnection(event: "opened" | "closed", connection: SipConnection, reason?: string): void {
    this.push({
      kind: "connection",
      event,
      ...this.flowOf(connection),
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

  private push(fields: Unstamped<Exclude<TraceEntry, SipTraceEntry>>): void {
    const entry = {
      seq: ++this.seq,
      at: this.options.clock.now(),
      wallAt: Date.now(),
      ...fields,
    } as Exclude<TraceEntry, SipTraceEntry>;
    this.buffer.push(entry);
    this.file?.append(entry);
  }

  private flowOf(connection: SipConnection): Flow {
    let flow = this.flows.get(connection);
    if (!flow) {
      flow = {
        connectionId: connection.id,
        transport: connection.protocol,
        local: { address: connection.localAddress, port: connection.localPort },
        peer: { address: connection.remoteAddress, port: connection.remotePort },
      };
      this.flows.set(connection, flow);
    }
    return flow;
  }

  private ownerOf(connectionId: string): TraceOwner | undefined {
    return this.safely(() => this.options.resolve?.(connectionId));
  }

  /** A lookup that fails must not break the transport path that called the recorder. */
  private safely<T>(lookup: () => T | undefined): T | undefined {
    try {
      return lookup();
    } catch {
      return undefined;
    }
  }
}

const SIP_RECORD = "sip-record";

interface Flow {
  readonly connectionId: string;
  readonly transport: TransportProtocol;
  readonly local: TraceEndpoint;
  readonly peer: TraceEndpoint;
}

/** A SIP message as kept in the buffer; `sipEntry` turns it into the public entry. */
interface SipRecord {
  readonly kind: typeof SIP_RECORD;
  readonly seq: number;
  readonly at: number;
  readonly wallAt: number;
  readonly direction: "in" | "out";
  readonly flow: Flow;
  /** The bytes, one char per byte. */
  readonly raw: string;
  readonly owner: TraceOwner | undefined;
}

type Stored = SipRecord | Exclude<TraceEntry, SipTraceEntry>;

/** What an entry costs beyond a SIP message's bytes: its fields and object headers, roughly. */
const ENTRY_OVERHEAD = 256;

/** A kept entry's approximate memory: SIP bytes (one latin1 char each) plus the fixed part. */
function storedBytes(entry: Stored): number {
  if (entry.kind === SIP_RECORD) return entry.raw.length + ENTRY_OVERHEAD;
  return entry.kind === "unmatched" || entry.kind === "csta"
    ? entry.message.length + ENTRY_OVERHEAD
    : ENTRY_OVERHEAD;
}

function sipEntry(r: SipRecord): SipTraceEntry {
  const message = Buffer.from(r.raw, "latin1").toString("utf8");
  return {
    seq: r.seq,
    kind: "sip",
    at: r.at,
    wallAt: r.wallAt,
    direction: r.direction,
    ...r.flow,
    size: r.raw.length,
    message,
    summary: summarizeSip(message),
    ...r.owner,
  };
}
