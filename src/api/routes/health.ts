import type { FastifyInstance } from "fastify";
import type { Readiness } from "../../shared/readiness.js";

const componentSchema = {
  type: "object",
  properties: { state: { type: "string" }, detail: { type: "string" } },
  required: ["state"],
} as const;

/** Liveness and readiness probes (SPEC §3.1), for Docker HEALTHCHECK and test harnesses. */
export function healthRoutes(app: FastifyInstance, deps: { readiness: Readiness; startedAt: number }): void {
  app.get(
    "/healthz",
    {
      schema: {
        response: {
          200: {
            type: "object",
            properties: { status: { const: "ok" }, uptimeSeconds: { type: "number" } },
            required: ["status", "uptimeSeconds"],
          },
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
      return { status: ready ? "ready" : "not_ready", components: deps.readiness.snapshot() };
    },
  );
}

function readySchema() {
  return {
    type: "object",
    properties: {
      status: { enum: ["ready", "not_ready"] },
      components: { type: "object", additionalProperties: componentSchema },
    },
    required: ["status", "components"],
  } as const;
}
