export interface ScenarioPosition {
  /** 1-based */
  readonly line: number;
  readonly column: number;
}

export interface ScenarioIssue {
  /** e.g. "seed.tenants[0].jwt.status"; "" for the whole file */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** `file:line:column: path: message`, leaving out what is unknown. */
export function formatScenarioIssue(issue: ScenarioIssue, file: string): string {
  const where = [file, issue.line, issue.column].filter((p) => p !== undefined).join(":");
  return `${where}: ${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`;
}

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
