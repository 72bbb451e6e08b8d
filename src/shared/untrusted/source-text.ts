import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { DocumentPath } from "./document-path.js";
import type { Locate, PlacedProblem, SourcePosition } from "./problem.js";

export type ParsedText =
  | { readonly ok: true; readonly value: unknown; readonly locate: Locate }
  | { readonly ok: false; readonly problems: PlacedProblem[] };

/**
 * Parses untrusted YAML text (or JSON, when `json` and the text starts with `{` or `[`)
 * keeping the YAML node positions, so later problems can name their line:column.
 * Syntax errors come back as problems with their position, never as a throw.
 */
export function parseSourceText(text: string, options: { json?: boolean } = {}): ParsedText {
  const source = text.replace(/^\uFEFF/, "");
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const isJson = options.json === true && /^\s*[{[]/.test(source);
  // JSON that YAML cannot parse (rare) still validates, only without positions.
  const locate: Locate = (path, atKey) =>
    doc.errors.length > 0 ? undefined : locateInYaml(doc, lines, path, atKey);
  if (isJson) {
    try {
      return { ok: true, value: JSON.parse(source), locate };
    } catch (error) {
      return { ok: false, problems: [jsonSyntaxProblem(source, error as Error, lines)] };
    }
  }
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e): PlacedProblem => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { path: "", message: e.message.split("\n")[0]!, line, column: col };
    });
    return { ok: false, problems };
  }
  return { ok: true, value: doc.toJS(), locate };
}

function jsonSyntaxProblem(text: string, error: Error, lines: LineCounter): PlacedProblem {
  const at = /at position (\d+)/.exec(error.message);
  const { line, col } = lines.linePos(at ? Number(at[1]) : text.length);
  return {
    path: "",
    message: `invalid JSON: ${error.message.replace(/ in JSON at position \d+.*/, "")}`,
    line,
    column: col,
  };
}

/**
 * Position of the node at `path`, or of the deepest existing ancestor when the path
 * leads to a missing key (a missing required key is reported at its mapping).
 */
export function locateInYaml(
  doc: Document,
  lines: LineCounter,
  path: DocumentPath,
  atKey = false,
): SourcePosition {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const [i, segment] of path.entries()) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      const last = i === path.length - 1;
      offset = (last && atKey ? key.range?.[0] : (value?.range?.[0] ?? key.range?.[0])) ?? offset;
      next = value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      next = item;
    } else break;
    node = next;
  }
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
