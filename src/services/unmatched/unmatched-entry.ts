/** Which mapping answered a captured request, or "default" (the configured default answer). */
export type AnsweredBy = "default" | { readonly mappingId: string };

interface EntryBase {
  /** `um_<n>`: increasing over the process lifetime, never reused (not even after a clear). */
  readonly id: string;
  /** Emulator clock, ms since the epoch. */
  readonly at: number;
  readonly method: string;
  /** Header name/value pairs in the order received, secrets replaced. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body as text, secrets replaced, cut at the configured limit. */
  readonly body: string;
  /** Size of the body as received, in bytes. */
  readonly bodyBytes: number;
  readonly bodyTruncated: boolean;
  readonly contentType?: string;
  readonly tenantId?: string;
  /** The status it was answered with. */
  readonly status: number;
  readonly answeredBy: AnsweredBy;
}

export interface UnmatchedHttpEntry extends EntryBase {
  readonly kind: "http";
  /** Path without the query. */
  readonly path: string;
  /** Query parameters, secrets replaced. */
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly remoteAddress: string;
}

export interface UnmatchedSipEntry extends EntryBase {
  readonly kind: "sip";
  readonly requestUri: string;
  readonly reason: string;
  /** Why the emulator did not handle it, e.g. "unknown method", "no handler for SUBSCRIBE". */
  readonly cause: string;
  readonly event?: string;
  readonly transport: string;
  readonly connectionId: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly trunkId?: string;
  readonly trunkUsername?: string;
}

export type UnmatchedEntry = UnmatchedHttpEntry | UnmatchedSipEntry;
export type UnmatchedKind = UnmatchedEntry["kind"];
