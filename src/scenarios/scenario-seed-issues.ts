import { formatSeedPath, type SeedError, type SeedPath } from "../seed/index.js";
import type { ScenarioIssue, ScenarioPosition } from "./scenario-error.js";

/** "tenants[0].systems[1].trunk" → ["tenants", 0, "systems", 1, "trunk"]. */
export function seedPathSegments(path: string): SeedPath {
  const segments: (string | number)[] = [];
  for (const [, index, key] of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) {
    segments.push(index === undefined ? key! : Number(index));
  }
  return segments;
}

/**
 * The issues of a SeedError raised for a scenario's `seed:` (validation, store conflicts,
 * JWT), moved under `seed` and located in the scenario file.
 */
export function seedIssues(
  error: SeedError,
  locate: (path: SeedPath) => ScenarioPosition | undefined,
): ScenarioIssue[] {
  return error.issues.map((issue) => {
    const path = ["seed", ...seedPathSegments(issue.path)];
    return { path: formatSeedPath(path), message: issue.message, ...locate(path) };
  });
}
