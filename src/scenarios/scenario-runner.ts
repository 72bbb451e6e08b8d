import { applyScenario, type ScenarioApplied, type ScenarioDeps } from "./apply-scenario.js";
import type { Scenario } from "./scenario.js";
import type { ScenarioCatalog } from "./scenario-catalog.js";

/**
 * The scenarios of a running emulator: the catalog, and `apply` one at a time (two
 * requests at once must not interleave their seeds and faults).
 */
export class ScenarioRunner {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ScenarioDeps) {}

  get catalog(): ScenarioCatalog {
    return this.deps.catalog;
  }

  /** A catalog name or a file path (startup), or a loaded scenario; see `applyScenario`. */
  apply(scenario: string | Scenario): Promise<ScenarioApplied> {
    const run = this.queue.then(() => applyScenario(scenario, this.deps));
    this.queue = run.catch(() => undefined);
    return run;
  }
}
