import { formatPlacedProblem, type PlacedProblem, type SourcePosition } from "../shared/untrusted/index.js";

export type ScenarioPosition = SourcePosition;

/** One problem of a scenario file: its path (e.g. "seed.tenants[0].jwt.status") and line:column. */
export type ScenarioIssue = PlacedProblem;

/** `file:line:column: path: message`, leaving out what is unknown. */
export const formatScenarioIssue = (issue: ScenarioIssue, file: string): string =>
  formatPlacedProblem(issue, file);

/** A scenario file that cannot be used: every problem names the file, the path and the line. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  readonly code = "scenario_invalid";

  constructor(
    readonly file: string,
    readonly issues: readonly ScenarioIssue[],
  ) {
    super(`invalid scenario ${file}:\n${issues.map((i) => `  ${formatScenarioIssue(i, file)}`).join("\n")}`);
  }
}

/** No scenario of that name in the catalog. */
export class ScenarioNotFoundError extends Error {
  override readonly name = "ScenarioNotFoundError";
  readonly code = "scenario_not_found";

  constructor(
    readonly scenario: string,
    readonly available: readonly string[],
  ) {
    super(
      `no scenario "${scenario}"${available.length > 0 ? ` (available: ${available.join(", ")})` : " (the catalog is empty)"}`,
    );
  }
}
