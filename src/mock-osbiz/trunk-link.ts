import net, { isIP, type Socket } from "node:net";
import tls from "node:tls";
import type { Clock, TimerHandle } from "../shared/clock.js";
import type { SipMessage } from "../sip/message/index.js";
import { type SipConnection, StreamConnection, type TransportLimits } from "../sip/transport/index.js";

export interface TrunkTarget {
  readonly host: string;
  readonly port: number;
  /** SIP domain: the TLS server name (SNI) and the name the certificate must carry. */
  readonly domain: string;
  readonly ca?: string | Buffer;
  /** tls (default); tcp is the Expert Mode mistake of a plain connection to the TLS port. */
  readonly transport?: "tls" | "tcp";
  /** Local address to connect from (default: the system picks). */
  readonly localAddress?: string;
}

export interface TrunkLinkEvents {
  onMessage(message: SipMessage, connection: SipConnection): void;
  /** A connection made by the link itself after a loss (not by `connect()`). */
  onReconnected(connection: SipConnection): void;
  onClosed(connection: SipConnection, reason: string): void;
}

export interface TrunkLinkOptions {
  readonly timers: Clock;
  /** 0 turns the CRLFCRLF keep-alive off. */
  readonly keepAliveMs: number;
  readonly reconnect: { readonly initialMs: number; readonly maxMs: number };
  readonly log: (line: string) => void;
}

/** RFC 5626 §4.4.1: without a pong within 10 s the flow has failed. */
const PONG_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
const LIMITS: TransportLimits = {
  maxMessageSize: 256 * 1024,
  maxHeaders: 256,
  maxConnectionsPerSource: 1,
  maxConnections: 1,
  // The keep-alive watches the flow; no idle timeout on our own connection.
  idleTimeoutMs: 0,
  partialMessageTimeoutMs: 10_000,
};

/**
 * The PBX's one TLS connection to the connector (SPEC §1: everything travels over the flow
 * the PBX opened). Sends CRLFCRLF keep-alives and closes the flow when no answer comes back;
 * after a loss it reconnects with exponential backoff until `close()`.
 */
export class TrunkLink {
  private current: StreamConnection | undefined;
  private target: TrunkTarget;
  private sequence = 0;
  private delay: number;
  private stopped = false;
  private reconnectTimer: TimerHandle | undefined;
  private keepAliveTimer: TimerHandle | undefined;
  private pongTimer: TimerHandle | undefined;

  constructor(
    target: TrunkTarget,
    private readonly events: TrunkLinkEvents,
    private readonly options: TrunkLinkOptions,
  ) {
    this.target = target;
    this.delay = options.reconnect.initialMs;
  }

  /** Where the next connection goes (and from where). */
  get to(): TrunkTarget {
    return this.target;
  }

  /** The open connection, if any. */
  get connection(): SipConnection | undefined {
    return this.current?.open ? this.current : undefined;
  }

  /** One connection attempt; rejects with the TLS or socket error. */
  async connect(): Promise<SipConnection> {
    return this.adopt(await this.openSocket());
  }

  /** The flow works (it registered): the next loss starts the backoff from the beginning. */
  healthy(): void {
    this.delay = this.options.reconnect.initialMs;
  }

  /** Close the current connection; the link reconnects unless it was closed. */
  drop(reason: string): void {
    this.current?.close(reason);
  }

