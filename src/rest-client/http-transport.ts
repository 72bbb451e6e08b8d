import { Agent, type Dispatcher, request } from "undici";
import { EmulatorApiError } from "./emulator-api-error.js";
import type { Problem } from "./types.js";

export interface TransportOptions {
  /** e.g. "https://127.0.0.1:8443" */
  readonly baseUrl: string;
  /** PEM of the emulator's CA (`certs/ca.pem`); without it the certificate is not checked. */
  readonly ca?: string | Buffer;
}

export interface CallOptions {
  readonly auth?: { readonly adminToken?: string; readonly apiKey?: string };
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly json?: unknown;
  readonly raw?: { readonly body: string | Buffer; readonly contentType: string };
}

/** One undici Agent per client; every call maps a problem+json answer to EmulatorApiError. */
export class HttpTransport {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: TransportOptions) {
    this.dispatcher = new Agent({
      connect: options.ca ? { ca: options.ca } : { rejectUnauthorized: false },
    });
  }

  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const { text, contentType } = await this.send(method, path, options);
    if (!text) return undefined as T;
    return (contentType.includes("json") ? JSON.parse(text) : text) as T;
  }

  /** The raw text of a 2xx answer (CSV export). */
  async text(method: string, path: string, options: CallOptions = {}): Promise<string> {
    return (await this.send(method, path, options)).text;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private async send(
    method: string,
    path: string,
    options: CallOptions,
  ): Promise<{ text: string; contentType: string }> {
    const url = new URL(path, this.options.baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {};
    if (options.auth?.adminToken) headers.authorization = `Bearer ${options.auth.adminToken}`;
    if (options.auth?.apiKey) headers["x-api-key"] = options.auth.apiKey;
    let body: string | Buffer | undefined;
    if (options.raw) {
      body = options.raw.body;
      headers["content-type"] = options.raw.contentType;
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] = "application/json";
    }
    const res = await request(url, {
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      dispatcher: this.dispatcher,
    });
    const text = await res.body.text();
    const contentType = String(res.headers["content-type"] ?? "");
    if (res.statusCode >= 400) {
      const problem: Problem = contentType.includes("json")
        ? (JSON.parse(text) as Problem)
        : { type: "about:blank", title: text || "error", status: res.statusCode, code: "http_error" };
      throw new EmulatorApiError(res.statusCode, problem);
    }
    return { text, contentType };
  }
}
