import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Tenant } from "../../domain/index.js";
import type { ApiContext } from "../api-context.js";
import { pagingHooks } from "../plugins/paging.js";
import { errorResponses, idParam } from "../schemas/common.js";
import {
  assignmentBody,
  createUserBody,
  provisionBody,
  systemIdParams,
  systemJson,
  systemSchema,
  userPageSchema,
  userQuery,
  wizardUserJson,
  wizardUserSchema,
} from "../schemas/connector.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** Set by `requireApiKey`, which runs before every handler here. */
const tenantOf = (request: FastifyRequest): Tenant => request.tenant!;

/** PBX side (X-API-Key): provisioning and the user instance wizard (SPEC §1, §3.2). */
export function connectorRoutes(untyped: FastifyInstance, ctx: ApiContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const apiKey = { onRequest: ctx.auth.requireApiKey };
  const systems = ["connector: systems"];
  const users = ["connector: user instance wizard"];
  const userParams = idParam("userId");

  app.post(
    "/api/connector/v1/systems",
    {
      ...apiKey,
      schema: {
        tags: systems,
        summary:
          "Provision a PBX system: its trunk, SIP credentials and endpoints (201 first time, 200 again; idempotent per systemId)",
        body: provisionBody,
        response: { 200: systemSchema, 201: systemSchema, ...errorResponses(400, 401, 403, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { system, created } = ctx.connector.provision(tenantOf(request), request.body);
      if (created) {
        reply
          .code(201)
          .header("location", `/api/connector/v1/systems/${encodeURIComponent(system.system.systemId)}`);
      }
      return systemJson(system);
    },
  );

  app.get(
    "/api/connector/v1/systems/:systemId",
    {
      ...apiKey,
      schema: {
        tags: systems,
        summary: "A provisioned system with its credentials and live connector status",
        params: systemIdParams,
        response: { 200: systemSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => systemJson(ctx.connector.getSystem(tenantOf(request), request.params.systemId)),
  );

  app.delete(
    "/api/connector/v1/systems/:systemId",
    {
      ...apiKey,
      schema: {
        tags: systems,
        summary:
          "Uninstall the connector: the system and its trunk go, the registration is dropped, users stay unassigned",
        params: systemIdParams,
        response: { 204: { type: "null" }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      ctx.connector.uninstall(tenantOf(request), request.params.systemId);
      reply.code(204);
    },
  );

  app.get(
    "/api/connector/v1/users",
    {
      ...apiKey,
      ...pagingHooks,
      schema: {
        tags: users,
        summary: "Search users by name or e-mail; assigned users are marked (and those of `systemId`)",
        querystring: userQuery,
        response: { 200: userPageSchema, ...errorResponses(400, 401, 403, 404, 422, 429) },
      },
    },
    async (request) => {
      const q = request.query;
      const { offset, limit } = request.query;
      const page = ctx.connector.listUsers(tenantOf(request), {
        ...(q.search === undefined ? {} : { search: q.search }),
        ...(q.systemId === undefined ? {} : { systemId: q.systemId }),
        offset,
        limit,
      });
      return { items: page.items.map(wizardUserJson), total: page.total, offset, limit };
    },
  );

  app.post(
    "/api/connector/v1/users",
    {
      ...apiKey,
      schema: {
        tags: users,
        summary: "Create a user in the cloud and assign it to the system's trunk",
        body: createUserBody,
        response: { 201: wizardUserSchema, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const user = ctx.connector.createUser(tenantOf(request), request.body);
      reply.code(201);
      return wizardUserJson(user);
    },
  );

  app.put(
    "/api/connector/v1/users/:userId/assignment",
    {
      ...apiKey,
      schema: {
        tags: users,
        summary: "Add or edit: assign the user to the system's trunk with this callno (and DID)",
        params: userParams,
        body: assignmentBody,
        response: { 200: wizardUserSchema, ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
      },
    },
    async (request) =>
      wizardUserJson(ctx.connector.assignUser(tenantOf(request), request.params.userId, request.body)),
  );

  app.delete(
    "/api/connector/v1/users/:userId/assignment",
    {
      ...apiKey,
      schema: {
        tags: users,
        summary: "Remove the user from the PBX only; it stays in the cloud",
        params: userParams,
        response: { 204: { type: "null" }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      ctx.connector.unassignUser(tenantOf(request), request.params.userId);
      reply.code(204);
    },
  );

  app.delete(
    "/api/connector/v1/users/:userId",
    {
      ...apiKey,
      schema: {
        tags: users,
        summary: "Delete the user from the PBX and the cloud",
        params: userParams,
        response: { 204: { type: "null" }, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      ctx.connector.deleteUser(tenantOf(request), request.params.userId);
      reply.code(204);
    },
  );
}
