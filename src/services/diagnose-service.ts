import type { RegisterAttempt, TrunkStatusEvent } from "../registrar/index.js";
import type { Clock } from "../shared/clock.js";
import type { Listeners } from "../shared/listeners.js";
import type { Store } from "../store/index.js";
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
  readonly notes: string[];
  readonly trunks: TrunkDiagnosis[];
}

/** Fault hits the diagnosis can mention (the fault engine supplies them). */
export interface FaultHitView {
  /** Rules currently loaded. */
  active(): number;
  /** The most recent hit of any rule. */
  lastHit(): { faultId: string; name?: string; at: number; action: string; point: string } | undefined;
}

export interface DiagnoseDependencies {
  readonly store: Store;
  readonly registrations: RegistrationView;
  readonly jwt: JwtService;
  readonly linesInUse: (trunkId: string) => number;
  readonly clock: Clock;
  readonly startedAt: number;
  readonly trunkStatus: Listeners<TrunkStatusEvent>;
  readonly attempts: Listeners<RegisterAttempt>;
  readonly faults: FaultHitView;
}

/**
 * Like the PBX's "Diagnose" page, from the connector's side: per trunk, what is wrong now
 * and since when — registration, refused REGISTERs, busy lines, the tenant's JWT.
 */
export class DiagnoseService {
  private readonly lastStatus = new Map<string, TrunkStatusEvent>();
  private readonly lastRefusal = new Map<string, RegisterAttempt>();
  private readonly lastSuccess = new Map<string, RegisterAttempt>();
  private readonly store: Store;
  private readonly registrations: RegistrationView;
  private readonly jwt: JwtService;
  private readonly linesInUse: (trunkId: string) => number;
  private readonly clock: Clock;
  private readonly startedAt: number;
  private readonly faults: FaultHitView;

  constructor(deps: DiagnoseDependencies) {
    this.store = deps.store;
    this.registrations = deps.registrations;
    this.jwt = deps.jwt;
    this.linesInUse = deps.linesInUse;
    this.clock = deps.clock;
    this.startedAt = deps.startedAt;
    this.faults = deps.faults;
    deps.trunkStatus.on((e) => this.lastStatus.set(e.trunkId, e));
    deps.attempts.on((a) => (a.status < 300 ? this.lastSuccess : this.lastRefusal).set(a.trunkId, a));
  }

  diagnose(tenantId: string): Diagnosis {
    const tenant = this.store.tenants.get(tenantId)!;
    const now = this.clock.now();
    const problems: string[] = [];
    const notes: string[] = [];
    const jwt = this.jwt.status(tenantId);
    const when = (ms: number | null) => (ms === null ? "?" : new Date(ms).toISOString());
    const affectsService = tenant.flavour === "video";
    switch (jwt.status) {
      case "not_set":
        if (affectsService)
          problems.push(
            "No JWT is configured: Unify Phone does not work for this tenant and new users cannot be provisioned (PBX sees 'no connection to REST API').",
          );
        break;
      case "expired":
        (affectsService ? problems : notes).push(
          `The JWT expired on ${when(jwt.expiresAt)}${affectsService ? ": Unify Phone does not work until a new one is set." : "."}`,
        );
        break;
      case "invalid":
        (affectsService ? problems : notes).push(
          `The JWT${jwt.label ? ` "${jwt.label}"` : ""} was invalidated (revoked in the portal)${affectsService ? ": Unify Phone does not work until a new one is set." : "."}`,
        );
        break;
      case "expiring":
        notes.push(`The JWT expires on ${when(jwt.expiresAt)} (within 30 days): create a new one in time.`);
        break;
      case "active":
        break;
    }
    const trunks = this.store.trunks.listByTenant(tenantId).map((trunk) => {
      const system = this.store.systems.get(trunk.systemRef);
      const limit = system?.simultaneousCalls ?? 0;
      const inUse = this.linesInUse(trunk.id);
      const bindings = this.registrations.bindingsFor(trunk.id);
      const tp: string[] = [];
      const tn: string[] = [];
      if (bindings.length > 0) {
        const latest = [...bindings].sort((a, b) => b.expiresAt - a.expiresAt)[0]!;
        tn.push(
          `Registered from ${latest.remote.address}:${latest.remote.port} over ${latest.transport} since ${when(latest.registeredAt)}; expires ${when(latest.expiresAt)}.`,
        );
        if (bindings.length > 1) tn.push(`${bindings.length} contacts are bound to this trunk.`);
      } else {
        const last = this.lastStatus.get(trunk.id);
        tp.push(
          last
            ? `Not registered since ${when(last.at)} (${last.reason}).`
            : `Not registered since the emulator started (${when(this.startedAt)}): is TLS to port 65061 reachable from the PBX (firewall)?`,
        );
      }
      const refusal = this.lastRefusal.get(trunk.id);
      const success = this.lastSuccess.get(trunk.id);
      if (refusal && (!success || refusal.at > success.at)) {
        tp.push(
          `The last REGISTER from ${refusal.remote} was refused at ${when(refusal.at)}: ${refusal.status} ${refusal.reason}.`,
        );
      }
      if (limit > 0 && inUse >= limit)
        tp.push(`All trunk lines are busy (${inUse}/${limit}): new calls get 503.`);
      else tn.push(`${inUse}/${limit} lines in use.`);
      return {
        name: trunk.name,
        systemId: system?.systemId ?? "",
        username: trunk.username,
        status: bindings.length > 0 ? ("available" as const) : ("unavailable" as const),
        lines: { inUse, limit },
        problems: tp,
        notes: tn,
      };
    });
    if (trunks.length === 0) notes.push("No PBX system is provisioned for this tenant yet.");
    const rules = this.faults.active();
    const hit = this.faults.lastHit();
    if (rules > 0 || hit) {
      // Injected faults are deliberate, but they explain symptoms: always say so.
      problems.push(
        `${rules} fault rule${rules === 1 ? " is" : "s are"} loaded (GET /api/admin/faults)${hit ? `; the last hit was ${hit.name ?? hit.faultId} at ${when(hit.at)} on ${hit.point}: ${hit.action}` : ""}.`,
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
      notes,
      trunks,
    };
  }
}
