import net from "node:net";
import tls from "node:tls";
import { connectionEvents } from "./connection-events.js";
import type { ConnectionTable } from "./connection-table.js";
import type { SipFaultHooks, TlsFaultHooks, TlsVariantOptions } from "./fault-hooks.js";
import { StreamConnection, unmapIPv4 } from "./stream-connection.js";
import type { SipTrafficTapHolder } from "./traffic-tap.js";
import type { TransportLimits } from "./transport-limits.js";
import type { TransportUser } from "./transport-user.js";

export interface TlsListenOptions {
  readonly host: string;
  readonly port: number;
  /** One key/certificate pair, or several of different types (RSA + ECDSA): each client gets the one it supports. */
  readonly key: string | string[];
  readonly cert: string | string[];
  readonly minVersion: tls.SecureVersion;
  readonly maxVersion: tls.SecureVersion;
  readonly ciphers: string | null;
  readonly handshakeTimeoutMs: number;
  /** NSS key log lines (SSLKEYLOGFILE format) of every handshake, for decrypting captures. */
  readonly onKeylog?: (line: Buffer) => void;
  /** Fault injection: `tls.accept` on every accepted socket. */
  readonly tlsFaults?: TlsFaultHooks;
  /** Fault injection: `sip.out` on every message sent over these connections. */
  readonly sipFaults?: SipFaultHooks;
}

/**
 * A TLS (or, for debugging, plain TCP) listener that turns each accepted socket into a
 * StreamConnection. Per-source and total limits are checked on the raw TCP accept,
 * before a TLS handshake costs anything.
 */
export class StreamListener {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private tlsOptions: TlsListenOptions | undefined;
  /** Non-listening TLS servers the TCP server hands sockets to: "" is the normal one, others serve faults. */
  private readonly tlsServers = new Map<string, tls.Server>();

  constructor(
    private readonly protocol: "TLS" | "TCP",
    private readonly table: ConnectionTable,
    private readonly limits: TransportLimits,
    private readonly user: TransportUser,
    private readonly taps?: SipTrafficTapHolder,
  ) {}

  listen(options: TlsListenOptions | { host: string; port: number }): Promise<net.AddressInfo> {
    const tlsOptions = this.protocol === "TLS" ? (options as TlsListenOptions) : undefined;
    this.tlsOptions = tlsOptions;
    // Built now, so a bad key or certificate fails the start, not the first connection.
    if (tlsOptions) this.tlsServer("", undefined);
    // TLS too listens as plain TCP: each socket is then handed to a TLS server of our choice,
    // so a fault can refuse it, never answer it, or handshake with other options.
    const server = net.createServer((s) => (tlsOptions ? this.handshake(s) : this.accept(s)));
    this.server = server;
    // The raw TCP socket, before any handshake: admission control happens here.
    server.prependListener("connection", (socket: net.Socket) => this.admit(socket));
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

  private handshake(socket: net.Socket): void {
    if (socket.destroyed) return;
    const remote = {
      remoteAddress: unmapIPv4(socket.remoteAddress ?? ""),
      remotePort: socket.remotePort ?? 0,
    };
    try {
      const verdict = this.tlsOptions?.tlsFaults?.accept(remote);
      if (verdict?.type === "stall") this.stall(socket);
      else if (verdict?.type === "refuse") socket.destroy();
      else if (verdict?.type === "serve")
        this.tlsServer(verdict.variant, verdict.options).emit("connection", socket);
      else this.tlsServer("", undefined).emit("connection", socket);
    } catch (err) {
      this.user.onTransportEvent?.({
        type: "tls-error",
        remote: `${remote.remoteAddress}:${remote.remotePort}`,
        message: `TLS accept failed: ${(err as Error).message}`,
      });
      socket.destroy();
    }
  }

  /** Accepted, never answered: what the peer sends is discarded until it gives up or goes idle. */
  private stall(socket: net.Socket): void {
    socket.setTimeout(this.limits.idleTimeoutMs, () => socket.destroy());
    socket.resume();
  }

  private tlsServer(key: string, variant: TlsVariantOptions | undefined): tls.Server {
    const existing = this.tlsServers.get(key);
    if (existing) return existing;
    const options = this.tlsOptions!;
    const server = tls.createServer({ ...tlsServerOptions(options), ...variant }, (s) => this.accept(s));
    server.on("tlsClientError", (err: Error, socket: tls.TLSSocket) => {
      this.user.onTransportEvent?.({
        type: "tls-error",
        remote: `${unmapIPv4(socket.remoteAddress ?? "")}:${socket.remotePort ?? 0}`,
        message: err.message,
      });
    });
    const onKeylog = options.onKeylog;
    // Only listened to when asked: Node derives the lines only for a `keylog` listener.
    if (onKeylog) server.on("keylog", (line: Buffer) => onKeylog(line));
    this.tlsServers.set(key, server);
    return server;
  }

  private accept(socket: net.Socket): void {
    if (socket.destroyed) return;
    const connection = new StreamConnection(
      this.table.newId(),
      this.protocol,
      socket,
      this.limits,
      connectionEvents(this.table, this.user),
      this.taps,
      this.tlsOptions?.sipFaults,
    );
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
