import tls from "node:tls";
import { type SipMessage, StreamFramer } from "../../src/sip/message/index.js";
import { Wakeups } from "./wakeups.js";

/**
 * The skeleton of a scripted connector end for the mock OSBiz's tests: a TLS server on
 * 127.0.0.1 (port 0) that frames what the peer sends and hands each SIP message to `take`.
 */
export abstract class ScriptedTlsServer {
  socket: tls.TLSSocket | undefined;
  protected readonly wakeups = new Wakeups();

  protected constructor(readonly server: tls.Server) {
    server.on("secureConnection", (socket) => {
      this.socket = socket;
      const framer = new StreamFramer({ maxMessageSize: 1 << 20, maxHeaders: 1000 });
      socket.on("data", (chunk: Buffer) => {
        for (const e of framer.push(chunk)) if (e.type === "message") this.take(e.message);
        this.wakeups.wake();
      });
      socket.on("error", () => undefined);
    });
  }

  /** A listening TLS server for a subclass's constructor. */
  protected static async bind(cert: { certPem: string; keyPem: string }): Promise<tls.Server> {
    const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  protected write(text: string | Buffer): void {
    this.socket?.write(text);
  }

  /** One framed message from the peer. */
  protected abstract take(message: SipMessage): void;
}
