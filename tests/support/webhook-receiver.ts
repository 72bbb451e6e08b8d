import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  /** The exact body bytes as text (what the signature covers). */
  readonly body: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience, payloads are asserted field by field
  readonly json: any;
  /** What the receiver answered. */
  status?: number;
}

/**
 * An HTTP webhook receiver on 127.0.0.1:0 that records every request. `answer` picks the
 * status of each (it may wait, to play a slow receiver); default 200.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest, index: number) => number | Promise<number> = () => 200;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const request: ReceivedRequest = { headers: req.headers, body, json: JSON.parse(body) };
        const index = receiver.requests.push(request) - 1;
        request.status = await receiver.answer(request, index);
        res.writeHead(request.status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Requests answered 2xx, i.e. deliveries. */
  get delivered(): ReceivedRequest[] {
    return this.requests.filter((r) => r.status !== undefined && r.status < 300);
  }

  types(): string[] {
    return this.delivered.map((r) => r.json.type);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
