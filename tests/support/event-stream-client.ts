import { Agent, request } from "undici";
import type { EmulatorHandle } from "../../src/index.js";
import { until } from "./until.js";

export interface StreamEvent {
  readonly id?: string;
  readonly type: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience, events are asserted field by field
  readonly data: any;
}

/**
 * A reader of `GET /api/admin/events` for tests: parses the Server-Sent Events as they arrive
 * and keeps them, so a test polls for the event it expects.
 */
export class EventStreamClient {
  readonly events: StreamEvent[] = [];
  comments = 0;
  ended = false;
  /** "end": the server finished the response; "error": the connection broke off. */
  endedBy: "end" | "error" | undefined;
  private pending = "";

  private constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    /** The body of a refused request (problem+json), else "". */
    readonly text: string,
    private readonly stop: () => Promise<void>,
  ) {}

  static async open(emulator: EmulatorHandle, token = emulator.adminToken): Promise<EventStreamClient> {
    const dispatcher = new Agent({ connect: { ca: emulator.certificates.caCertPem! } });
    const res = await request(`${emulator.urls.https}/api/admin/events`, {
      headers: { accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      dispatcher,
    });
    const stop = async () => {
      res.body.destroy();
      await dispatcher.destroy();
    };
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      await dispatcher.close();
      return new EventStreamClient(res.statusCode, res.headers, text, async () => {});
    }
    const client = new EventStreamClient(res.statusCode, res.headers, "", stop);
    res.body.setEncoding("utf8");
    res.body.on("data", (chunk: string) => client.feed(chunk));
    res.body.on("end", () => {
      client.ended = true;
      client.endedBy ??= "end";
    });
    res.body.on("error", () => {
      client.ended = true;
      client.endedBy ??= "error";
    });
    return client;
  }

  /** Waits for an event of this type (and matching `test`), returns it. */
  async next(type: string, test: (data: StreamEvent["data"]) => boolean = () => true): Promise<StreamEvent> {
    let found: StreamEvent | undefined;
    await until(
      () => {
        found = this.events.find((e) => e.type === type && test(e.data));
        return found !== undefined;
      },
      () => `a "${type}" event; got ${this.events.map((e) => e.type).join(", ") || "none"}`,
    );
    return found!;
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  close(): Promise<void> {
    return this.stop();
  }

  private feed(chunk: string): void {
    this.pending += chunk;
    let end = this.pending.indexOf("\n\n");
    while (end !== -1) {
      this.parse(this.pending.slice(0, end));
      this.pending = this.pending.slice(end + 2);
      end = this.pending.indexOf("\n\n");
    }
  }

  private parse(block: string): void {
    let type = "message";
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) this.comments++;
      else if (line.startsWith("event: ")) type = line.slice(7);
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ type, data: JSON.parse(data.join("\n")), ...(id ? { id } : {}) });
  }
}
