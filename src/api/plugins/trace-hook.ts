import type { FastifyInstance } from "fastify";
import type { HttpCall } from "../../traces/index.js";

/** Query parameter names whose values may be credentials: never traced. */
const SECRET_NAME = /key|token|secret|pass|pwd|auth|jwt|sig|cred|session|cookie|code|nonce/i;

/**
 * Records every REST call once answered: method, path, status, latency, request id and the
 * tenant when known. Never headers or bodies; secret-looking query values are replaced.
 * Call before the routes are registered (fastify hooks apply to routes added after them).
 */
export function traceHttp(app: FastifyInstance, recorder: { recordHttp(call: HttpCall): void }): void {
  app.addHook("onResponse", async (request, reply) => {
    const params = request.params as Record<string, unknown> | undefined;
    const tenantId =
      request.tenant?.id ?? (typeof params?.tenantId === "string" ? params.tenantId : undefined);
    const route = request.routeOptions.url;
    recorder.recordHttp({
      method: request.method,
      path: redactQuery(request.url),
      ...(route ? { route } : {}),
      status: reply.statusCode,
      latencyMs: Math.round(reply.elapsedTime * 1000) / 1000,
      requestId: String(request.id),
      ...(tenantId ? { tenantId } : {}),
    });
  });
}

/** "/x?apiKey=abc&format=pcap" → "/x?apiKey=***&format=pcap". */
export function redactQuery(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return url;
  const pairs = url
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return eq !== -1 && SECRET_NAME.test(safeDecode(name)) ? `${name}=***` : pair;
    });
  return `${url.slice(0, q)}?${pairs.join("&")}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
