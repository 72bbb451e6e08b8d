import type { FaultRule } from "../faults/index.js";
import { TAKEOVER_REASON } from "../registrar/index.js";
import type { Clock } from "../shared/clock.js";
import type { Store } from "../store/index.js";
import {
  apiKeyCause,
  type CallToPbxView,
  callToPbxCause,
  ctiFaultCause,
  faultDropCause,
  hitsCtiOf,
  hitsRegisterOf,
  iso,
  refusalCause,
  registerFaultCause,
  repeatedDropCause,
  takeoverCause,
  tlsFaultCause,
  tlsVersionFaultCause,
  transportFailureCause,
} from "./diagnose-causes.js";
import type { DiagnoseEvidence, TrunkEvidence } from "./diagnose-evidence.js";
import { jwtFinding } from "./diagnose-jwt.js";
import type { JwtService } from "./jwt/index.js";
import type { RegistrationView } from "./registration-view.js";

export interface TrunkDiagnosis {
  readonly name: string;
  readonly systemId: string;
  readonly username: string;
  readonly status: "available" | "unavailable";
  readonly lines: { readonly inUse: number; readonly limit: number };
  /** What is wrong right now, in plain words. */
  readonly problems: string[];
  /** What is worth knowing but not wrong. */
  readonly notes: string[];
}

export interface Diagnosis {
  readonly tenantId: string;
  readonly name: string;
  readonly flavour: string;
  readonly checkedAt: number;
  readonly ok: boolean;
  readonly problems: string[];
  /** Nothing is wrong yet, but will be (a JWT about to expire). */
  readonly warnings: string[];
  readonly notes: string[];
  readonly trunks: TrunkDiagnosis[];
}

/** The loaded fault rules, with their hit counters (the fault engine). */
export interface FaultRuleView {
  list(): readonly FaultRule[];
}

/** The newest call the PBX placed on a trunk, as the call journal has it. */
export interface PbxCallView {
  readonly to: string;
  readonly createdAt: number;
  readonly answeredAt: number | null;
  readonly finalStatus: number | null;
  readonly hangupCause: string | null;
}

export interface DiagnoseDependencies {
  readonly store: Store;
  readonly registrations: RegistrationView;
  readonly jwt: JwtService;
  readonly linesInUse: (trunkId: string) => number;
  /** The newest PBX → user call of a trunk, if any. */
  readonly lastPbxCall: (trunkId: string) => PbxCallView | undefined;
  /** The newest user → PBX call of a trunk, if any. */
  readonly lastCallToPbx?: (trunkId: string) => CallToPbxView | undefined;
  readonly clock: Clock;
  readonly startedAt: number;
  readonly evidence: DiagnoseEvidence;
  readonly faults: FaultRuleView;
  /**
   * The SIP port the PBX connects to, the TLS versions it accepts (without faults) and when
   * the first of its server certificates expires (null: not known).
   */
  readonly sip: {
    readonly port: number;
    readonly tlsMin: string;
    readonly tlsMax: string;
    readonly certificateNotAfter: number | null;
  };
  /** Real time: PBXs check certificates against it, not against the emulator clock. */
  readonly wallClock: Clock;
  /** The registration interval granted when the PBX asks for none: how long a takeover stays news. */
  readonly registerIntervalSec: number;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Like the PBX's "Diagnose" page, from the connector's side: per problem one sentence naming
 * the cause the emulator saw (a fault rule's hits, failed TLS handshakes, the last REGISTER's
 * answer, the JWT state, the line count) and the fix. Only current evidence counts: what
 * happened before the trunk's last successful REGISTER, or was caused by a fault rule since
 * removed, is not a problem any more.
 */
export class DiagnoseService {
  constructor(private readonly deps: DiagnoseDependencies) {}

  diagnose(tenantId: string): Diagnosis {
    const { store, clock } = this.deps;
    const tenant = store.tenants.get(tenantId)!;
    const now = clock.now();
    const problems: string[] = [];
    const warnings: string[] = [];
    const notes: string[] = [];
    const jwt = jwtFinding(tenant, this.deps.jwt.status(tenantId), this.deps.jwt.outage(tenantId), now);
    if (jwt) (jwt.kind === "problem" ? problems : jwt.kind === "warning" ? warnings : notes).push(jwt.text);
    const certificate = certificateFinding(this.deps.sip.certificateNotAfter, this.deps.wallClock.now());
    if (certificate) (certificate.kind === "problem" ? problems : warnings).push(certificate.text);

    const rules = this.deps.faults.list();
    const trunks = store.trunks
      .listByTenant(tenantId)
      .map((trunk) => this.trunk(trunk, [tenant.id, tenant.name], rules, now));
    if (trunks.length === 0) notes.push("No PBX system is provisioned for this tenant yet.");
    if (rules.length > 0) {
      const names = rules.map((r) => `"${r.name ?? r.id}" (${r.hits} hit${r.hits === 1 ? "" : "s"})`);
      notes.push(
        `${rules.length} fault rule${rules.length === 1 ? " is" : "s are"} loaded (GET /api/admin/faults): ${names.join(", ")}.`,
      );
    }
    const all = [...problems, ...trunks.flatMap((t) => t.problems.map((p) => `${t.name}: ${p}`))];
    return {
      tenantId,
      name: tenant.name,
      flavour: tenant.flavour,
      checkedAt: now,
      ok: all.length === 0,
      problems: all,
      warnings,
      notes,
      trunks,
    };
  }

