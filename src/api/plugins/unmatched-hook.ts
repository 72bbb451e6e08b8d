import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ApiError, problemFor } from "../../errors/index.js";
import type { UnmatchedCapture, UnmatchedHttpRequest } from "../../services/index.js";
import { tcpSocketOf } from "../../shared/socket-peer.js";
import { sendProblem } from "../error-handler.js";

export interface UnmatchedHttpOptions {
  /** Largest body read (the API's body limit); a longer one is refused 413 and not captured. */
  readonly bodyLimit: number;
  readonly tenantByApiKey: (apiKey: string) => { readonly id: string } | undefined;
}

/**
 * Requests that match no route are captured into the unmatched journal and answered by a stub
 * or the default problem+json, here in preParsing: the raw body is read whatever its content
 * type (the not-found route would parse JSON only, and refuse a malformed body before us).
 */
export function captureUnmatchedHttp(
  app: FastifyInstance,
  capture: UnmatchedCapture,
  options: UnmatchedHttpOptions,
): void {
  app.addHook("preParsing", async (request, reply, payload) => {
    if (!request.is404) return payload;
    const body = await readBody(payload, options.bodyLimit);
    await answer(request, reply, capture, body, options);
    return reply;
  });
}

async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  capture: UnmatchedCapture,
  body: Buffer,
  options: UnmatchedHttpOptions,
): Promise<void> {
  const path = request.url.split("?", 1)[0] ?? request.url;
  const key = request.headers["x-api-key"];
  const tenantId = typeof key === "string" ? safely(() => options.tenantByApiKey(key)?.id) : undefined;
  const unmatched: UnmatchedHttpRequest = {
    method: request.method,
    url: request.url,
    path,
    query: { ...(request.query as Record<string, string | string[]>) },
    headers: { ...request.headers },
    body,
    remoteAddress: request.socket.remoteAddress ?? "",
    ...(tenantId === undefined ? {} : { tenantId }),
  };
  const { entry, answer } = await capture.captureHttp(unmatched);
  if (answer.kind === "stub") {
    const { fault } = answer.answer;
    if (fault) breakConnection(request, reply, fault);
    else reply.code(answer.answer.status).headers(answer.answer.headers).send(answer.answer.body);
    return;
  }
  sendProblem(reply, {
    ...problemFor("not_found", `${request.method} ${path} does not exist (captured as ${entry.id})`, {
      unmatchedId: entry.id,
    }),
    status: answer.status,
    instance: path,
  });
}

/** The whole body, or 413 once it passes `limit` bytes (as fastify answers a long body). */
async function readBody(payload: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > limit) {
      payload.destroy();
      throw new ApiError("payload_too_large", `the body is longer than ${limit} bytes`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** A stub's fault: nothing is written; the connection is reset (TCP RST) or just closed. */
function breakConnection(
  request: FastifyRequest,
  reply: FastifyReply,
  fault: "connection-reset" | "empty-response",
): void {
  reply.hijack();
  const socket = request.raw.socket;
  if (fault === "connection-reset") tcpSocketOf(socket).resetAndDestroy();
  else socket.destroy();
}
