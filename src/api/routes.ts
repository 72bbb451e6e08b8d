import type { FastifyInstance } from "fastify";
import type { ApiContext } from "./api-context.js";
import { clockRoutes } from "./routes/clock.js";
import { healthRoutes } from "./routes/health.js";
import { tenantRoutes } from "./routes/tenants.js";

/** Every HTTP route of the emulator, registered in one place so one read shows the API. */
export function registerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  healthRoutes(app, ctx);
  tenantRoutes(app, ctx);
  clockRoutes(app, ctx);
}
