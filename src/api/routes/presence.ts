import type { FastifyInstance } from "fastify";
import type { PresenceService } from "../../services/index.js";
import type { ApiContext } from "../api-context.js";
import { errorResponses, idParams } from "../schemas/common.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

const source = { enum: ["app", "desk-phone"] } as const;

/** A user's presence: DND and busy, each with where it comes from (docs/cti.md, Presence). */
export const presenceSchema = {
  type: "object",
  properties: {
    dnd: { type: "boolean" },
    dndSource: { enum: ["app", "desk-phone", null], description: "who switched DND on; null when off" },
    busy: { type: "boolean" },
    busySource: {
      type: "array",
      items: source,
      description: "app: a call through the connector; desk-phone: CSTA",
    },
  },
  required: ["dnd", "dndSource", "busy", "busySource"],
} as const;

const PATH = "/api/admin/tenants/:tenantId/users/:userId/presence";

/** `GET/PUT …/users/{uid}/presence`: app DND goes on to the desk phone (SetDoNotDisturb) when CTI is up. */
export function presenceRoutes(
  untyped: FastifyInstance,
  ctx: Pick<ApiContext, "auth" | "users"> & { readonly presence: PresenceService },
): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const tags = ["admin: users"];
  app.get(
    PATH,
    {
      onRequest: ctx.auth.requireAdmin,
      schema: {
        tags,
        summary: "A user's presence: DND and busy, from the app and the desk phone",
        params: idParams("tenantId", "userId"),
        response: { 200: presenceSchema, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => {
      const user = ctx.users.get(request.params.tenantId, request.params.userId);
      return ctx.presence.get(user.tenantId, user.id);
    },
  );
  app.put(
    PATH,
    {
      onRequest: ctx.auth.requireAdmin,
      schema: {
        tags,
        summary:
          "Set the user's DND from the app; with a CTI session up it is set on the desk phone too (502/504 when the PBX refuses or is silent; the app's DND stays set)",
        params: idParams("tenantId", "userId"),
        body: {
          type: "object",
          additionalProperties: false,
          properties: { dnd: { type: "boolean" } },
          required: ["dnd"],
        },
        response: { 200: presenceSchema, ...errorResponses(400, 401, 404, 429, 502, 504) },
      },
    },
    async (request) => {
      const user = ctx.users.get(request.params.tenantId, request.params.userId);
      return ctx.presence.setDnd(user.tenantId, user.id, request.body.dnd, "app");
    },
  );
}
