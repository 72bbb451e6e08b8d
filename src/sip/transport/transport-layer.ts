import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConnectionTable } from "./connection-table.js";
import type { MessageShortcut } from "./message-shortcut.js";
import { StreamListener, type TlsListenOptions } from "./stream-listener.js";
import type { SipTrafficTap } from "./traffic-tap.js";
import type { TransportLimits } from "./transport-limits.js";
import type { TransportUser } from "./transport-user.js";
import { UdpListener } from "./udp-listener.js";
import { WsListener, type WsListenerOptions } from "./ws-listener.js";

/**
 * The transport layer (RFC 3261 §18): the TLS listener the PBX connects to, the WebSocket
 * endpoint for clients, optional plain TCP/UDP listeners for debugging, and the table of
 * live connections.
 */
export class TransportLayer {
  readonly connections = new ConnectionTable();
  /** Sees every message in and out (traces); read per message, so it may be set any time. */
  tap: SipTrafficTap | undefined;
  /** Answers some messages of TLS/TCP connections from their bytes (see MessageShortcut). */
  shortcut: MessageShortcut | undefined;
  private readonly streams: StreamListener[] = [];
  private readonly webSockets: WsListener[] = [];
  private udp: UdpListener | undefined;

  constructor(
    private readonly limits: TransportLimits,
    private readonly user: TransportUser,
  ) {}

  async listenTls(options: TlsListenOptions): Promise<AddressInfo> {
    const listener = new StreamListener("TLS", this.connections, this.limits, this.user, this);
    this.streams.push(listener);
    return listener.listen(options);
  }

  async listenTcp(options: { host: string; port: number }): Promise<AddressInfo> {
    const listener = new StreamListener("TCP", this.connections, this.limits, this.user, this);
    this.streams.push(listener);
    return listener.listen(options);
  }

  async listenUdp(options: { host: string; port: number }): Promise<{ address: string; port: number }> {
    this.udp = new UdpListener(this.connections, this.limits, this.user, this);
    return this.udp.listen(options);
  }

  /** SIP over WebSocket (RFC 7118) on an HTTP(S) server, sharing this layer's limits and table. */
  listenWs(server: Server, options: Omit<WsListenerOptions, "taps"> = {}): WsListener {
    const listener = new WsListener(this.connections, this.limits, this.user, { ...options, taps: this });
    listener.attach(server);
    this.webSockets.push(listener);
    return listener;
  }

  /** First step of a graceful shutdown: no new connections (existing ones stay). */
  stopAccepting(): void {
    for (const s of this.streams) s.stopAccepting();
    for (const ws of this.webSockets) ws.stopAccepting();
  }

  /**
   * Last step: every connection is closed (what is queued, a BYE say, still leaves before
   * the FIN), sockets in the TLS handshake are destroyed, and connections whose peer has
   * not closed its side after `waitMs` are destroyed then. Resolves when all are gone.
   */
  async close(waitMs = 0): Promise<void> {
    this.stopAccepting();
    for (const c of [...this.connections.values()]) c.close("shutdown");
    for (const ws of this.webSockets) ws.close();
    for (const s of this.streams) s.dropHandshakes();
    await Promise.all(this.streams.map((s) => s.closed(waitMs)));
    await this.udp?.close();
  }
}
