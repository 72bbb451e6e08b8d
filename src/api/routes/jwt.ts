import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../api-context.js";
import { pageOfArray, pagingHooks } from "../plugins/paging.js";
import { errorResponses, idParam } from "../schemas/common.js";
import {
  createPortalTokenBody,
  mintedTokenJson,
  mintedTokenSchema,
  portalTokenJson,
  portalTokenListQuery,
  portalTokenSchema,
  putJwtBody,
  tenantJwtJson,
  tenantJwtSchema,
} from "../schemas/jwt.js";
import { pagedArray, pagedQuery } from "../schemas/paging.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/**
 * The emulated JWT creation portal (RingCentral's, in the real product) and each tenant's
 * JWT (SPEC §1, §3.2). The portal's login is stood in for by the admin token.
 */
export function jwtRoutes(untyped: FastifyInstance, ctx: ApiContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const portalTags = ["jwt portal (emulated)"];
  const tenantTags = ["admin: tenant JWT"];

  app.post(
    "/api/jwt-portal/tokens",
    {
      ...admin,
      schema: {
        tags: portalTags,
        summary: "Mint a signed JWT (ES256) for a client ID; the admin token stands in for the portal login",
        body: createPortalTokenBody,
        response: { 201: mintedTokenSchema, ...errorResponses(400, 401, 422, 429) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const expiresAt =
        body.expiresAt === undefined || body.expiresAt === null ? null : Date.parse(body.expiresAt);
      const minted = await ctx.jwt.mint({ clientId: body.clientId, label: body.label, expiresAt });
      reply.code(201);
      return mintedTokenJson(minted);
    },
  );

  app.get(
    "/api/jwt-portal/tokens",
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags: portalTags,
        summary:
          "Tokens the portal minted, newest first (without their text), paged; the admin token stands in for the portal login",
        querystring: pagedQuery(portalTokenListQuery),
        response: { 200: pagedArray(portalTokenSchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const tokens = ctx.jwt.listTokens(request.query.clientId);
      return pageOfArray(reply, tokens, request.query).map(portalTokenJson);
    },
  );

  app.post(
    "/api/jwt-portal/tokens/:tokenId/revoke",
    {
      ...admin,
      schema: {
        tags: portalTags,
        summary:
          "Revoke a token (idempotent); a tenant that set it turns invalid. The admin token stands in for the portal login",
        params: idParam("tokenId"),
        response: { 200: portalTokenSchema, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => portalTokenJson(ctx.jwt.revoke(request.params.tokenId)),
  );

  const params = idParam("tenantId");

  app.get(
    "/api/admin/tenants/:tenantId/jwt",
    {
      ...admin,
      schema: {
        tags: tenantTags,
        summary:
          "The tenant's JWT status at the emulator's now (expiring: from one calendar month before its expiry)",
        params,
        response: { 200: tenantJwtSchema, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => tenantJwtJson(ctx.jwt.view(request.params.tenantId)),
  );

  app.put(
    "/api/admin/tenants/:tenantId/jwt",
    {
      ...admin,
      schema: {
        tags: tenantTags,
        summary:
          "Set the tenant's JWT: checks format, portal signature, aud = the tenant's clientId, not revoked, not expired; a refused token stores nothing",
        params,
        body: putJwtBody,
        response: { 200: tenantJwtSchema, ...errorResponses(400, 401, 404, 422, 429) },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      return tenantJwtJson(await ctx.jwt.set(tenantId, request.body.token));
    },
  );

  app.delete(
    "/api/admin/tenants/:tenantId/jwt",
    {
      ...admin,
      schema: {
        tags: tenantTags,
        summary: "Remove the tenant's JWT (status not_set; video tenants stop provisioning)",
        params,
        response: { 204: { type: "null" }, ...errorResponses(401, 404, 429) },
      },
    },
    async (request, reply) => {
      ctx.jwt.clear(request.params.tenantId);
      reply.code(204);
    },
  );
}
