import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "../../errors/index.js";
import type { FaultEngine } from "../../faults/index.js";
import type { ApiContext } from "../api-context.js";
import { EventHub } from "../event-hub.js";
import { errorResponses } from "../schemas/common.js";
import { eventStreamResponse } from "../schemas/events.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** Concurrent event streams per HTTP listener: a few operator tabs, not a broadcast service. */
export const MAX_EVENT_STREAMS = 16;
/** How long shutdown lets the open streams send their last chunk. */
const SHUTDOWN_FLUSH_MS = 500;

export interface EventRoutesContext {
  readonly auth: Pick<ApiContext["auth"], "requireAdmin">;
  readonly live: ApiContext["live"];
  readonly faults: Pick<FaultEngine, "onHit">;
  readonly clock: Pick<ApiContext["clock"], "state">;
  readonly trace: { stats(): { recorded: number; recordedHttp: number } };
}

/**
 * Live events for the web UI (and any admin client): `GET /api/admin/events` streams connector
 * status, call events, fault hits, clock and trace changes and every successful admin write as
 * Server-Sent Events. Register before the other routes: its onResponse hook sees their writes.
 */
export function eventRoutes(untyped: FastifyInstance, ctx: EventRoutesContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const hub = new EventHub(
    {
      ...ctx.live,
      faultHits: { on: (listener) => ctx.faults.onHit(listener) },
      clock: () => {
        const { now, frozen, offsetMs } = ctx.clock.state();
        return { epochMs: now, frozen, offsetMs };
      },
      traceStats: () => ctx.trace.stats(),
    },
    { maxStreams: MAX_EVENT_STREAMS },
  );
  const responses = new Set<ServerResponse>();
  // Before the server closes (and its connection guard destroys every socket): each stream gets
  // its last chunk, so a reader sees the response end rather than a broken connection.
  app.addHook("preClose", async () => {
    hub.close();
    const flushed = [...responses].map((res) => once(res, "close").catch(() => {}));
    const grace = new AbortController();
    await Promise.race([
      Promise.all(flushed),
      sleep(SHUTDOWN_FLUSH_MS, undefined, { signal: grace.signal }).catch(() => {}),
    ]);
    grace.abort();
  });
  app.addHook("onResponse", async (request, reply) => {
    if (hub.openStreams === 0 || reply.statusCode >= 300 || READS.has(request.method)) return;
    announceWrite(hub, request);
    hub.checkNow();
  });

  app.get(
    "/api/admin/events",
    {
      onRequest: ctx.auth.requireAdmin,
      schema: {
        tags: ["admin: emulator control"],
        summary:
          "Live events (Server-Sent Events): connectors, calls, fault hits, clock, trace and admin writes",
        response: { 200: eventStreamResponse, ...errorResponses(401, 429, 503) },
      },
    },
    async (_request, reply) => {
      // HEAD runs this handler too; fastify then destroys the body, so the hub forgets the stream.
      const stream = hub.open();
      if (!stream) {
        throw new ApiError(
          "event_streams_exhausted",
          `${MAX_EVENT_STREAMS} event streams are open on this listener: close one (or poll the REST routes)`,
          { retryAfterSeconds: 5 },
        );
      }
      // A peer that goes away mid-stream: fastify ends the pipe; the hub forgets the stream.
      responses.add(reply.raw);
      reply.raw.once("close", () => {
        responses.delete(reply.raw);
        stream.destroy();
      });
      return reply
        .type("text/event-stream; charset=utf-8")
        .header("cache-control", "no-store")
        .header("x-accel-buffering", "no")
        .send(stream.body);
    },
  );
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Names what a successful write changed, so a page reloads only that. */
function announceWrite(hub: EventHub, request: FastifyRequest): void {
  const route = request.routeOptions.url;
  if (!route?.startsWith("/api/")) return;
  const params = (request.params ?? {}) as Record<string, unknown>;
  const param = (name: string) => (typeof params[name] === "string" ? (params[name] as string) : undefined);
  const method = request.method;
  if (route === "/api/admin/scenarios/:name/apply") {
    hub.publish("scenario", { name: param("name") });
  } else if (route.startsWith("/api/admin/faults")) {
    const faultId = param("faultId");
    hub.publish("faults", { method, ...(faultId ? { faultId } : {}) });
  } else if (!route.startsWith("/api/admin/clock")) {
    const tenantId = param("tenantId") ?? request.tenant?.id;
    hub.publish("change", { method, route, ...(tenantId ? { tenantId } : {}) });
  }
}
