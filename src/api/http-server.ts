import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { MODERN_CIPHERS, NO_RENEGOTIATION } from "../certs/index.js";
import type { ApiContext } from "./api-context.js";
import { ConnectionGuard, type HttpConnectionLimits } from "./connection-guard.js";
import { installErrorHandler } from "./error-handler.js";
import { faultHttp } from "./plugins/fault-hook.js";
import { traceHttp } from "./plugins/trace-hook.js";
import { captureUnmatchedHttp } from "./plugins/unmatched-hook.js";
import { registerRoutes } from "./routes.js";
import { problemSchema } from "./schemas/common.js";

/** Largest JSON body; imports have their own, larger limit on their route. */
const BODY_LIMIT = 1_048_576;

/**
 * One fastify app; the emulator builds it twice when plain HTTP is enabled beside HTTPS.
 * With `limits`, sockets are admitted like on the SIP port (see ConnectionGuard).
 */
export async function buildHttpApp(
  ctx: ApiContext,
  tls?: { key: string | string[]; cert: string | string[] },
  limits?: HttpConnectionLimits,
): Promise<FastifyInstance> {
  const app = Fastify({
    ...(tls
      ? {
          https: {
            key: tls.key,
            cert: tls.cert,
            ciphers: MODERN_CIPHERS,
            secureOptions: NO_RENEGOTIATION,
            ...(limits ? { handshakeTimeout: limits.handshakeTimeoutMs } : {}),
          },
        }
      : {}),
    loggerInstance: ctx.log as FastifyBaseLogger,
    forceCloseConnections: true,
    bodyLimit: BODY_LIMIT,
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, allowUnionTypes: true },
    },
  });
  app.addSchema(problemSchema);
  installErrorHandler(app);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "unify-phone-emulator",
        version: "0.1.0",
        description:
          "Emulated Unify Phone telephony connector. Admin routes take `Authorization: Bearer <admin token>`; PBX-side routes take `X-API-Key: <tenant API key>`. Errors are RFC 9457 problem+json with a stable `code`.",
      },
      components: {
        securitySchemes: {
          adminToken: { type: "http", scheme: "bearer" },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  traceHttp(app, ctx.trace);
  faultHttp(app, ctx.faults, { tenantByApiKey: ctx.tenantByApiKey });
  // Requests no route takes: journaled, then a stub or the default 404 answers (docs/unmatched.md).
  if (ctx.unmatched)
    captureUnmatchedHttp(app, ctx.unmatched, { bodyLimit: BODY_LIMIT, tenantByApiKey: ctx.tenantByApiKey });
  registerRoutes(app, ctx);
  if (limits) {
    const guard = new ConnectionGuard(app.server, limits, tls !== undefined);
    // Before the server closes: a peer still in its handshake would hold the close until it times out.
    // Added after the routes: their own preClose hooks (the event streams' last chunk) run first.
    app.addHook("preClose", (done) => {
      guard.close();
      done();
    });
  }
  await app.ready();
  return app;
}
