import type { FastifyInstance } from "fastify";
import {
  buildPcap,
  formatLadder,
  TRACE_KINDS,
  type TraceEntry,
  type TraceFilter,
  type TraceStats,
} from "../../traces/index.js";
import type { ApiContext } from "../api-context.js";
import { errorResponses } from "../schemas/common.js";
import { type TraceQuery, traceJsonSchema, traceQuery } from "../schemas/trace.js";
import type { ApiTypeProvider } from "../schemas/type-provider.js";

/** What the trace routes need of the recorder. */
export interface TraceSource {
  entries(filter?: TraceFilter): TraceEntry[];
  stats(): TraceStats;
  clear(): void;
}

export interface TraceRouteContext {
  readonly auth: Pick<ApiContext["auth"], "requireAdmin">;
  readonly trace: TraceSource;
}

/** The trace: every SIP message, REST call, call event and fault hit, as JSON, text or pcap. */
export function traceRoutes(untyped: FastifyInstance, ctx: TraceRouteContext): void {
  const app = untyped.withTypeProvider<ApiTypeProvider>();
  const admin = { onRequest: ctx.auth.requireAdmin };
  const tags = ["admin: diagnostics"];

  app.get(
    "/api/admin/trace",
    {
      ...admin,
      schema: {
        tags,
        summary:
          "The trace, filtered: JSON entries, a text ladder, or a pcap of the SIP as plaintext over synthetic TCP/UDP",
        querystring: traceQuery,
        response: {
          200: {
            content: {
              "application/json": { schema: traceJsonSchema },
              "text/plain": { schema: { type: "string" } },
              "application/vnd.tcpdump.pcap": { schema: { type: "string", format: "binary" } },
            },
          },
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const entries = ctx.trace.entries(filterOf(q));
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
      switch (q.format) {
        case "pcap":
          return reply
            .type("application/vnd.tcpdump.pcap")
            .header("content-disposition", `attachment; filename="upe-trace-${stamp}.pcap"`)
            .send(buildPcap(entries));
        case "text":
          return reply.type("text/plain; charset=utf-8").send(formatLadder(entries));
        default: {
          const { capacity, size, recorded, dropped } = ctx.trace.stats();
          return reply
            .type("application/json")
            .send({ buffer: { capacity, size, recorded, dropped }, entries });
        }
      }
    },
  );

  app.delete(
    "/api/admin/trace",
    {
      ...admin,
      schema: {
        tags,
        summary: "Empty the trace buffer (a trace file keeps its lines)",
        response: { 204: { type: "null" }, ...errorResponses(401) },
      },
    },
    async (_request, reply) => {
      ctx.trace.clear();
      reply.code(204);
    },
  );
}

function filterOf(q: TraceQuery): TraceFilter {
  return {
    ...(q.callId ? { callId: q.callId } : {}),
    ...(q.trunk ? { trunk: q.trunk } : {}),
    ...(q.tenant ? { tenant: q.tenant } : {}),
    ...(q.since ? { since: /^[0-9]+$/.test(q.since) ? Number(q.since) : Date.parse(q.since) } : {}),
    ...(q.kind ? { kinds: TRACE_KINDS.filter((k) => q.kind?.split(",").includes(k)) } : {}),
    ...(q.limit ? { limit: Number(q.limit) } : {}),
  };
}
