import net from "node:net";
import tls from "node:tls";
import type { SipMessage, SipParseError } from "../message/index.js";
import type { SipConnection } from "./connection.js";
import type { ConnectionTable } from "./connection-table.js";
import { StreamConnection, unmapIPv4 } from "./stream-connection.js";
import type { TransportLimits } from "./transport-limits.js";
import type { TransportUser } from "./transport-user.js";

export interface TlsListenOptions {
  readonly host: string;
  readonly port: number;
  readonly key: string;
  readonly cert: string;
  readonly minVersion: tls.SecureVersion;
  readonly maxVersion: tls.SecureVersion;
  readonly ciphers: string | null;
  readonly handshakeTimeoutMs: number;
}

/**
 * A TLS (or, for debugging, plain TCP) listener that turns each accepted socket into a
 * StreamConnection. Per-source and total limits are checked on the raw TCP accept,
 * before a TLS handshake costs anything.
 */
export class StreamListener {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly protocol: "TLS" | "TCP",
    private readonly table: ConnectionTable,
    private readonly limits: TransportLimits,
    private readonly user: TransportUser,
  ) {}

  listen(options: TlsListenOptions | { host: string; port: number }): Promise<net.AddressInfo> {
    const server =
      this.protocol === "TLS"
        ? tls.createServer(tlsServerOptions(options as TlsListenOptions), (s) => this.accept(s))
        : net.createServer((s) => this.accept(s));
    this.server = server;
    // The raw TCP socket, before any handshake: admission control happens here.
    server.prependListener("connection", (socket: net.Socket) => this.admit(socket));
    server.on("tlsClientError", (err: Error, socket: tls.TLSSocket) => {
      this.user.onTransportEvent?.({
        type: "tls-error",
        remote: `${unmapIPv4(socket.remoteAddress ?? "")}:${socket.remotePort ?? 0}`,
        message: err.message,
      });
    });
    server.on("error", (err) =>
      this.user.onTransportEvent?.({ type: "listener-error", message: err.message }),
    );
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: options.host, port: options.port }, () => {
        server.off("error", reject);
        resolve(server.address() as net.AddressInfo);
      });
    });
  }

  /** Stop accepting; existing connections stay until closed. */
  stopAccepting(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  /** Destroy every socket, including ones still in the TLS handshake. */
  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private admit(socket: net.Socket): void {
    const source = unmapIPv4(socket.remoteAddress ?? "");
    if (!this.table.admit(source, this.limits)) {
      this.user.onTransportEvent?.({
        type: "connection-refused",
        remote: source,
        message: "connection limit",
      });
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.table.release(source);
    });
    // Swallow errors on sockets that never finish the handshake.
    socket.on("error", () => {});
  }

  private accept(socket: net.Socket): void {
    if (socket.destroyed) return;
    const connection = new StreamConnection(this.table.newId(), this.protocol, socket, this.limits, {
      onMessage: (message: SipMessage, conn: SipConnection) => this.user.onMessage(message, conn),
      onClose: (conn, reason) => {
        this.table.remove(conn);
        this.user.onConnectionClosed(conn, reason);
      },
      onProtocolError: (conn, error: SipParseError) =>
        this.user.onTransportEvent?.({
          type: "protocol-error",
          connectionId: conn.id,
          remote: `${conn.remoteAddress}:${conn.remotePort}`,
          message: `${error.status} ${error.reason}`,
        }),
    });
    this.table.add(connection);
    this.user.onConnectionOpened?.(connection);
  }
}

function tlsServerOptions(o: TlsListenOptions): tls.TlsOptions {
  return {
    key: o.key,
    cert: o.cert,
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    ...(o.ciphers ? { ciphers: o.ciphers } : {}),
    handshakeTimeout: o.handshakeTimeoutMs,
    // The PBX authenticates with digest, not a client certificate.
    requestCert: false,
  };
}
