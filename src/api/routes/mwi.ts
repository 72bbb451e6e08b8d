import type { FastifyInstance } from "fastify";
import type { MwiService } from "../../services/index.js";
import type { ApiContext } from "../api-context.js";
import { errorResponses, idParams } from "../schemas/common.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

const count = { type: "integer", minimum: 0 } as const;

/** A user's voice mailbox as the PBX last reported it (message waiting indication). */
export const mwiSchema = {
  type: "object",
  properties: {
    userId: { type: "string" },
    tenantId: { type: "string" },
    waiting: { type: "boolean" },
    newMessages: count,
    oldMessages: count,
    urgentNew: count,
    urgentOld: count,
    updatedAt: { type: ["string", "null"], format: "date-time" },
    source: { type: ["string", "null"] },
  },
  required: [
    "userId",
    "tenantId",
    "waiting",
    "newMessages",
    "oldMessages",
    "urgentNew",
    "urgentOld",
    "updatedAt",
    "source",
  ],
} as const;

/** `GET /api/admin/tenants/{tid}/users/{uid}/mwi` (docs/mwi.md). */
export function mwiRoutes(
  untyped: FastifyInstance,
  ctx: Pick<ApiContext, "auth" | "users"> & { readonly mwi: MwiService },
): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  app.get(
    "/api/admin/tenants/:tenantId/users/:userId/mwi",
    {
      onRequest: ctx.auth.requireAdmin,
      schema: {
        tags: ["admin: users"],
        summary: "A user's voicemail indication: messages waiting, new/old (urgent) counts from the PBX",
        params: idParams("tenantId", "userId"),
        response: { 200: mwiSchema, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => ctx.mwi.view(ctx.users.get(request.params.tenantId, request.params.userId)),
  );
}
