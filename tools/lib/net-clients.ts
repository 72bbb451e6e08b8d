import https from "node:https";
import tls from "node:tls";

/** Opens a TLS connection to the emulator's SIP port, trusting its CA; rejects after `timeoutMs`. */
export function connectTls(port: number, ca: string, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ca, servername: "phoneapp.unify.com" });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TLS connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      resolve(socket);
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once("error", onError);
  });
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/** One HTTPS request to the emulator (JSON in and out), bounded by `timeoutMs`. */
export function httpsJson(
  target: { port: number; ca: string; token?: string },
  method: string,
  path: string,
  timeoutMs: number,
  body?: unknown,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(
      {
        host: "127.0.0.1",
        port: target.port,
        method,
        path,
        ca: target.ca,
        servername: "phoneapp.unify.com",
        agent: false,
        headers: {
          ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
          ...(payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () =>
      request.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)),
    );
    request.on("error", reject);
    request.end(payload);
  });
}

/** Resolves on the first of `events` from `emitter` or after `ms`, whichever comes first. */
export function nextEvent(
  emitter: { once(e: string, f: () => void): unknown; off(e: string, f: () => void): unknown },
  events: readonly string[],
  ms: number,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const e of events) emitter.off(e, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const e of events) emitter.once(e, done);
  });
}
