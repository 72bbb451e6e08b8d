import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ApiContext } from "../api-context.js";

/** The emulator's Prometheus metrics as the HTTP side sees them (src/metrics implements it). */
export interface MetricsEndpoint {
  /** The exposition format's content type (text/plain; version=0.0.4). */
  readonly contentType: string;
  /** `--metrics-public`: served without any token. */
  readonly public: boolean;
  /** The separate `--metrics-token` matches (constant-time); false when none is set. */
  tokenMatches(candidate: string): boolean;
  scrape(): Promise<string>;
  /** One answered HTTP request, for the request metrics (route = the route's pattern). */
  httpRequest(method: string, route: string | undefined, status: number, seconds: number): void;
}

/**
 * `GET /metrics` for Prometheus: the admin token or the metrics token as a bearer token, or
 * nothing with `--metrics-public`. Also counts every HTTP request the app answers (a root
 * onResponse hook). Not in the OpenAPI document: it is for scrapers, not REST clients
 * (docs/metrics.md).
 */
export function metricsRoutes(
  app: FastifyInstance,
  ctx: Pick<ApiContext, "auth"> & { readonly metrics: MetricsEndpoint },
): void {
  const { metrics } = ctx;
  app.addHook("onResponse", async (request, reply) => {
    metrics.httpRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
  });
  async function scrapeAccess(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    if (metrics.public) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    if (match && metrics.tokenMatches(match[1]!)) return;
    // Otherwise exactly the admin check: its 401s, its lockout of a guessing source.
    await ctx.auth.requireAdmin.call(this, request, reply);
  }
  app.get("/metrics", { onRequest: scrapeAccess, schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.scrape();
  });
}
