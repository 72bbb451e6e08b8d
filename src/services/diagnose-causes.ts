import type { FaultRule } from "../faults/index.js";
import type { RegisterAttempt } from "../registrar/index.js";
import type { ApiKeyRefusals, TransportFailure } from "./diagnose-evidence.js";

/**
 * One sentence per cause: what the emulator saw and what fixes it. Pure functions over the
 * evidence; the diagnosis picks which apply. Injected faults are named as such, with the
 * real-world cause they play and how to remove them.
 */

export const iso = (ms: number | null): string => (ms === null ? "?" : new Date(ms).toISOString());

/** A PBX gives up on a transaction 64×T1 after sending it (RFC 3261 §17.1.1.2, §17.1.2.2). */
const TRANSACTION_TIMEOUT_MS = 32_000;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

function fault(rule: FaultRule): string {
  return `fault "${rule.name ?? rule.id}" (${plural(rule.hits, "hit")}, last at ${iso(rule.lastHitAt)})`;
}

const removal = (rule: FaultRule) => `remove the fault (DELETE /api/admin/faults/${rule.id})`;

/** Whether a SIP rule can act on a REGISTER of this trunk from the PBX. */
export function hitsRegisterOf(
  rule: FaultRule,
  trunk: readonly string[],
  tenant: readonly string[],
): boolean {
  if (rule.layer !== "sip") return false;
  const m = rule.match;
  if (
    m.direction === "out" ||
    m.message === "response" ||
    m.status !== undefined ||
    m.statusClass !== undefined
  )
    return false;
  if (m.method !== undefined && ![m.method].flat().some((x) => x.toUpperCase() === "REGISTER")) return false;
  if (m.trunk !== undefined && !trunk.includes(m.trunk)) return false;
  return m.tenant === undefined || tenant.includes(m.tenant);
}

/** Why REGISTERs of a trunk fail, when a SIP rule that hit them explains it. */
export function registerFaultCause(rule: FaultRule & { layer: "sip" }): string | undefined {
  const a = rule.action;
  switch (a.type) {
    case "respond": {
      const answer = `${a.status}${a.reason ? ` ${a.reason}` : ""}${a.retryAfter === undefined ? "" : ` (Retry-After ${a.retryAfter})`}`;
      const plays = a.status === 503 ? ", as an overloaded registrar does" : "";
      return `its REGISTERs are answered ${answer} by ${fault(rule)}${plays} — ${removal(rule)} and the PBX registers at its next attempt`;
    }
    case "delay": {
      const ms = "minMs" in a && a.ms === undefined ? a.minMs : a.ms;
      if (ms === undefined || ms < TRANSACTION_TIMEOUT_MS) return undefined;
      return `the connector answers its REGISTERs only after ${ms / 1000} s (${fault(rule)}), later than the PBX waits (64×T1 = 32 s), so the PBX gives up as on 408 Request Timeout — ${removal(rule)}`;
    }
    case "close":
    case "reset":
      return `its connection is closed when a REGISTER arrives (${fault(rule)}) — ${removal(rule)}`;
    case "drop":
      return `its REGISTERs are dropped unanswered (${fault(rule)}) — ${removal(rule)}`;
    case "corrupt":
      return `its REGISTER traffic is corrupted (${fault(rule)}) — ${removal(rule)}`;
    default:
      return undefined;
  }
}

/** Why TLS connections to the SIP port fail, when a TLS rule explains it on its own. */
export function tlsFaultCause(rule: FaultRule & { layer: "tls" }, port: number): string | undefined {
  const a = rule.action;
  const open = `open TCP ${port} from the PBX to the connector (here: ${removal(rule)})`;
  switch (a.type) {
    case "refuse":
      return `every TLS connection to port ${port} is reset before the handshake (${fault(rule)}), as a firewall rejecting TLS to port ${port} does — ${open}`;
    case "stall":
      return `TLS connections to port ${port} are accepted but never answered (${fault(rule)}), as a firewall silently dropping them does — ${open}`;
    case "expired-certificate":
      return `the connector presents a server certificate that has expired (${fault(rule)}), so the PBX aborts every TLS handshake (certificate has expired) — renew the connector's certificate (here: ${removal(rule)})`;
    case "wrong-host-certificate":
      return `the connector presents a certificate for ${a.host ?? "wrong-host.invalid"} (${fault(rule)}), not for the host name the PBX connects to, so the PBX aborts the TLS handshake — ${removal(rule)}`;
    case "untrusted-certificate":
      return `the connector presents a certificate from a CA the PBX does not trust (${fault(rule)}), so the PBX aborts the TLS handshake — ${removal(rule)}`;
    default:
      return undefined;
  }
}

const VERSION = /unsupported protocol|protocol version|wrong version number|no protocols available/i;

