import type { FastifyInstance } from "fastify";
import { ApiError } from "../../errors/index.js";
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

  app.post(
    "/api/admin/calls/:callId/push",
    {
      ...admin,
      schema: {
        tags,
        summary:
          "Push an answered app call to the user's desk phone: REFER on its PBX leg, Refer-To the user's callno (202 once the PBX accepted)",
        params: idParam("callId"),
        response: { 202: callSchema, ...errorResponses(401, 404, 409, 502, 504) },
      },
    },
    async (request, reply) => {
      const call = await ctx.calls.push(request.params.callId);
      reply.code(202);
      return callView(call, now());
    },
  );

  app.post(
    "/api/admin/calls/:callId/pull",
    {
      ...admin,
      schema: {
        tags,
        summary:
          "Pull the desk phone's part of this call to the app: CSTA DeflectCall (ringing) or SingleStepTransferCall (connected, held) to the user's callno; the PBX then calls the app over the trunk (202)",
        params: idParam("callId"),
        response: { 202: callSchema, ...errorResponses(401, 404, 409, 502, 504) },
      },
    },
    async (request, reply) => {
      const call = ctx.calls.get(request.params.callId);
      if (!ctx.cti || !call.userId)
        throw new ApiError("call_not_on_desk_phone", "the call has no user with a desk phone");
      const phone = ctx.cti.deskPhone(call.userId);
      if (!phone) throw new ApiError("desk_phone_not_found", "the call's user has no desk phone");
      const onDesk = new Map(phone.calls.map((c) => [c.callId, c.state]));
      const cstaCallId = [...call.cti]
        .reverse()
        .find((e) => e.cstaCallId && onDesk.has(e.cstaCallId))?.cstaCallId;
      if (!cstaCallId)
        throw new ApiError(
          "call_not_on_desk_phone",
          `no CSTA call of ${call.id} is on the desk phone ${phone.device} now`,
        );
      const target = { to: phone.device, callId: cstaCallId };
      await ctx.cti.act(
        call.userId,
        onDesk.get(cstaCallId) === "alerting"
          ? { action: "deflect", ...target }
          : { action: "transfer", ...target },
      );
      reply.code(202);
      return callView(ctx.calls.get(call.id), now());
    },
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
