import type { SeedError } from "../seed/index.js";
import { formatDocumentPath, type Locate, parseDocumentPath } from "../shared/untrusted/index.js";
import type { ScenarioIssue } from "./scenario-error.js";

/**
 * The issues of a SeedError raised for a scenario's `seed:` (validation, store conflicts,
 * JWT), moved under `seed` and located in the scenario file.
 */
export function seedIssues(error: SeedError, locate: Locate): ScenarioIssue[] {
  return error.issues.map((issue) => {
    const path = ["seed", ...parseDocumentPath(issue.path)];
    return { path: formatDocumentPath(path), message: issue.message, ...locate(path) };
  });
}
