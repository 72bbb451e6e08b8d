import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../api-context.js";
import { pageOfArray, pagingHooks } from "../plugins/paging.js";
import { errorResponses, idParam } from "../schemas/common.js";
import { pagedArray, pagedQuery } from "../schemas/paging.js";
import {
  apiKeySchema,
  connectorJson,
  connectorSchema,
  createTenantBody,
  tenantJson,
  tenantSchema,
} from "../schemas/tenants.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** Admin side: tenants, API keys and the connectors list (SPEC §3.2). */
export function tenantRoutes(untyped: FastifyInstance, ctx: ApiContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: tenants"];
  const params = idParam("tenantId");

  app.post(
    "/api/admin/tenants",
    {
      ...admin,
      schema: {
        tags,
        summary: "Create a tenant",
        body: createTenantBody,
        response: { 201: tenantSchema, ...errorResponses(400, 401, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const tenant = ctx.tenants.create(request.body);
      reply.code(201).header("location", `/api/admin/tenants/${tenant.id}`);
      return tenantJson(tenant, ctx.jwt.view(tenant.id));
    },
  );

  app.get(
    "/api/admin/tenants",
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags,
        summary: "List tenants (oldest first), paged",
        querystring: pagedQuery(),
        response: { 200: pagedArray(tenantSchema), ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) =>
      pageOfArray(reply, ctx.tenants.list(), request.query).map((t) => tenantJson(t, ctx.jwt.view(t.id))),
  );

  app.get(
    "/api/admin/tenants/:tenantId",
    {
      ...admin,
      schema: {
        tags,
        summary: "Get a tenant",
        params,
        response: { 200: tenantSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const tenant = ctx.tenants.get(request.params.tenantId);
      return tenantJson(tenant, ctx.jwt.view(tenant.id));
    },
  );

  app.delete(
    "/api/admin/tenants/:tenantId",
    {
      ...admin,
      schema: {
        tags,
        summary: "Delete a tenant with its systems, trunks and users; its PBXs lose their registration",
        params,
        response: { 204: { type: "null" }, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      ctx.tenants.delete(request.params.tenantId);
      reply.code(204);
    },
  );

  app.get(
    "/api/admin/tenants/:tenantId/api-key",
    {
      ...admin,
      schema: {
        tags,
        summary: "The tenant's API key",
        params,
        response: { 200: apiKeySchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => ({ apiKey: ctx.tenants.get(request.params.tenantId).apiKey }),
  );

  app.post(
    "/api/admin/tenants/:tenantId/api-key/regenerate",
    {
      ...admin,
      schema: {
        tags,
        summary: "Replace the API key at once (PBXs with the old key get 401 api_key_invalid)",
        params,
        response: { 200: apiKeySchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => ({
      apiKey: ctx.tenants.regenerateApiKey(request.params.tenantId).apiKey,
    }),
  );

  app.get(
    "/api/admin/tenants/:tenantId/connectors",
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags,
        summary: "Connectors (one per PBX system) with live registration status, paged",
        params,
        querystring: pagedQuery(),
        response: { 200: pagedArray(connectorSchema), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const connectors = ctx.tenants.connectors(request.params.tenantId);
      return pageOfArray(reply, connectors, request.query).map(connectorJson);
    },
  );
}
