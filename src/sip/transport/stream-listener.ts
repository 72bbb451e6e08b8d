import net from "node:net";
import tls from "node:tls";
import { MODERN_CIPHERS, NO_RENEGOTIATION } from "../../certs/index.js";
import { tcpSocketOf, unmapIPv4 } from "../../shared/socket-peer.js";
import { connectionEvents } from "./connection-events.js";
import type { ConnectionTable } from "./connection-table.js";
import type { SipFaultHooks, TlsFaultHooks, TlsVariantOptions } from "./fault-hooks.js";
import { StreamConnection } from "./stream-connection.js";
import type { SipTrafficTapHolder } from "./traffic-tap.js";
import { DEFAULT_MAX_PENDING_HANDSHAKES, type TransportLimits } from "./transport-limits.js";
import type { TransportUser } from "./transport-user.js";

export interface TlsListenOptions {
  readonly host: string;
  readonly port: number;
  /** One key/certificate pair, or several of different types (RSA + ECDSA): each client gets the one it supports. */
  readonly key: string | string[];
  readonly cert: string | string[];
  readonly minVersion: tls.SecureVersion;
  readonly maxVersion: tls.SecureVersion;
  /** OpenSSL cipher list; null: MODERN_CIPHERS (ECDHE + AEAD only). */
  readonly ciphers: string | null;
  /** From the TCP accept: a socket not through its handshake by then is destroyed. */
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
 * before a TLS handshake costs anything. A socket gets `handshakeTimeoutMs` from its
 * accept to finish the handshake and is destroyed on any handshake error or timeout (Node's
 * TLS server only reports those); when the total limit is reached, the oldest socket still
 * in its handshake makes room, so a flood of half-open connections cannot lock out a PBX.
 * A raw TCP socket is cheap, an OpenSSL object is not (tens of KiB of native memory, kept by
 * the allocator once used): a socket gets its TLS socket only when the peer's first bytes
 * arrive, and at most `maxPendingHandshakes` are in the handshake at once, the oldest making
 * room — a PBX's handshake takes milliseconds, a flood's never ends.
 */
export class StreamListener {
  private server: net.Server | undefined;
  private serverClosed: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Every admitted raw socket and how to give its slot back (once). */
  private readonly sockets = new Map<net.Socket, () => void>();
  /** Raw sockets still in the TLS handshake, oldest first, with their deadline timers. */
  private readonly handshaking = new Map<net.Socket, NodeJS.Timeout>();
  /** Of those, the ones handed to a TLS server (they hold an OpenSSL object), oldest first. */
  private readonly inTls = new Set<net.Socket>();
  /** Sockets this listener destroyed itself: their TLS server's error report is noise. */
  private readonly dropped = new WeakSet<net.Socket>();
  /** Called whenever an admitted socket is gone (shutdown waits for the last). */
  private onSocketGone: (() => void) | undefined;
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
    this.serverClosed = new Promise((resolve) => server.once("close", () => resolve()));
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: options.host, port: options.port }, () => {
        server.off("error", reject);
        resolve(server.address() as net.AddressInfo);
      });
    });
  }

  /**
   * Stop accepting; existing connections stay until closed. Does not wait for them (a
   * server's close callback would, for as long as any peer keeps its connection).
   */
  stopAccepting(): void {
    // Called on a server that never listened (a failed start) too: its close event still comes.
    if (this.stopped) return;
    this.stopped = true;
    this.server?.close();
  }

  /** Destroy the sockets still in the TLS handshake: nothing of theirs is worth waiting for. */
  dropHandshakes(): void {
    for (const socket of [...this.handshaking.keys()]) this.drop(socket);
  }

  /**
   * Resolves once every socket is gone: the connections were asked to close before; those
   * still open after `waitMs` (a peer that never closes its side) are destroyed then.
   */
  async closed(waitMs: number): Promise<void> {
    if (this.sockets.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        this.onSocketGone = () => {
          if (this.sockets.size === 0) done();
        };
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
      this.onSocketGone = undefined;
    }
    for (const socket of [...this.sockets.keys()]) socket.destroy();
    if (this.server) await this.serverClosed;
  }

  private admit(socket: net.Socket): void {
    const source = unmapIPv4(socket.remoteAddress ?? "");
    // An error ends the raw socket; its close gives the slot back.
    socket.on("error", () => {});
    if (!this.reserve(source)) {
      this.user.onTransportEvent?.({
        type: "connection-refused",
        remote: source,
        message: "connection limit",
      });
      socket.destroy();
      return;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.forgetHandshake(socket);
      this.sockets.delete(socket);
      this.table.release(source);
      this.onSocketGone?.();
    };
    this.sockets.set(socket, release);
    socket.once("close", release);
    if (this.protocol === "TLS") {
      const timeoutMs = this.tlsOptions?.handshakeTimeoutMs ?? 0;
      const timer = setTimeout(() => this.handshakeTimedOut(socket), timeoutMs);
      timer.unref();
      this.handshaking.set(socket, timer);
    }
  }

  /**
   * A slot for `source`: under the limits, or — when only the total limit is reached — the
   * one of the oldest socket still in its handshake (a half-open flood, not a PBX).
   */
  private reserve(source: string): boolean {
    if (this.table.admit(source, this.limits)) return true;
    if (this.table.connectionsFrom(source) >= this.limits.maxConnectionsPerSource) return false;
    const oldest = this.handshaking.keys().next().value;
    if (oldest === undefined) return false;
    this.drop(oldest);
    return this.table.admit(source, this.limits);
  }

  private handshakeTimedOut(socket: net.Socket): void {
    if (!this.handshaking.has(socket)) return;
    this.user.onTransportEvent?.({
      type: "tls-error",
      remote: `${unmapIPv4(socket.remoteAddress ?? "")}:${socket.remotePort ?? 0}`,
      message: "TLS handshake not finished in time",
    });
    this.drop(socket);
  }

  /** Destroy an admitted socket and give its slot back now (its close event comes later). */
  private drop(socket: net.Socket): void {
    this.dropped.add(socket);
    this.sockets.get(socket)?.();
    socket.destroy();
  }

  private forgetHandshake(socket: net.Socket): void {
    const timer = this.handshaking.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.handshaking.delete(socket);
    this.inTls.delete(socket);
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
      else {
        const server =
          verdict?.type === "serve"
            ? this.tlsServer(verdict.variant, verdict.options)
            : this.tlsServer("", undefined);
        this.whenPeerSends(socket, () => this.startTls(socket, server));
      }
    } catch (err) {
      this.user.onTransportEvent?.({
        type: "tls-error",
        remote: `${remote.remoteAddress}:${remote.remotePort}`,
        message: `TLS accept failed: ${(err as Error).message}`,
      });
      socket.destroy();
    }
  }

  /**
   * Calls `start` once bytes are buffered, without consuming them (the TLS socket reads what
   * the raw one buffered); a peer that closes first never costs a TLS socket.
   */
  private whenPeerSends(socket: net.Socket, start: () => void): void {
    const onReadable = () => {
      socket.off("readable", onReadable);
      if (socket.readableLength > 0) start();
      else socket.destroy();
    };
    socket.on("readable", onReadable);
  }

  /** Hands the socket to a TLS server, the oldest socket in its handshake going if too many are. */
  private startTls(socket: net.Socket, server: tls.Server): void {
    if (socket.destroyed || !this.handshaking.has(socket)) return;
    const max = this.limits.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES;
    for (const oldest of this.inTls) {
      if (this.inTls.size < max) break;
      this.inTls.delete(oldest);
      this.drop(oldest);
    }
    this.inTls.add(socket);
    server.emit("connection", socket);
  }

  /** Accepted, never answered: what the peer sends is discarded until it gives up or goes idle. */
  private stall(socket: net.Socket): void {
    // A deliberate blackhole: the fault, not the handshake deadline, decides when it ends.
    this.forgetHandshake(socket);
    socket.setTimeout(this.limits.idleTimeoutMs, () => socket.destroy());
    socket.resume();
  }

  private tlsServer(key: string, variant: TlsVariantOptions | undefined): tls.Server {
    const existing = this.tlsServers.get(key);
    if (existing) return existing;
    const options = this.tlsOptions!;
    const server = tls.createServer({ ...tlsServerOptions(options), ...variant }, (s) => this.accept(s));
    // Node only reports a failed or timed-out handshake; the socket would stay open.
    server.on("tlsClientError", (err: Error, socket: tls.TLSSocket) => {
      const tcp = tcpSocketOf(socket);
      if (!this.dropped.has(tcp)) {
        this.user.onTransportEvent?.({
          type: "tls-error",
          remote: `${unmapIPv4(socket.remoteAddress ?? "")}:${socket.remotePort ?? 0}`,
          message: err.message,
        });
      }
      socket.destroy();
      this.drop(tcp);
    });
    const onKeylog = options.onKeylog;
    // Only listened to when asked: Node derives the lines only for a `keylog` listener.
    if (onKeylog) server.on("keylog", (line: Buffer) => onKeylog(line));
    this.tlsServers.set(key, server);
    return server;
  }

  private accept(socket: net.Socket): void {
    if (socket.destroyed) return;
    this.forgetHandshake(tcpSocketOf(socket));
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
    ciphers: o.ciphers ?? MODERN_CIPHERS,
    secureOptions: NO_RENEGOTIATION,
    handshakeTimeout: o.handshakeTimeoutMs,
    // The PBX authenticates with digest, not a client certificate.
    requestCert: false,
  };
}
