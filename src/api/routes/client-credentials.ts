import type { FastifyInstance } from "fastify";
import type { ClientCredentialService } from "../../services/index.js";
import type { ApiContext } from "../api-context.js";
import { clientPasswordBody } from "../schemas/client-credentials.js";
import { errorResponses, idParams } from "../schemas/common.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

const userParams = idParams("tenantId", "userId");

/** Admin side: the password a user's emulated Unify Phone clients register with (issue 4 §8). */
export function clientCredentialRoutes(
  untyped: FastifyInstance,
  ctx: Pick<ApiContext, "auth"> & { readonly clientCredentials: ClientCredentialService },
): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: Unify Phone clients"];
  const path = "/api/admin/tenants/:tenantId/users/:userId/client-password";

  app.put(
    path,
    {
      ...admin,
      schema: {
        tags,
        summary:
          "Set the user's client password: SIP clients then REGISTER over wss://…/ws as sip:<userId>@<domain> with digest username <userId>",
        params: userParams,
        body: clientPasswordBody,
        response: { 204: { type: "null" }, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { tenantId, userId } = request.params;
      ctx.clientCredentials.setPassword(tenantId, userId, request.body.password);
      reply.code(204);
    },
  );

  app.delete(
    path,
    {
      ...admin,
      schema: {
        tags,
        summary: "Delete the user's client password: its clients are unregistered and can no longer register",
        params: userParams,
        response: { 204: { type: "null" }, ...errorResponses(401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { tenantId, userId } = request.params;
      ctx.clientCredentials.deletePassword(tenantId, userId);
      reply.code(204);
    },
  );
}
