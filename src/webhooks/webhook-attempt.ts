import { type Dispatcher, request } from "undici";
import { webhookHeaders } from "./webhook-payload.js";

/** An event waiting for delivery: its body is built (and frozen) when the event happens. */
export interface QueuedDelivery {
  readonly id: string;
  readonly type: string;
  readonly body: string;
}

/** What one POST came to: delivered, worth another try, or failed for good. */
export type AttemptResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly retry: boolean; readonly error: string };

/** 2xx delivers; 5xx and 429 may pass on a later try; any other answer will not. */
export function resultOfStatus(url: string, status: number): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, retry: status >= 500 || status === 429, error: `POST ${url}: answered ${status}` };
}

/** One POST of `delivery` to `url`; never throws (network errors are retried, like a 5xx). */
export async function attemptDelivery(
  dispatcher: Dispatcher,
  target: { readonly url: string; readonly secret: string | null },
  delivery: QueuedDelivery,
  options: { readonly timeoutMs: number; readonly signal: AbortSignal },
): Promise<AttemptResult> {
  try {
    const res = await request(target.url, {
      method: "POST",
      headers: webhookHeaders(delivery, target.secret),
      body: delivery.body,
      dispatcher,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: options.signal,
    });
    await res.body.dump();
    return resultOfStatus(target.url, res.statusCode);
  } catch (err) {
    return { ok: false, retry: true, error: `POST ${target.url}: ${describe(err)}` };
  }
}

/** "connect ECONNREFUSED 127.0.0.1:9"; an AggregateError (IPv4 + IPv6 tried) has no message of its own. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  if (err instanceof AggregateError && err.errors[0] instanceof Error) return describe(err.errors[0]);
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : err.name;
}