/** A version-limiting TLS rule explains failures only when handshakes did fail on the version. */
export function tlsVersionFaultCause(
  rule: FaultRule & { layer: "tls" },
  failure: TransportFailure | undefined,
): string | undefined {
  const a = rule.action;
  if (a.type !== "limit-version" || !failure || !VERSION.test(failure.message)) return undefined;
  const range = `${a.minVersion ?? "any"}–${a.maxVersion ?? "any"}`;
  return `TLS handshakes from ${failure.address} fail (${plural(failure.count, "time")}, last at ${iso(failure.at)}) because the connector accepts TLS ${range} only (${fault(rule)}) and the PBX offers none of these — enable ${a.minVersion ?? "a newer TLS version"} on the PBX (here: ${removal(rule)})`;
}

/** A failed handshake or refused connection, with no fault behind it. */
export function transportFailureCause(f: TransportFailure, tls: { min: string; max: string }): string {
  const seen = `${plural(f.count, "time")}, last at ${iso(f.at)}`;
  const from = f.address;
  if (f.kind === "connection-refused")
    return `connections from ${from} are refused (${f.message}; ${seen}) — the PBX holds too many connections to the connector: close the stale ones`;
  const m = f.message;
  if (VERSION.test(m))
    return `TLS handshakes from ${from} fail (${seen}): the PBX and the connector share no TLS version (the connector accepts ${tls.min}–${tls.max}) — enable ${tls.min} or later on the PBX`;
  if (/not finished in time/.test(m))
    return `TLS handshakes from ${from} do not finish in time (${seen}) — check the path between the PBX and the connector for a proxy or firewall that holds the connection`;
  if (/certificate expired|alert number 45/i.test(m))
    return `the PBX at ${from} rejects the connector's certificate as expired (${seen}) — renew the connector's certificate`;
  if (/unknown ca|bad certificate|certificate unknown|alert number 4[268]/i.test(m))
    return `the PBX at ${from} does not accept the connector's certificate (${m.trim()}; ${seen}) — import the connector's CA on the PBX and check the host name it connects to`;
  if (/no shared cipher|handshake failure|alert number 40/i.test(m))
    return `TLS handshakes from ${from} fail, no cipher suite in common (${seen}) — enable ECDHE with AES-GCM or ChaCha20-Poly1305 on the PBX`;
  if (/ECONNRESET|socket hang up|disconnected/i.test(m))
    return `the PBX at ${from} closes the connection during the TLS handshake (${seen}), which is how it rejects a certificate it does not trust — check that the PBX trusts the connector's CA and host name`;
  return `TLS handshakes from ${from} fail (${m.trim()}; ${seen}) — check the PBX's TLS settings`;
}

/** A refused REGISTER: the answer and what the PBX's administrator should change. */
export function refusalCause(a: RegisterAttempt): string {
  const answer = `the last REGISTER from ${a.remote} was refused at ${iso(a.at)}: ${a.status} ${a.reason}`;
  if (/cloned system/.test(a.reason))
    return `${answer} — another PBX holds this trunk with the same credentials (a cloned or restored system): deactivate the Unify Phone connector on the clone`;
  if (/wrong password/.test(a.reason))
    return `${answer} — enter the trunk user and password the connector wizard gave (or run the wizard again)`;
  if (a.status === 423) return `${answer} — raise the PBX's registration interval to the Min-Expires given`;
  return answer;
}

/** Two connections take the trunk from each other. */
export function takeoverCause(count: number, at: number): string {
  return `two PBXs register this trunk with the same credentials and take it over from each other (${plural(count, "time")}, last at ${iso(at)}): a cloned or restored system runs with the connector configuration active — deactivate the Unify Phone connector on the clone`;
}

/** Drops caused by a loaded fault that closes connections. */
export function faultDropCause(rule: FaultRule, drops: number, lastAt: number): string {
  return `The connection drops (${plural(drops, "time")}, last at ${iso(lastAt)}): ${fault(rule)} closes it, as a NAT or firewall with a session timeout shorter than the re-registration interval does — ${removal(rule)}.`;
}

/** Repeated drops with no fault behind them. */
export function repeatedDropCause(drops: number, lastAt: number, reason: string): string {
  return `The trunk dropped ${plural(drops, "time")} in the last hour (last at ${iso(lastAt)}: ${reason}) — something on the path cuts the connection: make NAT and firewall session timeouts longer than the PBX's re-registration interval.`;
}

/** The PBX's REST requests refused for their API key: a stale key after a regeneration. */
export function apiKeyCause(r: ApiKeyRefusals): string {
  return `the REST API refused ${plural(r.count, "request")} from ${r.address} with a missing or unknown API key (last at ${iso(r.at)}), as after the tenant's API key was regenerated — enter the tenant's current API key (GET /api/admin/tenants) in the PBX's connector wizard`;
}

