import type { FastifyInstance, RouteOptions } from "fastify";
import type { ApiContext } from "../api-context.js";

/** An OpenAPI security requirement: the scheme names of `components.securitySchemes`. */
type SecurityRequirement = Record<string, string[]>;

/**
 * Writes each operation's OpenAPI `security` from the auth hook its route really runs
 * (admin bearer token, tenant X-API-Key, or none), so `/docs` "Try it out" sends the right
 * credential and the document cannot drift from the code. The scheme names are those
 * declared in `components.securitySchemes` (http-server.ts). Call before the routes are
 * registered: fastify hooks apply to routes added after them.
 */
export function declareSecurity(app: FastifyInstance, auth: ApiContext["auth"]): void {
  app.addHook("onRoute", (route) => {
    const security = securityOf(route, auth);
    // Mutated in place: @fastify/swagger keeps this route object and reads its schema later.
    route.schema ??= {};
    (route.schema as { security?: SecurityRequirement[] }).security = security;
  });
}

function securityOf(route: RouteOptions, auth: ApiContext["auth"]): SecurityRequirement[] {
  const hooks = [route.onRequest ?? []].flat() as unknown[];
  if (hooks.includes(auth.requireAdmin)) return [{ adminToken: [] }];
  if (hooks.includes(auth.requireApiKey)) return [{ apiKey: [] }];
  // An empty list says "no credential" (not "inherit a document-wide default").
  return [];
}
