import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { SeedDocument } from "./seed-document.js";
import { SeedError, type SeedIssue } from "./seed-error.js";
import { locateInYaml, rememberSource, type SeedSource } from "./seed-source.js";
import { checkSeed, toSeedIssues } from "./validate-seed.js";

function jsonSyntaxIssue(text: string, error: Error, lines: LineCounter): SeedIssue {
  const at = /at position (\d+)/.exec(error.message);
  const offset = at ? Number(at[1]) : text.length;
  const { line, col } = lines.linePos(offset);
  return {
    path: "",
    message: `invalid JSON: ${error.message.replace(/ in JSON at position \d+.*/, "")}`,
    line,
    column: col,
  };
}

/**
 * Parses and validates seed text, YAML or JSON (told apart by the first character).
 * Every issue names the file, the path and the line:column.
 */
export function parseSeed(text: string, file = "<seed>"): SeedDocument {
  const source = text.replace(/^\uFEFF/, "");
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  let value: unknown;
  if (/^\s*[{[]/.test(source)) {
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw new SeedError([jsonSyntaxIssue(source, error as Error, lines)], file);
    }
  } else {
    if (doc.errors.length > 0) {
      const issues = doc.errors.map((e): SeedIssue => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { path: "", message: e.message.split("\n")[0]!, line, column: col };
      });
      throw new SeedError(issues, file);
    }
    value = doc.toJS();
  }
  if (value === null || value === undefined) {
    throw new SeedError([{ path: "", message: "the seed is empty; expected a mapping with tenants" }], file);
  }
  // JSON that YAML cannot parse (rare) still validates, only without positions.
  const seedSource: SeedSource = {
    file,
    locate: (path, atKey) => (doc.errors.length > 0 ? undefined : locateInYaml(doc, lines, path, atKey)),
  };
  const { document, issues } = checkSeed(value);
  if (issues.length > 0) {
    const located = toSeedIssues(issues).map((issue, i) => ({
      ...issue,
      ...seedSource.locate(issues[i]!.path, issues[i]!.atKey),
    }));
    throw new SeedError(located, file);
  }
  rememberSource(document, seedSource);
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
