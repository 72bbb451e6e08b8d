import { Agent, request } from "undici";
import type { EmulatorHandle } from "../../src/index.js";

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience, bodies are asserted field by field
  body: any;
  text: string;
}

/** A small HTTPS client for API tests, trusting the emulator's CA. */
export function httpClient(emulator: EmulatorHandle) {
  const dispatcher = new Agent({ connect: { ca: emulator.certificates.caCertPem! } });
  const call = async (
    method: string,
    path: string,
    options: {
      headers?: Record<string, string>;
      body?: unknown;
      raw?: string | Buffer;
      contentType?: string;
    } = {},
  ): Promise<HttpAnswer> => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers["content-type"] = options.contentType ?? "text/plain";
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    const res = await request(`${emulator.urls.https}${path}`, {
      method: method as "GET",
      headers,
      body,
      dispatcher,
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    if (/json/.test(String(res.headers["content-type"]))) parsed = text ? JSON.parse(text) : undefined;
    return { status: res.statusCode, headers: res.headers, body: parsed, text };
  };
  return {
    call,
    admin: (method: string, path: string, body?: unknown, token = emulator.adminToken!) =>
      call(method, path, {
        headers: { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { body }),
      }),
    pbx: (apiKey: string, method: string, path: string, body?: unknown) =>
      call(method, path, { headers: { "x-api-key": apiKey }, ...(body === undefined ? {} : { body }) }),
  };
}
