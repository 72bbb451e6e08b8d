import type { FieldProblem } from "../../errors/index.js";

/** A 422 lists at most this many problems; its `detail` and `errorsOmitted` count the rest. */
export const MAX_LISTED_PROBLEMS = 1000;
/** Longest `field` and `message` kept: a problem may quote a cell or column name of megabytes. */
const MAX_FIELD_CHARS = 100;
const MAX_MESSAGE_CHARS = 300;

/**
 * The problems of an import, bounded: it counts every problem and every row with one, but
 * keeps only the `limit` first by row (ties in the order found), each clipped in length, so
 * a file with a million bad cells costs neither memory nor a document of megabytes.
 */
export class ProblemList {
  private kept: FieldProblem[] = [];
  /** Once `limit` are kept: a problem at this row or later can no longer make the list. */
  private cutoff = Number.POSITIVE_INFINITY;
  private count = 0;
  private readonly rows = new Set<number>();

  constructor(private readonly limit = MAX_LISTED_PROBLEMS) {}

  push(problem: FieldProblem): void {
    this.count++;
    if (problem.row !== undefined) this.rows.add(problem.row);
    if ((problem.row ?? 0) >= this.cutoff) return;
    this.kept.push(clipped(problem));
    // Trimmed in batches: each trim sorts at most 2 × limit problems.
    if (this.kept.length >= 2 * this.limit) {
      this.kept = this.first();
      this.cutoff = this.kept[this.limit - 1]?.row ?? 0;
    }
  }

  /** Every problem pushed, listed or not. */
  get total(): number {
    return this.count;
  }

  /** Rows with at least one problem. */
  get rowCount(): number {
    return this.rows.size;
  }

  /** Problems found but not listed. */
  get omitted(): number {
    return this.count - Math.min(this.count, this.limit);
  }

  /** The first `limit` problems by row (the sort is stable: same row, order found). */
  listed(): FieldProblem[] {
    return this.first();
  }

  private first(): FieldProblem[] {
    return [...this.kept].sort((a, b) => (a.row ?? 0) - (b.row ?? 0)).slice(0, this.limit);
  }
}

/** A problem document's extension members: the listed problems and, when some were left out, how many. */
export function listedProblems(list: ProblemList): { errors: FieldProblem[]; errorsOmitted?: number } {
  const errors = list.listed();
  return list.omitted > 0 ? { errors, errorsOmitted: list.omitted } : { errors };
}

function clipped(problem: FieldProblem): FieldProblem {
  if (problem.field.length <= MAX_FIELD_CHARS && problem.message.length <= MAX_MESSAGE_CHARS) return problem;
  return {
    ...problem,
    field: clip(problem.field, MAX_FIELD_CHARS),
    message: clip(problem.message, MAX_MESSAGE_CHARS),
  };
}

/** At most `max` characters, "…" marking a cut (never between the halves of a surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
