import { type DocumentPath, formatDocumentPath } from "./document-path.js";

/** A problem found while reading, before it is placed in the source text. */
export interface Problem {
  readonly path: DocumentPath;
  readonly message: string;
  /** Point at the key itself (unknown keys), not at its value. */
  readonly atKey: boolean;
}

/** 1-based. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A problem as people read it: its path as text and, when parsed from text, its line:column. */
export interface PlacedProblem {
  /** e.g. "tenants[0].systems[1].trunk.username"; "" for the whole document */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export type Locate = (path: DocumentPath, atKey?: boolean) => SourcePosition | undefined;

/** Formats each problem's path and adds its position when `locate` knows it. */
export function placeProblems(problems: readonly Problem[], locate?: Locate): PlacedProblem[] {
  return problems.map((p) => ({
    path: formatDocumentPath(p.path),
    message: p.message,
    ...locate?.(p.path, p.atKey),
  }));
}

/** `file:line:column: path: message`, leaving out what is unknown. */
export function formatPlacedProblem(problem: PlacedProblem, file?: string): string {
  const where = [file, problem.line, problem.column].filter((p) => p !== undefined).join(":");
  return `${where === "" ? "" : `${where}: `}${problem.path === "" ? "" : `${problem.path}: `}${problem.message}`;
}
