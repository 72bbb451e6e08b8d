import type { FastifyInstance } from "fastify";
import type { HttpDependencies } from "./http-server.js";
import { healthRoutes } from "./routes/health.js";

/** Every HTTP route of the emulator, registered in one place so one read shows the API. */
export function registerRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  healthRoutes(app, deps);
}
