import type { AlgRewriteAction } from "./alg-rewrite.js";

/**
 * The fault rule model: where a fault happens (`layer` + `match`), what it does
 * (`action`) and when (`when`). Rules are plain JSON so the REST API, seed files and
 * scenarios share one format (docs/faults.md).
 */
export type FaultLayer = "sip" | "tls" | "http" | "rtp" | "stun" | "csta";

export const FAULT_LAYERS: readonly FaultLayer[] = ["sip", "tls", "http", "rtp", "stun", "csta"];

/** Targeting: which of the matching events the rule hits. Absent fields do not restrict. */
export interface FaultWhen {
  /** Only the first N matching events. */
  readonly firstN?: number;
  /** Only every Nth matching event (the Nth, 2Nth, …). */
  readonly everyNth?: number;
  /** Chance in [0, 1] that a matching event is hit, drawn from the rule's seeded generator. */
  readonly probability?: number;
  /** Seed of the rule's random generator; filled in when absent, so a run can be repeated. */
  readonly seed?: number;
  /** ISO 8601 time on the emulator clock: the rule is inactive before it. */
  readonly from?: string;
  /** ISO 8601 time on the emulator clock: the rule is inactive from then on. */
  readonly until?: string;
  /** Stop hitting after this many hits. */
  readonly maxHits?: number;
}

/** A wait, fixed (`ms`) or drawn uniformly from [minMs, maxMs] with the rule's generator. */
export interface DelayAction {
  readonly type: "delay";
  readonly ms?: number;
  readonly minMs?: number;
  readonly maxMs?: number;
}

export interface SipHeaderMatch {
  readonly header: string;
  /** A JavaScript regular expression, matched case-insensitively against each value. */
  readonly pattern: string;
}

export interface SipFaultMatch {
  readonly direction?: "in" | "out";
  /** Requests only unless `status`/`statusClass` is given (then responses only). */
  readonly message?: "request" | "response";
  /** Request method, or the CSeq method of a response. */
  readonly method?: string | readonly string[];
  readonly status?: number;
  /** 1–6: the first digit of the status. */
  readonly statusClass?: number;
  /** Trunk id, name (gtc-001) or username. */
  readonly trunk?: string;
  /** Tenant id or name. */
  readonly tenant?: string;
  /** A user's number or id, or the user part of the From, To or Request-URI. */
  readonly user?: string;
  readonly headers?: readonly SipHeaderMatch[];
}

export type CorruptionMode = "start-line" | "content-length" | "garble";

export type SipFaultAction =
  | {
      readonly type: "respond";
      readonly status: number;
      readonly reason?: string;
      /** Seconds, as a Retry-After header (RFC 3261 §20.33). */
      readonly retryAfter?: number;
      /** Text of a Warning header (RFC 3261 §20.43), sent as `399 <agent> "<text>"`. */
      readonly warning?: string;
    }
  | DelayAction
  | { readonly type: "drop" }
  | { readonly type: "close" }
  | { readonly type: "reset" }
  | { readonly type: "corrupt"; readonly mode?: CorruptionMode }
  | {
      readonly type: "modify";
      readonly removeHeader?: string;
      readonly setHeader?: { readonly name: string; readonly value: string };
    }
  | AlgRewriteAction;

export interface TlsFaultMatch {
  readonly remoteAddress?: string;
}

export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

export const TLS_VERSIONS: readonly TlsVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

export type TlsFaultAction =
  | { readonly type: "refuse" }
  | { readonly type: "stall" }
  | { readonly type: "expired-certificate" }
  | { readonly type: "wrong-host-certificate"; readonly host?: string }
  | { readonly type: "untrusted-certificate" }
  | { readonly type: "limit-version"; readonly minVersion?: TlsVersion; readonly maxVersion?: TlsVersion };

export interface HttpFaultMatch {
  readonly method?: string;
  /** Glob on the path without query: `*` is one segment's characters, `**` anything. */
  readonly path?: string;
  /** A JavaScript regular expression on the path without query. */
  readonly pathPattern?: string;
  /** Tenant id or name, found from the request's X-API-Key. */
  readonly tenant?: string;
}

export type HttpFaultAction =
  | {
      readonly type: "respond";
      readonly status: number;
      /** A code of the API error registry; default `fault_injected`. */
      readonly code?: string;
      readonly detail?: string;
      readonly retryAfter?: number;
    }
  | DelayAction
  | { readonly type: "close" };

