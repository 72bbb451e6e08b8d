import type { FastifyInstance } from "fastify";
import { ApiError } from "../../errors/index.js";
import { type UnmatchedCapture, unmatchedView } from "../../services/index.js";
import type { ApiContext } from "../api-context.js";
import { pageOfArray, pagingHooks } from "../plugins/paging.js";
import { errorResponses, idParam } from "../schemas/common.js";
import { pagedArray, pagedQuery } from "../schemas/paging.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";
import { unmatchedClearedSchema, unmatchedEntrySchema, unmatchedFilter } from "../schemas/unmatched.js";

export interface UnmatchedRoutesContext {
  readonly auth: ApiContext["auth"];
  readonly unmatched: UnmatchedCapture;
}

/** The unmatched journal: requests no route, SIP handler or stub took (docs/unmatched.md). */
export function unmatchedRoutes(untyped: FastifyInstance, ctx: UnmatchedRoutesContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: unmatched"];

  app.get(
    "/api/admin/unmatched",
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags,
        summary: "Captured requests nothing handled (HTTP and SIP), newest first; paged",
        querystring: pagedQuery(unmatchedFilter),
        response: { 200: pagedArray(unmatchedEntrySchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) =>
      pageOfArray(reply, ctx.unmatched.list(request.query.kind), request.query).map(unmatchedView),
  );

  app.get(
    "/api/admin/unmatched/:unmatchedId",
    {
      ...admin,
      schema: {
        tags,
        summary: "One captured request: headers (secrets replaced), body, how it was answered",
        params: idParam("unmatchedId"),
        response: { 200: unmatchedEntrySchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const entry = ctx.unmatched.get(request.params.unmatchedId);
      if (!entry)
        throw new ApiError("unmatched_not_found", `no unmatched request "${request.params.unmatchedId}"`);
      return unmatchedView(entry);
    },
  );

  app.delete(
    "/api/admin/unmatched",
    {
      ...admin,
      schema: {
        tags,
        summary: "Empty the unmatched journal (ids are not reused)",
        response: { 200: unmatchedClearedSchema, ...errorResponses(401) },
      },
    },
    async () => ({ removed: ctx.unmatched.clear() }),
  );
}
