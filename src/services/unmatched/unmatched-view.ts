import type { UnmatchedEntry } from "./unmatched-entry.js";

/** An entry as the REST API, the live events and the webhooks show it: `at` in ISO 8601 too. */
export type UnmatchedView = Omit<UnmatchedEntry, "at" | "headers"> & {
  readonly at: string;
  readonly epochMs: number;
  readonly headers: readonly (readonly [string, string])[];
};

export function unmatchedView(entry: UnmatchedEntry): UnmatchedView {
  return { ...entry, at: new Date(entry.at).toISOString(), epochMs: entry.at } as UnmatchedView;
}

/** The short form for lists in events: what came, how it was answered. */
export function unmatchedSummary(entry: UnmatchedEntry) {
  return {
    id: entry.id,
    kind: entry.kind,
    method: entry.method,
    target: entry.kind === "http" ? entry.path : entry.requestUri,
    status: entry.status,
    answeredBy: entry.answeredBy,
    at: new Date(entry.at).toISOString(),
    ...(entry.tenantId === undefined ? {} : { tenantId: entry.tenantId }),
  };
}
