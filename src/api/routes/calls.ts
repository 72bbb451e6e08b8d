import type { FastifyInstance } from "fastify";
import { callView } from "../../services/index.js";
import type { ApiContext } from "../api-context.js";
import { pageOfArray, pagingHooks } from "../plugins/paging.js";
import { callSchema, callsQuery, startCallBody } from "../schemas/calls.js";
import { errorResponses, idParam } from "../schemas/common.js";
import { pagedArray, pagedQuery } from "../schemas/paging.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** The call journal (CDRs) and calls placed on a user's behalf (SPEC §3.2 "calls"). */
export function callRoutes(untyped: FastifyInstance, ctx: ApiContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: calls"];
  const now = () => ctx.clock.state().now;

  app.get(
    "/api/admin/calls",
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags,
        summary:
          "Active and recent calls (newest first), with legs, times, statuses, media stats and DTMF; paged",
        querystring: pagedQuery(callsQuery),
        response: { 200: pagedArray(callSchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const calls = ctx.calls.list({
        ...(q.tenantId ? { tenantId: q.tenantId } : {}),
        ...(q.userId ? { userId: q.userId } : {}),
        ...(q.trunk ? { trunkId: q.trunk } : {}),
        ...(q.state ? { state: q.state } : {}),
      });
      return pageOfArray(reply, calls, request.query).map((c) => callView(c, now()));
    },
  );

  app.post(
    "/api/admin/calls",
    {
      ...admin,
      schema: {
        tags,
        summary: "A Unify Phone user calls a number: INVITE to the PBX over its registered trunk connection",
        body: startCallBody,
        response: { 201: callSchema, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const call = await ctx.calls.start(request.body);
      reply.code(201).header("location", `/api/admin/calls/${call.id}`);
      return callView(call, now());
    },
  );

  app.get(
    "/api/admin/calls/:callId",
    {
      ...admin,
      schema: {
        tags,
        summary: "One call",
        params: idParam("callId"),
        response: { 200: callSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => callView(ctx.calls.get(request.params.callId), now()),
  );

  app.delete(
    "/api/admin/calls/:callId",
    {
      ...admin,
      schema: {
        tags,
        summary: "Hang up on the user's side (CANCEL, 603 or BYE as the call's state requires)",
        params: idParam("callId"),
        response: { 200: callSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => callView(ctx.calls.hangup(request.params.callId), now()),
  );
}
