import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  type PlacedProblem,
  ProblemReader,
  parseSourceText,
  placeProblems,
} from "../shared/untrusted/index.js";
import type { Mapping } from "./mapping.js";
import { MappingError } from "./mapping-error.js";
import { readMapping } from "./parse-mapping.js";

export interface MappingFile {
  readonly file: string;
  readonly mapping: Mapping;
}

const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
/** Bounds the walk: the folder and one level of subfolders (e.g. recorded/), this many files. */
const MAX_FILES = 1000;

/** Mapping files of a folder and its direct subfolders, in name order; none when it is missing. */
export function mappingFilesIn(dir: string): string[] {
  const out: string[] = [];
  const visit = (folder: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(folder).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const name of names) {
      if (out.length >= MAX_FILES) return;
      const full = path.join(folder, name);
      const stat = statSync(full);
      if (stat.isDirectory() && depth === 0) visit(full, 1);
      else if (stat.isFile() && EXTENSIONS.has(path.extname(name).toLowerCase())) out.push(full);
    }
  };
  visit(dir, 0);
  return out;
}

/**
 * Reads every mapping file of `dir` (one mapping, or a list of them, per file). Any problem
 * in any file stops the start: MappingError lists them all as `file:line:column: path: message`.
 */
export function loadMappingFiles(dir: string): MappingFile[] {
  const out: MappingFile[] = [];
  const problems: (PlacedProblem & { file: string })[] = [];
  const ids = new Map<string, string>();
  for (const file of mappingFilesIn(dir)) {
    const parsed = parseSourceText(readFileSync(file, "utf8"), { json: file.endsWith(".json") });
    if (!parsed.ok) {
      problems.push(...parsed.problems.map((p) => ({ ...p, file })));
      continue;
    }
    const r = new ProblemReader();
    const base = path.basename(file).replace(/\.[^.]+$/, "");
    const list = Array.isArray(parsed.value);
    const items = list ? (parsed.value as unknown[]) : [parsed.value];
    items.forEach((item, i) => {
      const at = list ? [i] : [];
      const mapping = readMapping(r, item, at, list ? `${base}-${i + 1}` : base);
      if (!mapping) return;
      const other = ids.get(mapping.id);
      if (other) r.fail([...at, "id"], `"${mapping.id}" is already the id of a mapping in ${other}`);
      else {
        ids.set(mapping.id, file);
        out.push({ file, mapping });
      }
    });
    problems.push(...placeProblems(r.issues, parsed.locate).map((p) => ({ ...p, file })));
  }
  if (problems.length > 0) throw new MappingError(problems);
  return out;
}
