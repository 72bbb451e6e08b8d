import type { FastifyInstance } from "fastify";
import type { CtiService, DeskPhoneAction } from "../../cti/index.js";
import { ApiError } from "../../errors/index.js";
import type { ApiContext } from "../api-context.js";
import { errorResponses, idParams } from "../schemas/common.js";
import { type DeskPhoneActionName, deskPhoneActionBodies, deskPhoneSchema } from "../schemas/desk-phone.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

const BASE = "/api/admin/tenants/:tenantId/users/:userId/desk-phone";

/** A user's desk phone over the trunk's CSTA session: its state and the actions on it (docs/cti.md). */
export function deskPhoneRoutes(
  untyped: FastifyInstance,
  ctx: Pick<ApiContext, "auth" | "users"> & { readonly cti: CtiService },
): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  app.get(
    BASE,
    {
      onRequest: ctx.auth.requireAdmin,
      schema: {
        tags: ["admin: users"],
        summary: "A user's desk phone as the PBX's CSTA events describe it",
        params: idParams("tenantId", "userId"),
        response: { 200: deskPhoneSchema, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => {
      const user = ctx.users.get(request.params.tenantId, request.params.userId);
      const phone = ctx.cti.deskPhone(user.id);
      if (!phone)
        throw new ApiError("desk_phone_not_found", "the user has no desk phone (no callno on a trunk)");
      return phone;
    },
  );
  for (const action of Object.keys(deskPhoneActionBodies) as DeskPhoneActionName[]) {
    app.post(
      `${BASE}/${action}`,
      {
        onRequest: ctx.auth.requireAdmin,
        schema: {
          tags: ["admin: users"],
          summary: `Desk phone: ${action} (a CSTA request to the PBX)`,
          params: idParams("tenantId", "userId"),
          body: deskPhoneActionBodies[action],
          response: { 200: deskPhoneSchema, ...errorResponses(400, 401, 404, 409, 429, 502, 504) },
        },
      },
      async (request) => {
        const user = ctx.users.get(request.params.tenantId, request.params.userId);
        return ctx.cti.act(user.id, { action, ...(request.body as object) } as DeskPhoneAction);
      },
    );
  }
}
