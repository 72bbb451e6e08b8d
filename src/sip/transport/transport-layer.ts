import type { AddressInfo } from "node:net";
import { ConnectionTable } from "./connection-table.js";
import { StreamListener, type TlsListenOptions } from "./stream-listener.js";
import type { SipTrafficTap } from "./traffic-tap.js";
import type { TransportLimits } from "./transport-limits.js";
import type { TransportUser } from "./transport-user.js";
import { UdpListener } from "./udp-listener.js";

/**
 * The transport layer (RFC 3261 §18): the TLS listener the PBX connects to, optional
 * plain TCP/UDP listeners for debugging, and the table of live connections.
 */
export class TransportLayer {
  readonly connections = new ConnectionTable();
  /** Sees every message in and out (traces); read per message, so it may be set any time. */
  tap: SipTrafficTap | undefined;
  private readonly streams: StreamListener[] = [];
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

  /** First step of a graceful shutdown: no new connections. */
  async stopAccepting(): Promise<void> {
    await Promise.all(this.streams.map((s) => s.stopAccepting()));
  }

  /** Last step: close every connection and the UDP socket. */
  async close(): Promise<void> {
    await this.stopAccepting();
    for (const c of [...this.connections.values()]) c.close("shutdown");
    for (const s of this.streams) s.destroyAll();
    await this.udp?.close();
  }
}
