import type { FaultEngine, FaultRule } from "../faults/index.js";
import {
  type DuplicateRegistrationPolicy,
  type MaintenancePeriod,
  maintenancePeriod,
} from "../registrar/index.js";
import { applySeed, type SeedCounts, SeedError } from "../seed/index.js";
import { applySeedJwt, type JwtService, type SeedJwtSummary } from "../services/index.js";
import type { ControllableClock } from "../shared/clock.js";
import type { Store } from "../store/index.js";
import { SCENARIO_FAULT_PREFIX } from "./parse-scenario.js";
import type { Scenario, ScenarioExpect } from "./scenario.js";
import type { ScenarioCatalog } from "./scenario-catalog.js";
import { ScenarioError } from "./scenario-error.js";
import { seedIssues } from "./scenario-seed-issues.js";

/** What applying a scenario touches: the same objects at startup and at runtime. */
export interface ScenarioDeps {
  readonly catalog: ScenarioCatalog;
  readonly store: Store;
  readonly clock: ControllableClock;
  readonly jwt: JwtService;
  readonly faults: Pick<FaultEngine, "add" | "remove" | "list">;
  /** The live registrar: its policy for a second PBX on the same trunk is set from the scenario. */
  readonly registrar: { duplicatePolicy: DuplicateRegistrationPolicy };
  /** The policy a scenario without `registrar:` restores (`--duplicate-registration`). */
  readonly defaultDuplicatePolicy: DuplicateRegistrationPolicy;
  /** The registrar's planned-outage window: set from `maintenance:`, cleared by a scenario without one. */
  readonly maintenance: { set(period: MaintenancePeriod): void; clear(): void };
  /** The SIP domain (`--domain`): the digest realm a seed's client passwords are hashed for. */
  readonly realm: string;
}

export interface ScenarioApplied {
  readonly scenario: string;
  readonly symptom: string;
  /** Every tenant of the scenario's seed, with the API key the PBX must (or must not) use. */
  readonly tenants: { id: string; name: string; apiKey: string; created: boolean }[];
  readonly seed: { created: SeedCounts; updated: SeedCounts; unchanged: SeedCounts };
  readonly jwt: SeedJwtSummary;
  readonly faults: { readonly added: FaultRule[]; readonly removed: string[] };
  /** The emulator clock after the scenario, epoch ms. */
  readonly clock: { now: number; frozen: boolean; advancedMs: number };
  readonly registrar: { duplicateRegistration: DuplicateRegistrationPolicy };
  /** The maintenance window in force, ISO 8601 on the emulator clock, or null. */
  readonly maintenance: { from: string; until: string } | null;
  readonly expect: ScenarioExpect;
}

const NO_COUNTS: SeedCounts = { tenants: 0, systems: 0, trunks: 0, users: 0 };

/**
 * Applies a scenario (a catalog name, a file path, or one already loaded), in this order:
 * clock `now`/`frozen`; the seed (idempotent, like `--seed`) and its JWT states; clock
 * `advance`; the registrar's duplicate-registration policy (the configured default when
 * the scenario names none) and maintenance window (none when the scenario names none); then the faults of any earlier scenario are removed and this
 * one's added. Faults added by hand (ids not starting with `scenario.`) stay.
 */
export async function applyScenario(
  scenario: string | Scenario,
  deps: ScenarioDeps,
): Promise<ScenarioApplied> {
  const s = typeof scenario === "string" ? deps.catalog.resolve(scenario) : scenario;
  const { clock, store } = deps;
  if (s.clock) clock.setState(s.clock);

  const existing = new Set(store.tenants.list().map((t) => t.id));
  let seed: ScenarioApplied["seed"] = { created: NO_COUNTS, updated: NO_COUNTS, unchanged: NO_COUNTS };
  let tenants: ScenarioApplied["tenants"] = [];
  let jwt: SeedJwtSummary = { changed: 0, unchanged: 0 };
  if (s.seed) {
    const summary = await located(s, () => applySeed(store, s.seed!, { clock, realm: deps.realm }));
    seed = { created: summary.created, updated: summary.updated, unchanged: summary.unchanged };
    tenants = summary.tenants.map((t) => ({ ...t, created: !existing.has(t.id) }));
    jwt = await located(s, () => applySeedJwt(deps.jwt, store, s.seed!));
  }
  const advancedMs = s.clock?.advanceMs ?? 0;
  if (advancedMs > 0) clock.advance(advancedMs);

  const policy = s.registrar?.duplicateRegistration ?? deps.defaultDuplicatePolicy;
  deps.registrar.duplicatePolicy = policy;
  const period = s.maintenance && maintenancePeriod(s.maintenance, clock.now());
  if (period) deps.maintenance.set(period);
  else deps.maintenance.clear();

  const removed = deps.faults
    .list()
    .map((rule) => rule.id)
    .filter((id) => id.startsWith(SCENARIO_FAULT_PREFIX));
  for (const id of removed) deps.faults.remove(id);
  const added = s.faults.map((rule) => deps.faults.add(rule));

  return {
    scenario: s.name,
    symptom: s.symptom,
    tenants,
    seed,
    jwt,
    faults: { added, removed },
    clock: { now: clock.now(), frozen: clock.frozen, advancedMs },
    registrar: { duplicateRegistration: policy },
    maintenance: period
      ? { from: new Date(period.from).toISOString(), until: new Date(period.until).toISOString() }
      : null,
    expect: s.expect,
  };
}

/** A seed problem found only now (a trunk username taken, a JWT that does not fit) names the scenario's line. */
async function located<T>(s: Scenario, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw error instanceof SeedError ? new ScenarioError(s.file, seedIssues(error, s.locate)) : error;
  }
}
