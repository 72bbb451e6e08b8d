import type { FastifyInstance } from "fastify";
import type { User } from "../../domain/index.js";
import { clientRegistrationView } from "../../services/index.js";
import type { ApiContext } from "../api-context.js";
import { pagingHooks } from "../plugins/paging.js";
import { errorResponses, idParam, idParams } from "../schemas/common.js";
import { registrationsResponse, userWithRegistrationsSchema } from "../schemas/registrations.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";
import {
  createUserBody,
  exportResponse,
  importBody,
  importQuery,
  importResultSchema,
  listUsersQuery,
  patchUserBody,
  userJson,
  userPageSchema,
  userSchema,
} from "../schemas/users.js";

/** An import body may be this large (larger → 413 payload_too_large). */
const IMPORT_BODY_LIMIT = 10 * 1024 * 1024;
const CSV_TYPES = ["text/csv", "application/csv"];

const userParams = idParams("tenantId", "userId");

/** Admin side: users of a tenant, import and export (SPEC §3.2). */
export function userRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.register(async (scope) => {
    // CSV bodies arrive as bytes for the streaming parser; only these routes accept them.
    scope.addContentTypeParser(CSV_TYPES, { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    scope.removeContentTypeParser("text/plain");
    routes(scope, ctx);
  });
}

function routes(untyped: FastifyInstance, ctx: ApiContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: users"];
  const base = "/api/admin/tenants/:tenantId/users";
  const params = idParam("tenantId");
  const json = (u: User) => userJson(u, ctx.users.trunkName(u));
  /** Who rings on a call to the user, oldest registration first. */
  const registrationsOf = (userId: string) => {
    const now = ctx.clock.state().now;
    return (ctx.clientRegistrations?.clientsOf(userId) ?? []).map((b) => clientRegistrationView(b, now));
  };
  /** The body's trunk name → the service's trunkId. */
  const trunkId = (tenantId: string, trunk: string) => ctx.users.trunkIdByName(tenantId, trunk);

  app.get(
    base,
    {
      ...admin,
      ...pagingHooks,
      schema: {
        tags,
        summary: "List users: search by name, e-mail or number, ordered by last name, paged",
        params,
        querystring: listUsersQuery,
        response: { 200: userPageSchema, ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const { search } = request.query;
      const { offset, limit } = request.query;
      const page = ctx.users.list(tenantId, { ...(search ? { search } : {}), offset, limit });
      return { items: page.items.map(json), total: page.total, offset, limit };
    },
  );

  app.post(
    base,
    {
      ...admin,
      schema: {
        tags,
        summary: "Create a user; trunk + callno build the phone number unless phoneNumber is given",
        params,
        body: createUserBody,
        response: { 201: userSchema, ...errorResponses(400, 401, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.params;
      const { trunk, ...fields } = request.body;
      const input = trunk === undefined ? fields : { ...fields, trunkId: trunkId(tenantId, trunk) };
      const user = ctx.users.create(tenantId, input);
      applyRouting(ctx, user, { routing: "default" });
      reply.code(201).header("location", `/api/admin/tenants/${tenantId}/users/${user.id}`);
      return json(user);
    },
  );

  app.post(
    `${base}/import`,
    {
      ...admin,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary:
          "Import users into one trunk from CSV or JSON: every row is validated first; any invalid row → 422 import_invalid and nothing is written",
        params,
        querystring: importQuery,
        body: importBody,
        response: { 200: importResultSchema, ...errorResponses(400, 401, 404, 409, 413, 415, 422, 429) },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const q = request.query;
      return ctx.users.import(tenantId, {
        trunk: q.trunk,
        dryRun: q.dryRun === "true",
        format: Buffer.isBuffer(request.body) ? "csv" : "json",
        body: request.body,
      });
    },
  );

  app.get(
    `${base}/export`,
    {
      ...admin,
      schema: {
        tags,
        summary: "Export the users as CSV in the import's format (Excel-ready, formulas neutralised)",
        params,
        response: { 200: exportResponse, ...errorResponses(401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { filename, body } = ctx.users.exportCsv(request.params.tenantId);
      reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="${filename}"`);
      return body;
    },
  );

  app.get(
    `${base}/:userId`,
    {
      ...admin,
      schema: {
        tags,
        summary: "Get a user, with its registered Unify Phone clients",
        params: userParams,
        response: { 200: userWithRegistrationsSchema, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => {
      const { tenantId, userId } = request.params;
      return { ...json(ctx.users.get(tenantId, userId)), registrations: registrationsOf(userId) };
    },
  );

  app.get(
    `${base}/:userId/registrations`,
    {
      ...admin,
      schema: {
        tags,
        summary: "The user's registered Unify Phone clients: kind, user agent, since, expiry, connection",
        params: userParams,
        response: { 200: registrationsResponse, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => {
      const { tenantId, userId } = request.params;
      ctx.users.get(tenantId, userId);
      return { registrations: registrationsOf(userId) };
    },
  );

  app.patch(
    `${base}/:userId`,
    {
      ...admin,
      schema: {
        tags,
        summary: "Change a user; a new trunk or callno rebuilds the phone number unless phoneNumber is given",
        params: userParams,
        body: patchUserBody,
        response: { 200: userSchema, ...errorResponses(400, 401, 404, 409, 422, 429) },
      },
    },
    async (request) => {
      const { tenantId, userId } = request.params;
      const { trunk, ...fields } = request.body;
      // null clears the trunk
      const changes =
        trunk === undefined
          ? fields
          : { ...fields, trunkId: trunk === null ? null : trunkId(tenantId, trunk) };
      const previous = ctx.users.get(tenantId, userId);
      const user = ctx.users.update(tenantId, userId, changes);
      applyRouting(ctx, user, previous);
      return json(user);
    },
  );

  app.delete(
    `${base}/:userId`,
    {
      ...admin,
      schema: {
        tags,
        summary: "Delete a user (from the PBX and the cloud)",
        params: userParams,
        response: { 204: { type: "null" }, ...errorResponses(401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { tenantId, userId } = request.params;
      ctx.users.delete(tenantId, userId);
      reply.code(204);
    },
  );
}

/**
 * A routing change reaches the desk phone over CTI (SetForwarding for alternative, docs/cti.md).
 * The user is saved either way: without a CSTA session the forwarding is set when one opens.
 */
function applyRouting(
  ctx: ApiContext,
  user: User,
  previous: { routing: string; alternativeNumber?: string | undefined },
): void {
  if (!ctx.cti) return;
  if (user.routing === previous.routing && user.alternativeNumber === previous.alternativeNumber) return;
  const { alternativeNumber, routing } = previous;
  ctx.cti
    .routingChanged(user.id, { routing, ...(alternativeNumber ? { alternativeNumber } : {}) })
    .catch((error) =>
      ctx.log.warn({ userId: user.id, error: String(error) }, "routing not applied on the desk phone"),
    );
}
