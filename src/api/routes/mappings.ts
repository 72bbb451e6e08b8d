import type { FastifyInstance } from "fastify";
import { ApiError } from "../../errors/index.js";
import { MappingError, mappingJson, parseMapping, type StubEngine } from "../../stubs/index.js";
import type { ApiContext } from "../api-context.js";
import { pageOfArray, pagingHooks } from "../plugins/paging.js";
import { errorResponses, idParam } from "../schemas/common.js";
import { mappingBody, mappingSchema, resetHitsSchema } from "../schemas/mappings.js";
import { pagedArray, pagedQuery } from "../schemas/paging.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

export interface MappingRoutesContext {
  readonly auth: ApiContext["auth"];
  readonly stubs: StubEngine;
}

/** WireMock-style stubs (docs/stubs.md): list, add, replace and remove mappings at runtime. */
export function mappingRoutes(untyped: FastifyInstance, ctx: MappingRoutesContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: stub mappings"];
  const params = idParam("mappingId");
  const find = (id: string) => {
    const state = ctx.stubs.get(id);
    if (!state) throw new ApiError("mapping_not_found", `no mapping "${id}"`);
    return state;
  };
  const parsed = <T>(read: () => T): T => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      throw new ApiError(error.code, error.issues.map((i) => `${i.path}: ${i.message}`).join("; "), {
        errors: error.issues.map((i) => ({ field: i.path, code: "invalid", message: i.message })),
      });
    }
  };

  app.get(
    "/api/admin/mappings",
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags,
        summary: "Stub mappings (files and API) with their source, version and hit count; paged",
        querystring: pagedQuery(),
        response: { 200: pagedArray(mappingSchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => pageOfArray(reply, ctx.stubs.list(), request.query).map(mappingJson),
  );

  app.post(
    "/api/admin/mappings",
    {
      ...admin,
      schema: {
        tags,
        summary: "Add a stub mapping; it answers unmatched requests from the next one on",
        body: mappingBody,
        response: { 201: mappingSchema, ...errorResponses(400, 401, 409, 422) },
      },
    },
    async (request, reply) => {
      const state = parsed(() => ctx.stubs.add(parseMapping(request.body)));
      reply.code(201).header("location", `/api/admin/mappings/${encodeURIComponent(state.mapping.id)}`);
      return mappingJson(state);
    },
  );

  app.post(
    "/api/admin/mappings/reset-hits",
    {
      ...admin,
      schema: {
        tags,
        summary: "Set every mapping's hit count back to 0",
        response: { 200: resetHitsSchema, ...errorResponses(401) },
      },
    },
    async () => ({ mappings: ctx.stubs.resetHits() }),
  );

  app.get(
    "/api/admin/mappings/:mappingId",
    {
      ...admin,
      schema: {
        tags,
        summary: "One stub mapping with its source, version and hit count",
        params,
        response: { 200: mappingSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => mappingJson(find(request.params.mappingId)),
  );

  app.put(
    "/api/admin/mappings/:mappingId",
    {
      ...admin,
      schema: {
        tags,
        summary: "Replace (or create) a stub mapping: its version goes up by one, its hits restart",
        params,
        body: mappingBody,
        response: { 200: mappingSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (request) =>
      mappingJson(parsed(() => ctx.stubs.replace(parseMapping(request.body, request.params.mappingId)))),
  );

  app.delete(
    "/api/admin/mappings/:mappingId",
    {
      ...admin,
      schema: {
        tags,
        summary: "Remove a stub mapping",
        params,
        response: { 204: { type: "null" }, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      find(request.params.mappingId);
      ctx.stubs.remove(request.params.mappingId);
      reply.code(204);
    },
  );
}
