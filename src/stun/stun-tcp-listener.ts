import { createServer, type Server, type Socket } from "node:net";
import type { TransportAddress } from "./ip-address.js";
import { MAX_STREAM_MESSAGE, StunStreamFramer } from "./stun-stream-framer.js";

export interface StunTcpLimits {
  /** Open connections from one source IP at once; more are closed on accept. */
  readonly maxConnectionsPerSource: number;
  /** Open connections at once. */
  readonly maxConnections: number;
  /** A connection quiet this long is closed (RFC 5389 §7.2.2 asks for at least 10 s). */
  readonly idleTimeoutMs: number;
  /** Largest message accepted; a longer one closes the connection. */
  readonly maxMessage: number;
}

export const DEFAULT_TCP_LIMITS: StunTcpLimits = {
  maxConnectionsPerSource: 8,
  maxConnections: 256,
  idleTimeoutMs: 30_000,
  maxMessage: MAX_STREAM_MESSAGE,
};

export interface StunTcpHandlers {
  /** One whole message from `client`; `reply` writes on the same connection while it is open. */
  message(data: Buffer, client: TransportAddress, reply: (response: Buffer) => void): void;
  log(event: string, detail: object): void;
}

/**
 * STUN over TCP (RFC 5389 §7.2.2): each connection is a stream of messages back to back,
 * answered on the same connection. Bounded per source, in total, in idle time and message
 * size; a stream that stops being STUN is closed, never the listener.
 */
export class StunTcpListener {
  private readonly server: Server;
  private readonly perSource = new Map<string, number>();
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly handlers: StunTcpHandlers,
    private readonly limits: StunTcpLimits = DEFAULT_TCP_LIMITS,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    // An accept error (EMFILE…) must not take the process down.
    this.server.on("error", (error) => handlers.log("tcp_error", { message: error.message }));
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => reject(error);
      this.server.once("error", failed);
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off("error", failed);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => {
      if (!this.server.listening) resolve();
      else this.server.close(() => resolve());
    });
  }

  get connections(): number {
    return this.sockets.size;
  }

  private accept(socket: Socket): void {
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    if (address === undefined || port === undefined) {
      socket.destroy();
      return;
    }
    const from = `${address}:${port}`;
    const open = this.perSource.get(address) ?? 0;
    if (open >= this.limits.maxConnectionsPerSource || this.sockets.size >= this.limits.maxConnections) {
      this.handlers.log("tcp_refused", { from, open });
      socket.destroy();
      return;
    }
    this.perSource.set(address, open + 1);
    this.sockets.add(socket);
    const client: TransportAddress = {
      family: socket.remoteFamily === "IPv6" ? "IPv6" : "IPv4",
      address,
      port,
    };
    const framer = new StunStreamFramer(this.limits.maxMessage);
    const reply = (response: Buffer): void => {
      if (!socket.destroyed && socket.writable) socket.write(response);
    };
    socket.setTimeout(this.limits.idleTimeoutMs, () => {
      this.handlers.log("tcp_idle", { from });
      socket.destroy();
    });
    socket.on("data", (chunk) => {
      const framed = framer.push(chunk);
      if (!framed.ok) {
        this.handlers.log("tcp_garbage", { from, reason: framed.reason });
        socket.destroy();
        return;
      }
      for (const message of framed.messages) this.handlers.message(message, client, reply);
    });
    socket.on("error", (error) => this.handlers.log("tcp_socket_error", { from, message: error.message }));
    socket.once("close", () => {
      this.sockets.delete(socket);
      const left = (this.perSource.get(address) ?? 1) - 1;
      if (left <= 0) this.perSource.delete(address);
      else this.perSource.set(address, left);
    });
  }
}
