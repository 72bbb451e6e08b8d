/** Where a value sits in a parsed document: keys and list indexes from the top. */
export type DocumentPath = readonly (string | number)[];

/** ["tenants", 0, "name"] → "tenants[0].name"; `prefix` goes first ("faults" + [2] → "faults[2]"). */
export function formatDocumentPath(path: DocumentPath, prefix = ""): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** "tenants[0].systems[1].trunk" → ["tenants", 0, "systems", 1, "trunk"]. */
export function parseDocumentPath(path: string): DocumentPath {
  const segments: (string | number)[] = [];
  for (const [, index, key] of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) {
    segments.push(index === undefined ? key! : Number(index));
  }
  return segments;
}
