import { randomUUID } from "node:crypto";
import { ProblemReader, placeProblems } from "../shared/untrusted/index.js";
import type { Mapping } from "./mapping.js";
import { MappingError } from "./mapping-error.js";
import { readMapping } from "./parse-mapping.js";

/**
 * One mapping from a REST body; throws MappingError naming every problem as
 * `mapping.request.path: message`. A mapping without `id` gets a generated one (or `id`).
 */
export function parseMapping(value: unknown, id?: string): Mapping {
  const r = new ProblemReader();
  const withId =
    id !== undefined && value !== null && typeof value === "object" && !Array.isArray(value)
      ? { ...value, id }
      : value;
  const mapping = readMapping(r, withId, [], `m-${randomUUID().slice(0, 8)}`);
  if (r.issues.length > 0 || !mapping)
    throw new MappingError(
      placeProblems(r.issues).map((p) => ({ ...p, path: p.path === "" ? "mapping" : `mapping.${p.path}` })),
    );
  return mapping;
}
