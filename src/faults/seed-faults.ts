import { formatSeedPath, type SeedDocument, SeedError, sourceOf } from "../seed/index.js";
import type { FaultEngine } from "./fault-engine.js";
import type { FaultRule } from "./fault-rule.js";
import { FaultRuleError } from "./fault-rule-error.js";
import { parseFaultRules } from "./parse-fault-rules.js";

/**
 * Loads a seed's top-level `faults:` list into the engine. A rule without an id gets
 * `seed-<position>`; a rule replaces one with the same id, so applying a seed twice is
 * harmless. Problems become a SeedError naming the file, the path and the line.
 */
export function applySeedFaults(engine: FaultEngine, seed: SeedDocument): FaultRule[] {
  let rules: ReturnType<typeof parseFaultRules>;
  try {
    rules = parseFaultRules(seed.faults, "faults");
  } catch (error) {
    if (!(error instanceof FaultRuleError)) throw error;
    const source = sourceOf(seed);
    const issues = error.issues.map((issue) => {
      const path = ["faults", ...issue.segments];
      return { path: formatSeedPath(path), message: issue.message, ...source?.locate(path) };
    });
    throw new SeedError(issues, source?.file);
  }
  return rules.map((rule, i) => {
    const id = rule.id ?? `seed-${i + 1}`;
    engine.remove(id);
    return engine.add({ ...rule, id });
  });
}