  /**
   * Connect anew to `changes` applied to the target, without reconnecting the old way first:
   * the old connection is closed (its loss reported, no reconnect for it) and the link
   * reconnects at once to the new target, with backoff when that fails. Resolves with the
   * new connection, or with the error of that first attempt.
   */
  async retarget(changes: Partial<TrunkTarget>): Promise<SipConnection | Error> {
    this.target = { ...this.target, ...changes };
    this.clear(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.delay = this.options.reconnect.initialMs;
    const old = this.current;
    this.current = undefined;
    old?.close("trunk configuration changed");
    return this.attempt();
  }

  /**
   * A new connection from `localAddress` (a new public address), adopted before the old one
   * is closed, so the caller can register on it first; rejects when it cannot be opened.
   */
  async moveTo(localAddress: string): Promise<{ connection: SipConnection; old: SipConnection | undefined }> {
    const socket = await this.openSocket({ ...this.target, localAddress });
    this.target = { ...this.target, localAddress };
    const old = this.current;
    const connection = this.adopt(socket);
    return { connection, old };
  }

  close(): void {
    this.stopped = true;
    this.clear(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.current?.close("mock OSBiz stopped");
  }

  private openSocket(target = this.target): Promise<Socket> {
    const { host, port, domain, ca, localAddress } = target;
    const plain = target.transport === "tcp";
    return new Promise((resolve, reject) => {
      const from = localAddress === undefined ? {} : { localAddress };
      const socket = plain
        ? net.connect({ host, port, ...from })
        : tls.connect({
            host,
            port,
            ...from,
            // RFC 6066 §3: SNI carries a host name, never an address literal.
            ...(isIP(domain) ? {} : { servername: domain }),
            ...(ca ? { ca } : {}),
          });
      const timer = this.options.timers.setTimer(CONNECT_TIMEOUT_MS, () =>
        socket.destroy(
          new Error(`${plain ? "TCP connection" : "TLS handshake"} with ${host}:${port} timed out`),
        ),
      );
      const onError = (error: Error) => {
        this.options.timers.clearTimer(timer);
        reject(error);
      };
      socket.once("error", onError);
      socket.once(plain ? "connect" : "secureConnect", () => {
        this.options.timers.clearTimer(timer);
        socket.removeListener("error", onError);
        resolve(socket);
      });
    });
  }

  private adopt(socket: Socket): SipConnection {
    const protocol = socket instanceof tls.TLSSocket ? "TLS" : "TCP";
    const connection = new StreamConnection(`osbiz-c${++this.sequence}`, protocol, socket, LIMITS, {
      onMessage: (message, from) => this.events.onMessage(message, from),
      onProtocolError: (_from, error) =>
        this.options.log(`protocol error from the connector: ${error.reason}`),
      onClose: (closed, reason) => this.closed(closed, reason),
    });
    // Any bytes from the connector prove the flow alive, the CRLF pong included.
    socket.on("data", () => {
      if (this.current !== connection) return;
      this.clear(this.pongTimer);
      this.pongTimer = undefined;
    });
    this.clear(this.keepAliveTimer);
    this.clear(this.pongTimer);
    this.pongTimer = undefined;
    this.current = connection;
    this.armKeepAlive(socket, connection);
    return connection;
  }

  private armKeepAlive(socket: Socket, connection: StreamConnection): void {
    const { keepAliveMs, timers } = this.options;
    if (keepAliveMs <= 0) return;
    // RFC 5626 §4.4.1: each interval is chosen between 80 % and 100 % of the nominal one.
    const interval = keepAliveMs * (0.8 + 0.2 * Math.random());
    this.keepAliveTimer = timers.setTimer(interval, () => {
      if (!connection.open || this.current !== connection) return;
      socket.write("\r\n\r\n");
      this.pongTimer ??= timers.setTimer(PONG_TIMEOUT_MS, () =>
        connection.close("no answer to the CRLFCRLF keep-alive within 10 s (RFC 5626 §4.4.1)"),
      );
      this.armKeepAlive(socket, connection);
    });
  }

  private closed(connection: StreamConnection, reason: string): void {
    const wasCurrent = this.current === connection;
    if (wasCurrent) {
      this.current = undefined;
      this.clear(this.keepAliveTimer);
      this.clear(this.pongTimer);
      this.keepAliveTimer = undefined;
      this.pongTimer = undefined;
    }
    this.events.onClosed(connection, reason);
    // A replaced flow (new address, new target) closing needs no reconnection of its own.
    if (wasCurrent && !this.stopped && !this.reconnectTimer) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.delay;
    this.delay = Math.min(delay * 2, this.options.reconnect.maxMs);
    const { host, port } = this.target;
    this.options.log(`reconnecting to ${host}:${port} in ${formatDelay(delay)}`);
    this.reconnectTimer = this.options.timers.setTimer(delay, () => void this.reconnect());
  }

  private async reconnect(): Promise<void> {
    this.reconnectTimer = undefined;
    await this.attempt();
  }

  /** One reconnection: reported to onReconnected, or the next one scheduled. */
  private async attempt(): Promise<SipConnection | Error> {
    if (this.stopped) return new Error("the link is closed");
    let socket: Socket;
    try {
      socket = await this.openSocket();
    } catch (error) {
      this.options.log(`reconnection failed: ${(error as Error).message}`);
      if (!this.stopped && !this.reconnectTimer) this.scheduleReconnect();
      return error as Error;
    }
    if (this.stopped) {
      socket.destroy();
      return new Error("the link is closed");
    }
    const connection = this.adopt(socket);
    this.events.onReconnected(connection);
    return connection;
  }

  private clear(timer: TimerHandle | undefined): void {
    if (timer) this.options.timers.clearTimer(timer);
  }
}

function formatDelay(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}
