import type {
  CstaFaultAction,
  HttpFaultAction,
  RtpFaultAction,
  SipFaultAction,
  StunFaultAction,
  TlsFaultAction,
} from "./fault-rule.js";
import type { RandomSource } from "./seeded-random.js";

/** What every injection point tells the engine besides its own fields. */
export interface FaultContextBase {
  /** One line for the hit event, e.g. "REGISTER from 127.0.0.1:5061 (c3)". */
  readonly summary?: string;
  /**
   * Report a hit of a rule only once per value (RTP: one event per stream rather than
   * one per packet); the hit counter still counts every hit.
   */
  readonly reportOncePer?: string;
}

export interface SipFaultContext extends FaultContextBase {
  readonly kind: "request" | "response";
  /** The request's method, or the CSeq method of a response. */
  readonly method: string;
  readonly status?: number;
  /** Every value of a header (name case-insensitive). */
  header(name: string): readonly string[];
  /** Identifiers of the trunk concerned (id, name, username), if known. */
  readonly trunk: readonly string[];
  /** Identifiers of the tenant (id, name), if known. */
  readonly tenant: readonly string[];
  /** Numbers and ids of the users concerned (From/To/Request-URI users and resolved users). */
  readonly users: readonly string[];
}

export interface TlsFaultContext extends FaultContextBase {
  readonly remoteAddress: string;
}

export interface HttpFaultContext extends FaultContextBase {
  readonly method: string;
  /** Without the query string. */
  readonly path: string;
  /** Identifiers (id, name) of the tenant whose API key the request carries. */
  readonly tenant: readonly string[];
}

export interface RtpFaultContext extends FaultContextBase {
  readonly callId?: string;
  readonly tenant: readonly string[];
  readonly trunk: readonly string[];
}

export interface StunFaultContext extends FaultContextBase {
  readonly remoteAddress: string;
  readonly transport: "udp" | "tcp";
}

export interface CstaFaultContext extends FaultContextBase {
  /** The CSTA message name (`MakeCall`, `DeliveredEvent`); `session` for the session INVITE. */
  readonly service: string;
  /** Identifiers of the trunk whose session carries it (id, name, username). */
  readonly trunk: readonly string[];
  readonly tenant: readonly string[];
  /** The devices the message names and the ids of the users they belong to. */
  readonly users: readonly string[];
}

/** The named injection points, each with what it knows and what it can be told to do. */
export interface FaultPoints {
  "sip.in": { context: SipFaultContext; action: SipFaultAction };
  "sip.out": { context: SipFaultContext; action: SipFaultAction };
  "tls.accept": { context: TlsFaultContext; action: TlsFaultAction };
  "http.request": { context: HttpFaultContext; action: HttpFaultAction };
  "rtp.in": { context: RtpFaultContext; action: RtpFaultAction };
  "rtp.out": { context: RtpFaultContext; action: RtpFaultAction };
  "stun.binding": { context: StunFaultContext; action: StunFaultAction };
  "csta.session": { context: CstaFaultContext; action: CstaFaultAction };
  "csta.request": { context: CstaFaultContext; action: CstaFaultAction };
  "csta.event": { context: CstaFaultContext; action: CstaFaultAction };
}

export type FaultPoint = keyof FaultPoints;

export const FAULT_POINTS: readonly FaultPoint[] = [
  "sip.in",
  "sip.out",
  "tls.accept",
  "http.request",
  "rtp.in",
  "rtp.out",
  "stun.binding",
  "csta.session",
  "csta.request",
  "csta.event",
];

/** The engine's answer at an injection point: which rule hit and what to do. */
export interface FaultDecision<P extends FaultPoint = FaultPoint> {
  readonly faultId: string;
  readonly point: P;
  readonly action: FaultPoints[P]["action"];
  /** The rule's seeded generator, for the action's own draws (delay range, jitter, garbling). */
  readonly random: RandomSource;
}

/** What the trace recorder hears about each hit. */
export interface FaultHitEvent {
  readonly faultId: string;
  readonly name?: string;
  readonly point: FaultPoint;
  readonly action: string;
  readonly detail: string;
  /** Emulator clock, epoch ms. */
  readonly at: number;
  /** The rule's hit counter after this hit. */
  readonly hits: number;
}

/** What an injection point needs from the engine (tests may pass a stub). */
export interface FaultChecker {
  check<P extends FaultPoint>(point: P, context: FaultPoints[P]["context"]): FaultDecision<P> | undefined;
  /** Whether any rule acts at this point: hot paths skip building a context when none does. */
  hasRulesFor(point: FaultPoint): boolean;
}