  private trunk(
    trunk: { id: string; name: string; username: string; systemRef: string },
    tenant: readonly string[],
    rules: readonly FaultRule[],
    now: number,
  ): TrunkDiagnosis {
    const system = this.deps.store.systems.get(trunk.systemRef);
    const limit = system?.simultaneousCalls ?? 0;
    const inUse = this.deps.linesInUse(trunk.id);
    const bindings = this.deps.registrations.bindingsFor(trunk.id);
    const ev = this.deps.evidence.forTrunk(trunk.id);
    const problems: string[] = [];
    const notes: string[] = [];
    const registered = bindings.length > 0;
    const latest = registered ? [...bindings].sort((a, b) => b.expiresAt - a.expiresAt)[0]! : undefined;
    if (latest) {
      const minutes = Math.floor((now - latest.registeredAt) / 60_000);
      notes.push(
        `Registered from ${latest.remote.address}:${latest.remote.port} over ${latest.transport} since ${iso(latest.registeredAt)} (${minutes} min); expires ${iso(latest.expiresAt)}.`,
      );
      if (bindings.length > 1) notes.push(`${bindings.length} contacts are bound to this trunk.`);
    } else {
      problems.push(this.notRegistered(trunk, tenant, ev, rules));
    }
    const windowMs = latest ? latest.expiresAt - latest.registeredAt : this.deps.registerIntervalSec * 1000;
    const takeovers = ev.drops.filter((d) => d.reason === TAKEOVER_REASON && now - d.at <= windowMs);
    if (takeovers.length > 0) {
      problems.push(`${capital(takeoverCause(takeovers.length, takeovers.at(-1)!.at))}.`);
    }
    if (latest) {
      const refused = this.deps.evidence.apiKeyRefusals().find((r) => r.address === latest.remote.address);
      if (refused) problems.push(`${capital(apiKeyCause(refused))}.`);
    }
    if (registered) {
      problems.push(...this.drops(ev, rules, now));
      const { lastRefusal, lastSuccess } = ev;
      if (
        lastRefusal &&
        (!lastSuccess || lastRefusal.at > lastSuccess.at) &&
        !/cloned system/.test(lastRefusal.reason)
      )
        problems.push(`${capital(refusalCause(lastRefusal))}.`);
      const ids = [trunk.id, trunk.name, trunk.username];
      for (const rule of rules)
        if (rule.layer === "csta" && hitsCtiOf(rule, ids, tenant)) problems.push(ctiFaultCause(rule));
    }
    if (limit === 0)
      problems.push(
        "No Unify Phone trunk lines are configured (0/0): every call gets 503 — set the number of simultaneous Unify Phone calls in the connector wizard (OSBiz derives it from the upstream bandwidth).",
      );
    else if (inUse >= limit)
      problems.push(
        `All trunk lines are busy (${inUse}/${limit}): new calls get 503 — wait for a call to end, or raise the number of simultaneous Unify Phone calls in the connector wizard.`,
      );
    else notes.push(`${inUse}/${limit} lines in use.`);
    const call = this.deps.lastPbxCall(trunk.id);
    const callProblem = call && lastCallCause(call);
    if (callProblem) problems.push(callProblem);
    const toPbx = this.deps.lastCallToPbx?.(trunk.id);
    const refusal = toPbx && callToPbxCause(toPbx);
    if (refusal) problems.push(refusal);
    return {
      name: trunk.name,
      systemId: system?.systemId ?? "",
      username: trunk.username,
      status: registered ? "available" : "unavailable",
      lines: { inUse, limit },
      problems,
      notes,
    };
  }