export interface RtpFaultMatch {
  readonly direction?: "in" | "out";
  /** The emulator's call id (as in /api/admin/calls). */
  readonly callId?: string;
  readonly tenant?: string;
  readonly trunk?: string;
}

export type RtpFaultAction =
  | { readonly type: "drop"; readonly percent: number }
  | { readonly type: "delay"; readonly ms: number; readonly jitterMs?: number }
  | { readonly type: "stop"; readonly direction: "send" | "receive" }
  | { readonly type: "ssrc"; readonly ssrc?: number };

export interface StunFaultMatch {
  /** The client's IP (the true source, before any emulated NAT). */
  readonly remoteAddress?: string;
  readonly transport?: "udp" | "tcp";
}

export type StunFaultAction =
  | { readonly type: "no-answer" }
  /** The mapped address reported instead of the true one (default 198.51.100.1, the true port). */
  | { readonly type: "wrong-mapped-address"; readonly address?: string; readonly port?: number }
  | DelayAction
  /** An emulated NAT (docs/stun.md) for the requests the rule hits; filtering defaults to the mapping. */
  | {
      readonly type: "nat";
      readonly mapping: StunNatBehaviour;
      readonly filtering?: StunNatBehaviour;
      /** Default: `--stun-public-address`. */
      readonly publicAddress?: string;
    };

export type StunNatBehaviour = "endpoint-independent" | "address-dependent" | "address-and-port-dependent";

export interface CstaFaultMatch {
  /** CSTA message names (ECMA-323 root elements): requests such as `MakeCall`, or events such as `DeliveredEvent`. */
  readonly service?: string | readonly string[];
  /** Trunk id, name or username: the trunk whose CSTA session carries the message. */
  readonly trunk?: string;
  readonly tenant?: string;
  /** A user's callno (the desk-phone device) or id, named in the message. */
  readonly user?: string;
}

/** ECMA-323 CSTAErrorCode categories (the codec's list; faults/ must not import cti/). */
export const CSTA_ERROR_CATEGORIES = [
  "operation",
  "security",
  "stateIncompatibility",
  "systemResourceAvailability",
  "subscribedResourceAvailability",
  "performanceManagement",
  "privateData",
  "unspecified",
] as const;

export type CstaFaultAction =
  /** The connector's request is never sent, so no answer comes: the caller times out. */
  | { readonly type: "no-response" }
  /** The request is answered with this CSTAErrorCode instead of reaching the PBX. */
  | {
      readonly type: "error";
      readonly category: (typeof CSTA_ERROR_CATEGORIES)[number];
      readonly value: string;
    }
  /** An event from the PBX is taken at SIP level (200) and then ignored. */
  | { readonly type: "drop-event" }
  /** The session INVITE fails as if the PBX had answered `status` (default 403). */
  | { readonly type: "session-refuse"; readonly status?: number; readonly reason?: string };

interface RuleFields<L extends FaultLayer, M, A> {
  readonly id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly layer: L;
  readonly match?: M;
  readonly action: A;
  readonly when?: FaultWhen;
}

/** What a caller supplies (REST body, seed or scenario entry). */
export type FaultRuleInput =
  | RuleFields<"sip", SipFaultMatch, SipFaultAction>
  | RuleFields<"tls", TlsFaultMatch, TlsFaultAction>
  | RuleFields<"http", HttpFaultMatch, HttpFaultAction>
  | RuleFields<"rtp", RtpFaultMatch, RtpFaultAction>
  | RuleFields<"stun", StunFaultMatch, StunFaultAction>
  | RuleFields<"csta", CstaFaultMatch, CstaFaultAction>;

type Stored<R> =
  R extends RuleFields<infer L, infer M, infer A>
    ? Omit<R, "id" | "match" | "when"> & {
        readonly id: string;
        readonly layer: L;
        readonly match: M;
        readonly action: A;
        readonly when: FaultWhen & { readonly seed: number };
        readonly hits: number;
        /** Emulator clock, epoch ms. */
        readonly lastHitAt: number | null;
        readonly createdAt: number;
      }
    : never;

/** A rule as the engine holds it: with its id, seed, hit counter and times. */
export type FaultRule = Stored<FaultRuleInput>;

export type FaultAction = FaultRule["action"];
