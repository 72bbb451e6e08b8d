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
 * and sockets whose handshake fails or times out are destroyed. When the total cap is
 * reached, the oldest socket still in its TLS handshake makes room: a client's handshake takes
 * milliseconds, a half-open flood's never ends, so /healthz still gets in. `close()`
 * destroys whatever is left (sockets still in the handshake included, which fastify's forced
 * close does not see), so closing the server never waits on a half-open peer.
 */
export class ConnectionGuard {
  private readonly sources = new Map<Socket, string>();
  private readonly perSource = new Map<string, number>();
  /** TLS only: raw sockets not through their handshake yet, oldest first. */
  private readonly handshaking = new Set<Socket>();
  private closing = false;

  constructor(
    server: Server,
    private readonly limits: HttpConnectionLimits,
    private readonly tls: boolean,
  ) {
    // Before the TLS server wraps the socket: a refused one costs no handshake.
    server.prependListener("connection", (socket: Socket) => this.admit(socket));
    if (tls) {
      server.on("tlsClientError", (_err: Error, socket: TLSSocket) => {
        socket.destroy();
        tcpSocketOf(socket).destroy();
      });
      server.on("secureConnection", (socket: TLSSocket) => this.handshaking.delete(tcpSocketOf(socket)));
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
    if (this.closing || count >= this.limits.maxConnectionsPerSource || !this.makeRoom()) {
      socket.destroy();
      return;
    }
    this.sources.set(socket, source);
    this.perSource.set(source, count + 1);
    if (this.tls) this.handshaking.add(socket);
    socket.once("close", () => this.release(socket));
  }

  /** Under the total cap, or brought under it by dropping the oldest socket still in its handshake. */
  private makeRoom(): boolean {
    if (this.sources.size < this.limits.maxConnections) return true;
    const oldest = this.handshaking.values().next().value;
    if (oldest === undefined) return false;
    // Released now, not on its close event: the slot is needed at once.
    this.release(oldest);
    oldest.destroy();
    return true;
  }

  private release(socket: Socket): void {
    const source = this.sources.get(socket);
    if (source === undefined) return;
    this.sources.delete(socket);
    this.handshaking.delete(socket);
    const count = this.perSource.get(source) ?? 0;
    if (count <= 1) this.perSource.delete(source);
    else this.perSource.set(source, count - 1);
  }
}