/** The newest call toward the PBX, as far as a refusal explains it. */
export interface CallToPbxView {
  readonly to: string;
  readonly createdAt: number;
  readonly answeredAt: number | null;
  readonly finalStatus: number | null;
  readonly hangupCause: string | null;
  readonly refusedBy: "pbx" | "connector" | null;
  readonly warning: string | null;
}

/**
 * The newest call toward the PBX was refused: by the PBX itself (its Warning says why — a
 * user's licence, station type or route flag, its RTP proxy channels) or by the connector
 * (all trunk lines busy). A later answered call clears it.
 */
export function callToPbxCause(call: CallToPbxView): string | undefined {
  if (call.answeredAt !== null || call.finalStatus === null || call.refusedBy === null) return undefined;
  const said = call.warning ? ` (Warning: "${call.warning}")` : "";
  if (call.refusedBy === "connector") {
    if (!/all trunk lines busy/.test(call.hangupCause ?? "")) return undefined;
    return `The connector refused the last call to the PBX (to ${call.to} at ${iso(call.createdAt)}): ${call.finalStatus} ${call.hangupCause} — the connector's own line limit, not the PBX: raise the number of simultaneous Unify Phone calls in the connector wizard, or wait for a call to end.`;
  }
  const head = `The PBX refused the last call to it (to ${call.to} at ${iso(call.createdAt)}): ${call.hangupCause}${said}`;
  // The reason phrase first, the Warning text when the phrase says nothing we know.
  for (const text of [call.hangupCause ?? "", call.warning ?? ""]) {
    const fix = pbxRefusalFix(text);
    if (fix) return `${head} — the PBX refused calls: ${fix}`;
  }
  return call.warning ? `${head} — the PBX refused the call; its Warning names the cause.` : undefined;
}

function pbxRefusalFix(text: string): string | undefined {
  if (/RTP proxy channels/i.test(text))
    return "RTP proxy channels exhausted. ITSP, Device@Home and Unify Phone calls share them (60 on an X model, 180 on an S model): wait for calls to end, or move load off the PBX.";
  if (/licence (missing|expired)|no Unify Phone licence|licence has expired/i.test(text))
    return `the user's Unify Phone licence is ${/expired/i.test(text) ? "expired" : "missing"}; assign a valid Unify Phone licence to the user on the PBX.`;
  if (/Trusted External User/i.test(text))
    return `the user is not a Trusted External User; set the user's station type to "Trusted External User" in the PBX's user wizard.`;
  if (/route/i.test(text))
    return "the user's Unify Phone route flag is off; switch it on for the user on the PBX.";
  return undefined;
}

/** Whether a CSTA rule can act on this trunk's CTI link (its match names no other trunk or tenant). */
export function hitsCtiOf(rule: FaultRule, trunk: readonly string[], tenant: readonly string[]): boolean {
  if (rule.layer !== "csta" || rule.hits === 0) return false;
  const same = (wanted: string | undefined, ids: readonly string[]) =>
    wanted === undefined || ids.some((id) => id.toLowerCase() === wanted.toLowerCase().replace(/^\+/, ""));
  return same(rule.match.trunk, trunk) && same(rule.match.tenant, tenant);
}

/** The desk-phone CTI link (uaCSTA session) broken by a CSTA fault rule: calls are not affected. */
export function ctiFaultCause(rule: FaultRule & { layer: "csta" }): string {
  const a = rule.action;
  const services = rule.match.service === undefined ? undefined : [rule.match.service].flat().join(", ");
  const calls = "calls are not affected";
  switch (a.type) {
    case "session-refuse":
      return `The PBX refuses the CTI link (the uaCSTA session for desk-phone control) with ${a.status ?? 403} ${a.reason ?? "Forbidden"} (${fault(rule)}): the app cannot see or control desk phones, ${calls} — enable CTI for Unify Phone on the PBX (here: ${removal(rule)}).`;
    case "no-response":
      return `The PBX does not answer the connector's CSTA requests${services ? ` (${services})` : ""} on the CTI link (${fault(rule)}): desk-phone actions time out (504), ${calls} — ${removal(rule)}.`;
    case "error":
      return `The PBX answers CSTA requests${services ? ` (${services})` : ""} on the CTI link with CSTAErrorCode ${a.category} ${a.value} (${fault(rule)}): desk-phone actions are refused (502), ${calls} — ${removal(rule)}.`;
    case "drop-event":
      return `CSTA events${services ? ` (${services})` : ""} from the PBX are lost on the CTI link (${fault(rule)}): the desk-phone state the app shows is stale, ${calls} — ${removal(rule)}.`;
  }
}
