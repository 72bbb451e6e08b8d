import { formatPlacedProblem, type PlacedProblem } from "../shared/untrusted/index.js";

/**
 * Mappings that cannot be used: every issue names its path and, read from a file, its
 * line:column. `mapping_id_taken` when the only problem is an id already in use.
 */
export class MappingError extends Error {
  override readonly name = "MappingError";

  constructor(
    readonly issues: readonly (PlacedProblem & { readonly file?: string })[],
    readonly code: "mapping_invalid" | "mapping_id_taken" = "mapping_invalid",
  ) {
    super(`invalid mappings:\n${issues.map((i) => `  ${formatPlacedProblem(i, i.file)}`).join("\n")}`);
  }
}
