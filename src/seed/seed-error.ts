export type SeedPath = readonly (string | number)[];

export interface SeedIssue {
  /** e.g. "tenants[0].systems[1].trunk.username"; "" for the whole document */
  path: string;
  message: string;
  /** 1-based, when the source position is known */
  line?: number;
  column?: number;
}

export function formatSeedPath(path: SeedPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

function formatIssue(issue: SeedIssue, file: string | undefined): string {
  const where = [file, issue.line, issue.column].filter((p) => p !== undefined).join(":");
  const path = issue.path === "" ? "" : `${issue.path}: `;
  return `${where === "" ? "" : `${where}: `}${path}${issue.message}`;
}

/** An unusable seed: every issue names its path and, when parsed from text, its line:column. */
export class SeedError extends Error {
  override readonly name = "SeedError";
  readonly code = "seed_invalid";

  constructor(
    readonly issues: readonly SeedIssue[],
    readonly file?: string,
  ) {
    const lines = issues.map((i) => `  ${formatIssue(i, file)}`);
    super(`invalid seed${file === undefined ? "" : ` ${file}`}:\n${lines.join("\n")}`);
  }
}
