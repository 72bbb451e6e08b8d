import type { FastifyInstance } from "fastify";
import type { Readiness } from "../../shared/readiness.js";
import { liveSchema, readySchema } from "../schemas/health.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** Liveness and readiness probes (SPEC §3.1), for Docker HEALTHCHECK and test harnesses. */
export function healthRoutes(
  untyped: FastifyInstance,
  deps: { readiness: Readiness; startedAt: number },
): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  app.get(
    "/healthz",
    {
      schema: {
        response: {
          200: liveSchema,
        },
      },
    },
    async () => ({ status: "ok" as const, uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000) }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        response: {
          "2xx": readySchema(),
          "5xx": readySchema(),
        },
      },
    },
    async (_request, reply) => {
      const ready = deps.readiness.ready;
      reply.code(ready ? 200 : 503);
      return {
        status: ready ? ("ready" as const) : ("not_ready" as const),
        components: deps.readiness.snapshot(),
      };
    },
  );
}
