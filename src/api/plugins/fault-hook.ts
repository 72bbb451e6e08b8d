import type { FastifyInstance } from "fastify";
import { type ApiErrorCode, problemFor } from "../../errors/index.js";
import { delayMs, type FaultChecker } from "../../faults/index.js";
import { type Clock, SystemClock } from "../../shared/clock.js";
import { sendProblem } from "../error-handler.js";

export interface FaultHttpOptions {
  /** The tenant an X-API-Key belongs to, for `match.tenant` (id or name). */
  readonly tenantByApiKey?: (apiKey: string) => { readonly id: string; readonly name: string } | undefined;
  /** Timers for delays; real time unless a test passes a controllable clock. */
  readonly timers?: Clock;
}

/** The fault API itself is never faulted: a rule must always be removable. */
// Never faulted, so a rule can always be removed and the next scenario applied.
const EXEMPT = /^\/api\/admin\/(faults|scenarios)(\/|$)/;
/** What a response cut mid-body promised and what it sent. */
const PROMISED_BYTES = 4096;
const PARTIAL_BODY = '{"status":"ok","items":[';

/**
 * `http.request` faults, before authentication and routing: answer with a status and an
 * RFC 9457 problem body, wait, or send the start of a response and destroy the socket.
 */
export function faultHttp(app: FastifyInstance, engine: FaultChecker, options: FaultHttpOptions = {}): void {
  const timers = options.timers ?? new SystemClock();
  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?", 1)[0] ?? request.url;
    if (EXEMPT.test(path)) return;
    const decision = engine.check("http.request", {
      method: request.method,
      path,
      get tenant() {
        const key = request.headers["x-api-key"];
        const tenant = typeof key === "string" ? options.tenantByApiKey?.(key) : undefined;
        return tenant ? [tenant.id, tenant.name] : [];
      },
      summary: `${request.method} ${path} from ${request.ip}`,
    });
    if (!decision) return;
    const action = decision.action;
    if (action.type === "delay") {
      const ms = delayMs(action, decision.random);
      await new Promise<void>((resolve) => timers.setTimer(ms, resolve));
    } else if (action.type === "respond") {
      const code = (action.code ?? "fault_injected") as ApiErrorCode;
      const detail = action.detail ?? `fault ${decision.faultId} answered ${request.method} ${path}`;
      const extra = action.retryAfter === undefined ? {} : { retryAfterSeconds: action.retryAfter };
      sendProblem(reply, {
        ...problemFor(code, detail, extra),
        status: action.status,
        instance: request.url,
      });
      return reply;
    } else {
      // close: status line, headers and the start of a body, then the connection is gone.
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { "content-type": "application/json", "content-length": String(PROMISED_BYTES) });
      raw.write(PARTIAL_BODY, () => raw.socket?.destroy());
    }
  });
}
