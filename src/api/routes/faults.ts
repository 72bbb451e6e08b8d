import type { FastifyInstance } from "fastify";
import { ApiError } from "../../errors/index.js";
import { type FaultEngine, FaultRuleError, parseFaultRule } from "../../faults/index.js";
import type { ApiContext } from "../api-context.js";
import { pageOfArray, pagingHooks } from "../plugins/paging.js";
import { errorResponses, idParam } from "../schemas/common.js";
import { clearedSchema, faultJson, faultRuleBody, faultRuleSchema } from "../schemas/faults.js";
import { pagedArray, pagedQuery } from "../schemas/paging.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** What the fault routes need of the API context. */
export interface FaultRoutesContext {
  readonly auth: ApiContext["auth"];
  readonly faults: FaultEngine;
}

/** Fault injection at runtime (SPEC §3.4): list, add and remove rules. */
export function faultRoutes(untyped: FastifyInstance, ctx: FaultRoutesContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: faults"];
  const params = idParam("faultId");
  const find = (id: string) => {
    const rule = ctx.faults.get(id);
    if (!rule) throw new ApiError("fault_not_found", `no fault rule "${id}"`);
    return rule;
  };

  app.get(
    "/api/admin/faults",
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags,
        summary: "Fault rules in force, in the order they are tried, with hit counters; paged",
        querystring: pagedQuery(),
        response: { 200: pagedArray(faultRuleSchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => pageOfArray(reply, ctx.faults.list(), request.query).map(faultJson),
  );

  app.post(
    "/api/admin/faults",
    {
      ...admin,
      schema: {
        tags,
        summary: "Add a fault rule (SIP, TLS, HTTP or RTP); it applies from the next event on",
        body: faultRuleBody,
        response: { 201: faultRuleSchema, ...errorResponses(400, 401, 409, 422) },
      },
    },
    async (request, reply) => {
      try {
        // The schema checks the outline; the fault parser (one for REST, seeds and scenarios) the rest.
        const rule = ctx.faults.add(parseFaultRule(request.body));
        reply.code(201).header("location", `/api/admin/faults/${rule.id}`);
        return faultJson(rule);
      } catch (error) {
        if (!(error instanceof FaultRuleError)) throw error;
        throw new ApiError(error.code, error.issues.map((i) => `${i.path}: ${i.message}`).join("; "), {
          errors: error.issues.map((i) => ({ field: i.path, code: "invalid", message: i.message })),
        });
      }
    },
  );

  app.delete(
    "/api/admin/faults",
    {
      ...admin,
      schema: {
        tags,
        summary: "Remove every fault rule",
        response: { 200: clearedSchema, ...errorResponses(401) },
      },
    },
    async () => ({ removed: ctx.faults.clear() }),
  );

  app.get(
    "/api/admin/faults/:faultId",
    {
      ...admin,
      schema: {
        tags,
        summary: "One fault rule with its hit counter",
        params,
        response: { 200: faultRuleSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => faultJson(find(request.params.faultId)),
  );

  app.delete(
    "/api/admin/faults/:faultId",
    {
      ...admin,
      schema: {
        tags,
        summary: "Remove a fault rule",
        params,
        response: { 204: { type: "null" }, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { faultId } = request.params;
      find(faultId);
      ctx.faults.remove(faultId);
      reply.code(204);
    },
  );
}
