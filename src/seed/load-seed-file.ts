import { readFileSync } from "node:fs";
import { parseSourceText, placeProblems } from "../shared/untrusted/index.js";
import type { SeedDocument } from "./seed-document.js";
import { SeedError } from "./seed-error.js";
import { rememberSource } from "./seed-source.js";
import { checkSeed } from "./validate-seed.js";

/**
 * Parses and validates seed text, YAML or JSON (told apart by the first character).
 * Every issue names the file, the path and the line:column.
 */
export function parseSeed(text: string, file = "<seed>"): SeedDocument {
  const parsed = parseSourceText(text, { json: true });
  if (!parsed.ok) throw new SeedError(parsed.problems, file);
  if (parsed.value === null || parsed.value === undefined) {
    throw new SeedError([{ path: "", message: "the seed is empty; expected a mapping with tenants" }], file);
  }
  const { document, issues } = checkSeed(parsed.value);
  if (issues.length > 0) throw new SeedError(placeProblems(issues, parsed.locate), file);
  rememberSource(document, { file, locate: parsed.locate });
  return document;
}

export function loadSeedFile(path: string): SeedDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SeedError([{ path: "", message: `cannot read the file: ${(error as Error).message}` }], path);
  }
  return parseSeed(text, path);
}
