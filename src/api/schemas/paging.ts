/**
 * The one paging rule of every listing route: `offset` (items to skip) and `limit` (page
 * size, 0–1000, default 100) as integers; anything else is 400 validation_failed naming
 * `querystring.offset` or `querystring.limit`. Routes add `pagingHooks` (plugins/paging.ts),
 * which turns the query's digit strings into numbers so these bounds are checked as numbers.
 */
export const PAGE_LIMIT_MAX = 1000;
export const PAGE_LIMIT_DEFAULT = 100;
const OFFSET_MAX = 1_000_000_000;

export const pagingProperties = {
  offset: {
    type: "integer",
    minimum: 0,
    maximum: OFFSET_MAX,
    default: 0,
    description: "items to skip (default 0)",
  },
  limit: {
    type: "integer",
    minimum: 0,
    maximum: PAGE_LIMIT_MAX,
    default: PAGE_LIMIT_DEFAULT,
    description: `page size, 0–${PAGE_LIMIT_MAX} (default ${PAGE_LIMIT_DEFAULT})`,
  },
} as const;

/** A listing route's query: its own filters (if any) plus offset and limit; nothing else. */
export function pagedQuery<const P extends Record<string, unknown> = Record<never, never>>(filters?: {
  readonly properties: P;
}) {
  return {
    type: "object",
    properties: { ...(filters?.properties as P), ...pagingProperties },
    additionalProperties: false,
  } as const;
}

/** Routes that answer a JSON array say how many items match in this header. */
export const TOTAL_COUNT_HEADER = "x-total-count";

/** The 200 of a listing route that answers a JSON array (kept so for existing clients). */
export function pagedArray(items: object) {
  return {
    description: `One page of the list; the header ${TOTAL_COUNT_HEADER} counts every match, ignoring offset and limit`,
    type: "array",
    items,
    headers: { [TOTAL_COUNT_HEADER]: { type: "integer" } },
  } as const;
}
