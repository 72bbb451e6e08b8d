import type { Locate } from "../shared/untrusted/index.js";
import type { SeedDocument } from "./seed-document.js";

/** Where the parsed text of a seed came from; lets applySeed name lines too. */
export interface SeedSource {
  file: string;
  locate: Locate;
}

const sources = new WeakMap<SeedDocument, SeedSource>();

export function rememberSource(document: SeedDocument, source: SeedSource): void {
  sources.set(document, source);
}

export function sourceOf(document: SeedDocument): SeedSource | undefined {
  return sources.get(document);
}
