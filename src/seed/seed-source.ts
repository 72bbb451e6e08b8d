import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { SeedDocument } from "./seed-document.js";
import type { SeedPath } from "./seed-error.js";

export interface SourcePosition {
  line: number;
  column: number;
}

/** Where the parsed text of a seed came from; lets applySeed name lines too. */
export interface SeedSource {
  file: string;
  locate(path: SeedPath, atKey?: boolean): SourcePosition | undefined;
}

const sources = new WeakMap<SeedDocument, SeedSource>();

export function rememberSource(document: SeedDocument, source: SeedSource): void {
  sources.set(document, source);
}

export function sourceOf(document: SeedDocument): SeedSource | undefined {
  return sources.get(document);
}

/**
 * Position of the node at `path`, or of the deepest existing ancestor when the path
 * leads to a missing key (a missing required key is reported at its mapping).
 */
export function locateInYaml(
  doc: Document,
  lines: LineCounter,
  path: SeedPath,
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
