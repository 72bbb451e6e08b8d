import { PassThrough } from "node:stream";

/**
 * One Server-Sent Events response body (text/event-stream). Writing never buffers without
 * bound: once the body is full (the peer does not read fast enough) events are dropped and
 * counted; when it drains, one `resync` event tells the peer to reload what it shows. A peer
 * that stays full over two keep-alive ticks is cut off.
 */
export class SseStream {
  /** The response body; fastify pipes it to the socket. */
  readonly body = new PassThrough({ highWaterMark: 16 * 1024 });
  private lagging = false;
  private dropped = 0;
  private staleTicks = 0;
  private finished = false;

  constructor(private readonly onFinish: (stream: SseStream) => void) {
    this.body.on("drain", () => this.drained());
    this.body.on("close", () => this.finish());
    this.body.on("error", () => this.finish());
  }

  get open(): boolean {
    return !this.finished;
  }

  /** Events dropped since the body was last drained. */
  get droppedEvents(): number {
    return this.dropped;
  }

  /** One event; `data` becomes a single JSON line. */
  send(type: string, data: unknown, id?: number): void {
    if (this.finished) return;
    if (this.lagging) {
      this.dropped++;
      return;
    }
    const head = id === undefined ? "" : `id: ${id}\n`;
    this.write(`${head}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** A comment line that keeps proxies and the socket's idle timeout from closing the stream. */
  keepAlive(): void {
    if (this.finished) return;
    if (!this.lagging) {
      this.write(": keep-alive\n\n");
      return;
    }
    this.staleTicks++;
    if (this.staleTicks >= 2) this.destroy();
  }

  /** A first comment and the reconnection delay EventSource-style clients honour. */
  preamble(retryMs: number): void {
    this.write(`retry: ${retryMs}\n: unify-phone-emulator events\n\n`);
  }

  /** Ends the response after what is queued (shutdown). */
  end(): void {
    if (this.finished) return;
    this.body.end();
    this.finish();
  }

  /** Drops the response at once (a peer that does not read). */
  destroy(): void {
    if (this.finished) return;
    this.body.destroy();
    this.finish();
  }

  private write(text: string): void {
    if (!this.body.write(text)) this.lagging = true;
  }

  private drained(): void {
    if (!this.lagging || this.finished) return;
    this.lagging = false;
    this.staleTicks = 0;
    const dropped = this.dropped;
    this.dropped = 0;
    if (dropped > 0) this.send("resync", { dropped });
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinish(this);
  }
}
