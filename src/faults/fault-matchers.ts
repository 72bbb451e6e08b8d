import type {
  CstaFaultContext,
  FaultPoint,
  FaultPoints,
  HttpFaultContext,
  RtpFaultContext,
  SipFaultContext,
  StunFaultContext,
  TlsFaultContext,
} from "./fault-points.js";
import type {
  CstaFaultAction,
  CstaFaultMatch,
  FaultRuleInput,
  HttpFaultMatch,
  RtpFaultMatch,
  SipFaultAction,
  SipFaultMatch,
  StunFaultMatch,
  TlsFaultMatch,
} from "./fault-rule.js";

/** A rule compiled for the engine: the points it watches and its predicate. */
export interface CompiledMatch {
  readonly points: readonly FaultPoint[];
  /** Only called for one of `points`, so the context is of this rule's layer. */
  matches(context: AnyFaultContext): boolean;
}

export type AnyFaultContext = FaultPoints[FaultPoint]["context"];

/** Compiles a validated rule (patterns are known to compile). */
export function compileMatch(rule: FaultRuleInput): CompiledMatch {
  switch (rule.layer) {
    case "sip":
      return {
        points: sipPoints(rule.match ?? {}, rule.action),
        matches: sipMatcher(rule.match ?? {}, rule.action),
      };
    case "tls":
      return { points: ["tls.accept"], matches: tlsMatcher(rule.match ?? {}) };
    case "http":
      return { points: ["http.request"], matches: httpMatcher(rule.match ?? {}) };
    case "rtp": {
      const action = rule.action;
      const direction =
        action.type === "stop"
          ? action.direction === "send"
            ? "out"
            : "in"
          : action.type === "ssrc"
            ? "out"
            : rule.match?.direction;
      return {
        points: direction === undefined ? ["rtp.in", "rtp.out"] : [`rtp.${direction}`],
        matches: rtpMatcher(rule.match ?? {}),
      };
    }
    case "stun":
      return { points: ["stun.binding"], matches: stunMatcher(rule.match ?? {}) };
    case "csta":
      return { points: [cstaPoint(rule.action)], matches: cstaMatcher(rule.match ?? {}) };
  }
}

/** Each CSTA action has one place to act: the session INVITE, a request we send, an event we get. */
function cstaPoint(action: CstaFaultAction): FaultPoint {
  if (action.type === "session-refuse") return "csta.session";
  return action.type === "drop-event" ? "csta.event" : "csta.request";
}

function cstaMatcher(m: CstaFaultMatch): CompiledMatch["matches"] {
  const services = m.service === undefined ? undefined : ([] as string[]).concat(m.service);
  return (context) => {
    const ctx = context as CstaFaultContext;
    return (
      (services === undefined || services.includes(ctx.service)) &&
      identifies(m.trunk, ctx.trunk) &&
      identifies(m.tenant, ctx.tenant) &&
      identifies(m.user, ctx.users)
    );
  };
}

function sipPoints(match: SipFaultMatch, action: SipFaultAction): FaultPoint[] {
  // Only a request we received can be answered; only what we send can be garbled.
  if (action.type === "respond") return ["sip.in"];
  if (action.type === "corrupt") return ["sip.out"];
  return match.direction === undefined ? ["sip.in", "sip.out"] : [`sip.${match.direction}`];
}

function sipMatcher(m: SipFaultMatch, action: SipFaultAction): CompiledMatch["matches"] {
  const kind = m.message ?? (m.status !== undefined || m.statusClass !== undefined ? "response" : "request");
  const methods = m.method === undefined ? undefined : ([] as string[]).concat(m.method);
  const headers = (m.headers ?? []).map((h) => ({ name: h.header, pattern: new RegExp(h.pattern, "i") }));
  return (context) => {
    const ctx = context as SipFaultContext;
    return (
      ctx.kind === kind &&
      (action.type !== "respond" || ctx.method !== "ACK") &&
      (methods === undefined || methods.includes(ctx.method)) &&
      (m.status === undefined || ctx.status === m.status) &&
      (m.statusClass === undefined || Math.floor((ctx.status ?? 0) / 100) === m.statusClass) &&
      identifies(m.trunk, ctx.trunk) &&
      identifies(m.tenant, ctx.tenant) &&
      identifies(m.user, ctx.users) &&
      headers.every((h) => ctx.header(h.name).some((value) => h.pattern.test(value)))
    );
  };
}

function tlsMatcher(m: TlsFaultMatch): CompiledMatch["matches"] {
  return (context) =>
    m.remoteAddress === undefined || (context as TlsFaultContext).remoteAddress === m.remoteAddress;
}

function httpMatcher(m: HttpFaultMatch): CompiledMatch["matches"] {
  const glob = m.path === undefined ? undefined : globToRegExp(m.path);
  const pattern = m.pathPattern === undefined ? undefined : new RegExp(m.pathPattern);
  return (context) => {
    const ctx = context as HttpFaultContext;
    return (
      (m.method === undefined || ctx.method === m.method) &&
      (glob === undefined || glob.test(ctx.path)) &&
      (pattern === undefined || pattern.test(ctx.path)) &&
      identifies(m.tenant, ctx.tenant)
    );
  };
}

function rtpMatcher(m: RtpFaultMatch): CompiledMatch["matches"] {
  return (context) => {
    const ctx = context as RtpFaultContext;
    return (
      (m.callId === undefined || ctx.callId === m.callId) &&
      identifies(m.tenant, ctx.tenant) &&
      identifies(m.trunk, ctx.trunk)
    );
  };
}

function stunMatcher(m: StunFaultMatch): CompiledMatch["matches"] {
  return (context) => {
    const ctx = context as StunFaultContext;
    return (
      (m.remoteAddress === undefined || ctx.remoteAddress === m.remoteAddress) &&
      (m.transport === undefined || ctx.transport === m.transport)
    );
  };
}

/** `*` is any run of characters but "/", `**` any run at all; the whole path must match. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      source += ".*";
      i++;
    } else if (c === "*") source += "[^/]*";
    else source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** Unset matches anything; otherwise one of the identifiers, ignoring case and a leading "+". */
function identifies(wanted: string | undefined, identifiers: readonly string[]): boolean {
  if (wanted === undefined) return true;
  const key = normalize(wanted);
  return identifiers.some((id) => normalize(id) === key);
}

function normalize(identifier: string): string {
  return identifier.toLowerCase().replace(/^\+/, "");
}
