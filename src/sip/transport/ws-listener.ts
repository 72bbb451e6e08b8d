import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { type WebSocket, WebSocketServer } from "ws";
import { type Clock, SystemClock } from "../../shared/clock.js";
import { unmapIPv4 } from "../../shared/socket-peer.js";
import { connectionEvents } from "./connection-events.js";
import type { ConnectionTable } from "./connection-table.js";
import type { SipFaultHooks } from "./fault-hooks.js";
import type { SipTrafficTapHolder } from "./traffic-tap.js";
import type { TransportLimits } from "./transport-limits.js";
import type { TransportUser } from "./transport-user.js";
import { WsConnection, type WsConnectionOptions } from "./ws-connection.js";
import { checkUpgrade, rejectUpgrade, SIP_SUBPROTOCOL } from "./ws-handshake.js";

export interface WsListenerOptions {
  /** Where the SIP WebSocket lives on the HTTP(S) server; default "/ws". */
  readonly path?: string;
  /** WebSocket ping interval (dead-peer detection); default 30 s. */
  readonly pingIntervalMs?: number;
  /** Clock of the keep-alive and idle timers; default real time. */
  readonly clock?: Clock;
  /** Traces: every message in and out (the TransportLayer holds the current tap). */
  readonly taps?: SipTrafficTapHolder;
  /** Fault injection: `sip.out` on every message sent over these connections. */
  readonly sipFaults?: SipFaultHooks;
  /**
   * WebSocket connections at most (besides the shared SIP limits): they hold sockets of the
   * HTTP(S) server, which must keep room for the API and the probes. Default: no own cap.
   */
  readonly maxConnections?: number;
}

const DEFAULT_PING_INTERVAL_MS = 30_000;

/**
 * SIP over WebSocket (RFC 7118) on an existing HTTP(S) server: takes the `upgrade`
 * requests for its path, checks them (subprotocol `sip` or 400, RFC 7118 §4), admits them
 * against the shared per-source and total connection limits, lets `ws` complete the
 * handshake and frame the messages, and hands each socket to a WsConnection that reports
 * to the same TransportUser as the TLS listener, so the SIP stack treats both alike.
 */
export class WsListener {
  private readonly path: string;
  private readonly connectionOptions: WsConnectionOptions;
  private readonly server: WebSocketServer;
  private readonly attached: Server[] = [];
  private readonly maxConnections: number;
  private accepting = true;
  private readonly sockets = new Set<Duplex>();
  private readonly connections = new Set<WsConnection>();
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.upgrade(request, socket, head);

  constructor(
    private readonly table: ConnectionTable,
    private readonly limits: TransportLimits,
    private readonly user: TransportUser,
    options: WsListenerOptions = {},
  ) {
    this.path = options.path ?? "/ws";
    this.maxConnections = options.maxConnections ?? Number.POSITIVE_INFINITY;
    this.connectionOptions = {
      limits,
      clock: options.clock ?? new SystemClock(),
      pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      ...(options.taps ? { taps: options.taps } : {}),
      ...(options.sipFaults ? { faults: options.sipFaults } : {}),
    };
    this.server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: limits.maxMessageSize,
      handleProtocols: (offered) => (offered.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
  }

  /** Serve WebSocket upgrades on this server (an `https.Server` gives `wss:`). */
  attach(server: Server): void {
    server.on("upgrade", this.onUpgrade);
    this.attached.push(server);
  }

  /** Shutdown begins: upgrades are answered 503, open connections stay (a BYE may still go out). */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Stop taking upgrades and close every WebSocket connection (before the HTTP server closes). */
  close(): void {
    this.accepting = false;
    for (const server of this.attached) server.off("upgrade", this.onUpgrade);
    this.attached.length = 0;
    for (const connection of [...this.connections]) connection.close("shutdown");
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.server.close();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => {});
    const source = unmapIPv4((socket as Socket).remoteAddress ?? "");
    const path = (request.url ?? "").split("?")[0];
    if (path !== this.path) {
      rejectUpgrade(socket, 404, `no WebSocket endpoint at ${path}; SIP over WebSocket is at ${this.path}`);
      return;
    }
    const check = checkUpgrade(request);
    if (!check.ok) {
      this.user.onTransportEvent?.({ type: "connection-refused", remote: source, message: check.reason });
      rejectUpgrade(socket, check.status, check.reason, check.headers);
      return;
    }
    if (!this.accepting) {
      rejectUpgrade(socket, 503, "shutting down");
      return;
    }
    if (this.sockets.size >= this.maxConnections || !this.table.admit(source, this.limits)) {
      this.user.onTransportEvent?.({
        type: "connection-refused",
        remote: source,
        message: "connection limit",
      });
      const perSource = this.table.connectionsFrom(source) >= this.limits.maxConnectionsPerSource;
      rejectUpgrade(socket, 503, `too many SIP connections${perSource ? " from this address" : ""}`);
      return;
    }
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.table.release(source);
    });
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws, socket as Socket));
  }

  private accept(ws: WebSocket, socket: Socket): void {
    const protocol = (socket as TLSSocket).encrypted ? "WSS" : "WS";
    const connection = new WsConnection(
      this.table.newId(),
      protocol,
      ws,
      socket,
      this.connectionOptions,
      connectionEvents<WsConnection>(this.table, this.user, (conn) => this.connections.delete(conn)),
    );
    this.connections.add(connection);
    this.table.add(connection);
    this.user.onConnectionOpened?.(connection);
  }
}
