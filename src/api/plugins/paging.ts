import type { FastifyReply, preValidationAsyncHookHandler } from "fastify";
import { TOTAL_COUNT_HEADER } from "../schemas/paging.js";

/** offset and limit of a listing route's query, validated and defaulted by its schema. */
export interface Page {
  readonly offset: number;
  readonly limit: number;
}

const INTEGER = /^-?[0-9]{1,16}$/;

/**
 * Query strings are text and the API's validator does not coerce types, so the digits of
 * `offset` and `limit` become numbers here, before validation: the schema fragment
 * (schemas/paging.ts) then checks one set of numeric bounds on every listing route, and
 * names the field in its 400. Anything that is not an integer stays text and fails as such.
 */
const numericPaging: preValidationAsyncHookHandler = async (request) => {
  const query = request.query as Record<string, unknown>;
  for (const name of ["offset", "limit"]) {
    const value = query[name];
    if (typeof value === "string" && INTEGER.test(value)) query[name] = Number(value);
  }
};

/** Spread into every listing route's options, beside its `querystring: pagedQuery(…)`. */
export const pagingHooks = { preValidation: numericPaging } as const;

/** One page of an in-memory list, its total in the header. */
export function pageOfArray<T>(reply: FastifyReply, items: readonly T[], page: Page): T[] {
  reply.header(TOTAL_COUNT_HEADER, String(items.length));
  return items.slice(page.offset, page.offset + page.limit);
}
