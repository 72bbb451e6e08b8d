import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { type Clock, SystemClock } from "../../shared/clock.js";
import type { SipMessage, SipParseError } from "../message/index.js";
import type { SipConnection } from "./connection.js";
import type { ConnectionTable } from "./connection-table.js";
import { unmapIPv4 } from "./stream-connection.js";
import type { TransportLimits } from "./transport-limits.js";
import type { TransportUser } from "./transport-user.js";
import { WsConnection } from "./ws-connection.js";
import { acceptResponse, checkUpgrade, rejectUpgrade } from "./ws-handshake.js";

export interface WsListenerOptions {
  /** Where the SIP WebSocket lives on the HTTP(S) server; default "/ws". */
  readonly path?: string;
  /** WebSocket ping interval (dead-peer detection); default 30 s. */
  readonly pingIntervalMs?: number;
  /** Clock of the keep-alive, idle and partial-message timers; default real time. */
  readonly clock?: Clock;
}

const DEFAULT_PING_INTERVAL_MS = 30_000;

/**
 * SIP over WebSocket (RFC 7118) on an existing HTTP(S) server: takes the `upgrade`
 * requests for its path, admits them against the shared per-source and total connection
 * limits, and hands each accepted socket to a WsConnection that reports to the same
 * TransportUser as the TLS listener, so the SIP stack treats both alike.
 */
export class WsListener {
  private readonly path: string;
  private readonly pingIntervalMs: number;
  private readonly clock: Clock;
  private readonly servers: Server[] = [];
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
    this.pingIntervalMs = options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    this.clock = options.clock ?? new SystemClock();
  }

  /** Serve WebSocket upgrades on this server (an `https.Server` gives `wss:`). */
  attach(server: Server): void {
    server.on("upgrade", this.onUpgrade);
    this.servers.push(server);
  }

  /** Stop taking upgrades and close every WebSocket connection (before the HTTP server closes). */
  close(): void {
    for (const server of this.servers) server.off("upgrade", this.onUpgrade);
    this.servers.length = 0;
    for (const connection of [...this.connections]) connection.close("shutdown");
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
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
    if (!this.table.admit(source, this.limits)) {
      this.user.onTransportEvent?.({
        type: "connection-refused",
        remote: source,
        message: "connection limit",
      });
      rejectUpgrade(socket, 503, "too many SIP connections from this address");
      return;
    }
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.table.release(source);
    });
    socket.write(acceptResponse(check.key));
    // Frames the client sent right behind its handshake arrive in `head`.
    if (head.length > 0) socket.unshift(head);
    const protocol = (socket as TLSSocket).encrypted ? "WSS" : "WS";
    const keepAlive = { clock: this.clock, pingIntervalMs: this.pingIntervalMs };
    const connection = new WsConnection(
      this.table.newId(),
      protocol,
      socket as Socket,
      this.limits,
      keepAlive,
      {
        onMessage: (message: SipMessage, conn: SipConnection) => this.user.onMessage(message, conn),
        onClose: (conn, reason) => {
          this.connections.delete(conn);
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
      },
    );
    this.connections.add(connection);
    this.table.add(connection);
    this.user.onConnectionOpened?.(connection);
  }
}