  /** One sentence: not registered since when, and the most specific cause seen since. */
  private notRegistered(
    trunk: { id: string; name: string; username: string },
    tenant: readonly string[],
    ev: Readonly<TrunkEvidence>,
    rules: readonly FaultRule[],
  ): string {
    const { port } = this.deps.sip;
    const last = ev.lastStatus;
    const head = last
      ? `Not registered since ${iso(last.at)} (${last.reason})`
      : `Not registered since the emulator started (${iso(this.deps.startedAt)})`;
    // Evidence older than the last accepted REGISTER explains nothing any more.
    const since = ev.lastSuccess?.at ?? Number.NEGATIVE_INFINITY;
    const recent = rules.filter((r) => r.lastHitAt !== null && r.lastHitAt >= since);
    const ids = [trunk.id, trunk.name, trunk.username];
    const known = [ev.lastSuccess?.remote, ev.lastRefusal?.remote].filter((r) => r !== undefined);
    const failures = this.deps.evidence
      .failuresSince(since)
      .filter((f) => known.length === 0 || known.some((r) => r.startsWith(`${f.address}:`)));
    const causes = [
      ...recent.map((r) =>
        r.layer === "sip" && hitsRegisterOf(r, ids, tenant) ? registerFaultCause(r) : undefined,
      ),
      ...recent.map((r) => (r.layer === "tls" ? tlsFaultCause(r, port) : undefined)),
      ...recent.map((r) =>
        r.layer === "tls"
          ? tlsVersionFaultCause(
              r,
              failures.find((f) => f.kind === "tls-error"),
            )
          : undefined,
      ),
      ...failures.map((f) =>
        transportFailureCause(f, { min: this.deps.sip.tlsMin, max: this.deps.sip.tlsMax }),
      ),
      ev.lastRefusal && ev.lastRefusal.at >= since ? refusalCause(ev.lastRefusal) : undefined,
    ];
    const cause = causes.find((c) => c !== undefined);
    if (cause) return `${head}: ${cause}.`;
    if (last)
      return `${head}: the PBX has not registered again — check that it is up and reaches TLS port ${port} of the connector.`;
    const refused = this.deps.evidence.apiKeyRefusals()[0];
    if (refused) return `${head}: no REGISTER has arrived for this trunk, and ${apiKeyCause(refused)}.`;
    return `${head}: no REGISTER has arrived for this trunk — check the PBX's Unify Phone connector settings and that TLS to port ${port} is reachable from the PBX (firewall).`;
  }

  /** Drops while registered: by a fault rule still loaded, or repeatedly in the last hour. */
  private drops(ev: Readonly<TrunkEvidence>, rules: readonly FaultRule[], now: number): string[] {
    const closed = ev.drops.filter((d) => d.reason.startsWith("connection closed"));
    for (const rule of rules) {
      const byRule = closed.filter(
        (d) => d.reason.includes(`fault ${rule.id}:`) || d.reason.endsWith(`fault ${rule.id}`),
      );
      if (byRule.length > 0) return [faultDropCause(rule, byRule.length, byRule.at(-1)!.at)];
    }
    const recent = closed.filter((d) => now - d.at <= HOUR_MS && !/\bfault \S+/.test(d.reason));
    return recent.length >= 2
      ? [repeatedDropCause(recent.length, recent.at(-1)!.at, recent.at(-1)!.reason)]
      : [];
  }
}

const CERTIFICATE_WARNING_MS = 30 * 24 * 60 * 60 * 1000;

/** The connector's own SIP certificate: expired (every checking PBX fails), or expiring soon. */
function certificateFinding(
  notAfter: number | null,
  now: number,
): { kind: "problem" | "warning"; text: string } | undefined {
  if (notAfter === null || notAfter - now > CERTIFICATE_WARNING_MS) return undefined;
  const renew =
    "renew it (unify-phone-emulator certs --force, or a new --cert-file) and restart the emulator";
  if (notAfter <= now)
    return {
      kind: "problem",
      text: `The connector's SIP server certificate expired on ${iso(notAfter)}: every PBX that checks certificates aborts the TLS handshake (certificate has expired) and cannot register — ${renew}.`,
    };
  return {
    kind: "warning",
    text: `The connector's SIP server certificate expires on ${iso(notAfter)}: PBXs cannot register after that — ${renew} before then.`,
  };
}

const capital = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/** The newest PBX call failed for a reason of configuration (a later good call clears it). */
function lastCallCause(call: PbxCallView): string | undefined {
  if (call.answeredAt !== null || call.finalStatus === null) return undefined;
  const head = `The last call from the PBX (to ${call.to} at ${iso(call.createdAt)}) got ${call.finalStatus}`;
  if (call.finalStatus === 404 && call.hangupCause === "number not in the numbering plan")
    return `${head}: the number does not match the connector's numbering plan — run the connector wizard again so the connector's numbering matches what the PBX dials.`;
  if (call.finalStatus === 488 && /SRTP/.test(call.hangupCause ?? ""))
    return `${head}: the PBX offered SRTP only and the connector is RTP only — set the Unify Phone trunk's media security to RTP on the PBX.`;
  return undefined;
}
