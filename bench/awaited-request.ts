import type { BenchConnection, Exchange } from "./bench-connection.js";
import type { FailureKind } from "./phase-stats.js";
import type { ResponseLite } from "./sip-wire.js";

/** Thrown by `request` when no final response came. */
export class ExchangeFailure extends Error {
  constructor(readonly kind: FailureKind) {
    super(`request failed: ${kind}`);
  }
}

/**
 * Sends one request and resolves with its final response, for the connection-per-operation
 * workloads where a promise per request costs nothing next to a TLS handshake.
 */
export function request(
  conn: BenchConnection,
  callId: string,
  cseq: number,
  text: string,
  timeoutMs: number,
): Promise<ResponseLite> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => exchange.onFailure("timeout"), timeoutMs);
    const exchange: Exchange = {
      callId,
      cseq,
      sentAt: 0,
      onResponse(r) {
        clearTimeout(timer);
        resolve(r);
      },
      onFailure(kind) {
        clearTimeout(timer);
        reject(new ExchangeFailure(kind));
      },
    };
    conn.send(exchange, text);
  });
}
