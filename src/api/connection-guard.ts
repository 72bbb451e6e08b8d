import type { Server, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { tcpSocketOf, unmapIPv4 } from "../shared/socket-peer.js";

/** Admission limits of the HTTP(S) listener. */
export interface HttpConnectionLimits {
  /** Sockets in all (WebSocket ones included): the listener's share of the open-files limit. */
  readonly maxConnections: number;
  readonly maxConnectionsPerSource: number;
  /** TLS only: from the TCP accept to a finished handshake (Node's handshakeTimeout). */
  readonly handshakeTimeoutMs: number;
}

/**
 * Admission control for the HTTP(S) listener on the raw TCP accept, like the SIP listener's:
 * per-source and total caps, so no flood takes the descriptors the API and the probes need,
 * and sockets whose handshake fails or times out are destroyed. `close()` destroys whatever
 * is left (sockets still in the handshake included, which fastify's forced close does not
 * see), so closing the server never waits on a half-open peer.
 */
export class ConnectionGuard {
  private readonly sources = new Map<Socket, string>();
  private readonly perSource = new Map<string, number>();
  private closing = false;

  constructor(
    server: Server,
    private readonly limits: HttpConnectionLimits,
    tls: boolean,
  ) {
    // Before the TLS server wraps the socket: a refused one costs no handshake.
    server.prependListener("connection", (socket: Socket) => this.admit(socket));
    if (tls) {
      server.on("tlsClientError", (_err: Error, socket: TLSSocket) => {
        socket.destroy();
        tcpSocketOf(socket).destroy();
      });
    }
  }

  /** Shutdown: refuse new sockets and destroy every one still open. */
  close(): void {
    this.closing = true;
    for (const socket of [...this.sources.keys()]) socket.destroy();
  }

  private admit(socket: Socket): void {
    socket.on("error", () => {});
    const source = unmapIPv4(socket.remoteAddress ?? "");
    const count = this.perSource.get(source) ?? 0;
    if (
      this.closing ||
      this.sources.size >= this.limits.maxConnections ||
      count >= this.limits.maxConnectionsPerSource
    ) {
      socket.destroy();
      return;
    }
    this.sources.set(socket, source);
    this.perSource.set(source, count + 1);
    socket.once("close", () => this.release(socket));
  }

  private release(socket: Socket): void {
    const source = this.sources.get(socket);
    if (source === undefined) return;
    this.sources.delete(socket);
    const count = this.perSource.get(source) ?? 0;
    if (count <= 1) this.perSource.delete(source);
    else this.perSource.set(source, count - 1);
  }
}
