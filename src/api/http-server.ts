import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Readiness } from "../shared/readiness.js";
import { registerRoutes } from "./routes.js";

export interface HttpDependencies {
  readonly log: Logger;
  readonly readiness: Readiness;
  readonly startedAt: number;
}

/** One fastify app; the emulator builds it twice when plain HTTP is enabled beside HTTPS. */
export async function buildHttpApp(
  deps: HttpDependencies,
  tls?: { key: string; cert: string },
): Promise<FastifyInstance> {
  const app = Fastify({
    ...(tls ? { https: { key: tls.key, cert: tls.cert } } : {}),
    loggerInstance: deps.log as FastifyBaseLogger,
    disableRequestLogging: false,
    forceCloseConnections: true,
    bodyLimit: 1_048_576,
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
  });
  registerRoutes(app, deps);
  await app.ready();
  return app;
}
