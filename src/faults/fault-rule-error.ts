import { type DocumentPath, formatDocumentPath } from "../shared/untrusted/index.js";

export type FaultPath = DocumentPath;

export interface FaultRuleIssue {
  /** Full path for people, e.g. "faults[2].action.status" (prefix as given to the parser). */
  readonly path: string;
  /** The same path as segments relative to the parsed value, to locate it in a YAML source. */
  readonly segments: FaultPath;
  readonly message: string;
}

/** "faults" + [2, "action", "status"] → "faults[2].action.status". */
export const formatFaultPath = (prefix: string, segments: FaultPath): string =>
  formatDocumentPath(segments, prefix);

/**
 * A rule that cannot be used: every issue names its path. `fault_id_taken` when the only
 * problem is an id already in use.
 */
export class FaultRuleError extends Error {
  override readonly name = "FaultRuleError";

  constructor(
    readonly issues: readonly FaultRuleIssue[],
    readonly code: "fault_invalid" | "fault_id_taken" = "fault_invalid",
  ) {
    super(`invalid fault rule:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
  }
}
