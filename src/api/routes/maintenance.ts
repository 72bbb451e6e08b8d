import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../api-context.js";
import { errorResponses } from "../schemas/common.js";
import { maintenanceJson, maintenanceSchema, setMaintenanceBody } from "../schemas/maintenance.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** Emulator control: a planned outage of the registrar (every REGISTER 503 + Retry-After). */
export function maintenanceRoutes(untyped: FastifyInstance, ctx: ApiContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: emulator control"];

  app.get(
    "/api/admin/maintenance",
    {
      ...admin,
      schema: {
        tags,
        summary: "The maintenance window, and whether REGISTERs are refused now",
        response: { 200: maintenanceSchema, ...errorResponses(401) },
      },
    },
    async () => maintenanceJson(ctx.maintenance.state()),
  );

  app.put(
    "/api/admin/maintenance",
    {
      ...admin,
      schema: {
        tags,
        summary:
          "Set the window (from/startsIn, until/lasts): while it lasts every REGISTER of PBXs and clients gets 503 with Retry-After",
        body: setMaintenanceBody,
        response: { 200: maintenanceSchema, ...errorResponses(400, 401, 422) },
      },
    },
    async (request) => maintenanceJson(ctx.maintenance.set(request.body)),
  );

  app.delete(
    "/api/admin/maintenance",
    {
      ...admin,
      schema: {
        tags,
        summary: "End the maintenance window now",
        response: { 200: maintenanceSchema, ...errorResponses(401) },
      },
    },
    async () => maintenanceJson(ctx.maintenance.clear()),
  );
}
