import type { TransportProtocol } from "../sip/transport/index.js";

export type TraceKind = "sip" | "http" | "call" | "fault" | "connection" | "unmatched" | "csta";

export const TRACE_KINDS: readonly TraceKind[] = [
  "sip",
  "http",
  "call",
  "fault",
  "connection",
  "unmatched",
  "csta",
];

/** Who a SIP connection or call belongs to, when the emulator can tell. */
export interface TraceOwner {
  readonly tenantId?: string;
  readonly trunkId?: string;
  readonly trunkName?: string;
}

export interface TraceEndpoint {
  readonly address: string;
  readonly port: number;
}

interface EntryBase {
  /** Increasing over the process lifetime; never reused, not reset by clear(). */
  readonly seq: number;
  /** Emulator clock, ms since the epoch. */
  readonly at: number;
  /** Wall clock (Date.now()), for lining up with a real capture. */
  readonly wallAt: number;
}

/** What a SIP message is, read from its text (malformed messages give a partial summary). */
export interface SipSummary {
  readonly startLine: string;
  readonly method?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly callId?: string;
  readonly cseq?: string;
}

export interface SipTraceEntry extends EntryBase, TraceOwner {
  readonly kind: "sip";
  /** "in": peer → emulator; "out": emulator → peer. */
  readonly direction: "in" | "out";
  readonly connectionId: string;
  readonly transport: TransportProtocol;
  readonly local: TraceEndpoint;
  readonly peer: TraceEndpoint;
  readonly size: number;
  /** The message as on the wire, decoded as UTF-8. */
  readonly message: string;
  readonly summary: SipSummary;
}

export interface ConnectionTraceEntry extends EntryBase, TraceOwner {
  readonly kind: "connection";
  readonly event: "opened" | "closed";
  readonly connectionId: string;
  readonly transport: TransportProtocol;
  readonly local: TraceEndpoint;
  readonly peer: TraceEndpoint;
  readonly reason?: string;
}

/** One REST call: never headers, bodies or secret query values. */
export interface HttpCall {
  readonly method: string;
  /** Path and query, secret-looking query values replaced. */
  readonly path: string;
  /** The route pattern that matched, e.g. "/api/admin/calls/:callId". */
  readonly route?: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly requestId: string;
  readonly tenantId?: string;
}

export interface HttpTraceEntry extends EntryBase, HttpCall {
  readonly kind: "http";
}

/** A call's life event as the B2BUA publishes it. */
export interface CallNotice {
  readonly callId: string;
  readonly type: string;
  readonly detail?: string;
}

/** What the emulator knows of a call beyond the event: owner and the SIP Call-IDs of its legs. */
export interface CallContext extends TraceOwner {
  readonly sipCallIds?: readonly string[];
}

export interface CallTraceEntry extends EntryBase, CallNotice, CallContext {
  readonly kind: "call";
}

/** A fault rule that fired (the fault engine reports each hit). */
export interface FaultHit extends TraceOwner {
  readonly faultId: string;
  /** Where it fired, e.g. "sip-in", "tls-handshake", "http". */
  readonly point: string;
  /** What it did, e.g. "respond 503", "drop", "close". */
  readonly action: string;
  readonly detail?: string;
  readonly callId?: string;
  readonly connectionId?: string;
}

export interface FaultTraceEntry extends EntryBase, FaultHit {
  readonly kind: "fault";
}

/** A request nothing handles, as the unmatched journal captured it (secrets replaced). */
export interface UnmatchedRequest extends TraceOwner {
  /** The journal entry: GET /api/admin/unmatched/{unmatchedId}. */
  readonly unmatchedId: string;
  readonly protocol: "http" | "sip";
  readonly method: string;
  /** HTTP path or SIP Request-URI. */
  readonly target: string;
  readonly status: number;
  /** The mapping that answered, or "default". */
  readonly answeredBy: string;
  /** The request as text: start line, headers, body (cut at the capture's body limit). */
  readonly message: string;
  readonly connectionId?: string;
}

export interface UnmatchedTraceEntry extends EntryBase, UnmatchedRequest {
  readonly kind: "unmatched";
}

/** One CSTA message (ECMA-323 XML) of a trunk's CTI session; its SIP INFO is a `sip` entry too. */
export interface CstaMessageRecord extends TraceOwner {
  readonly direction: "in" | "out";
  /** The root element, e.g. "MakeCall", "DeliveredEvent" ("?" when it did not parse). */
  readonly type: string;
  /** The XML as sent or received. */
  readonly message: string;
}

export interface CstaTraceEntry extends EntryBase, CstaMessageRecord {
  readonly kind: "csta";
}

export type TraceEntry =
  | CstaTraceEntry
  | UnmatchedTraceEntry
  | SipTraceEntry
  | ConnectionTraceEntry
  | HttpTraceEntry
  | CallTraceEntry
  | FaultTraceEntry;
