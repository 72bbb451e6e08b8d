import {
  type DocumentPath,
  formatDocumentPath,
  formatPlacedProblem,
  type PlacedProblem,
} from "../shared/untrusted/index.js";

export type SeedPath = DocumentPath;
export const formatSeedPath = (path: SeedPath): string => formatDocumentPath(path);

/** One problem of a seed: its path (e.g. "tenants[0].systems[1].trunk.username") and line:column. */
export type SeedIssue = PlacedProblem;

/** An unusable seed: every issue names its path and, when parsed from text, its line:column. */
export class SeedError extends Error {
  override readonly name = "SeedError";
  readonly code = "seed_invalid";

  constructor(
    readonly issues: readonly SeedIssue[],
    readonly file?: string,
  ) {
    const lines = issues.map((i) => `  ${formatPlacedProblem(i, file)}`);
    super(`invalid seed${file === undefined ? "" : ` ${file}`}:\n${lines.join("\n")}`);
  }
}
