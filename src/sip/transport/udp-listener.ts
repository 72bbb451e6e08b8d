import dgram from "node:dgram";
import net from "node:net";
import { parseMessage, type SipMessage, SipParseError, serialize } from "../message/index.js";
import type { SipConnection } from "./connection.js";
import type { ConnectionTable } from "./connection-table.js";
import { markReceived } from "./received.js";
import { answerError } from "./stream-connection.js";
import type { SipTrafficTapHolder } from "./traffic-tap.js";
import type { TransportLimits } from "./transport-limits.js";
import type { TransportUser } from "./transport-user.js";

/** Remote UDP peers remembered at once; the oldest is forgotten past this. */
const MAX_FLOWS = 10_000;

/** One remote address seen on our UDP socket: UDP's stand-in for a connection. */
class UdpFlow implements SipConnection {
  readonly protocol = "UDP" as const;
  readonly reliable = false;
  /** False once the listener forgot the flow (shutdown, table full): nothing is sent on it. */
  open = true;

  constructor(
    readonly id: string,
    private readonly socket: dgram.Socket,
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly localAddress: string,
    readonly localPort: number,
    private readonly taps: SipTrafficTapHolder | undefined,
  ) {}

  send(message: SipMessage): boolean {
    if (!this.open) return false;
    const bytes = serialize(message);
    this.socket.send(bytes, this.remotePort, this.remoteAddress);
    this.taps?.tap?.sent(bytes, this, message);
    return true;
  }

  close(): void {}
}

/** Plain SIP over UDP, off by default: for debugging with tools that only speak UDP. */
export class UdpListener {
  private socket: dgram.Socket | undefined;
  private readonly flows = new Map<string, UdpFlow>();

  constructor(
    private readonly table: ConnectionTable,
    private readonly limits: TransportLimits,
    private readonly user: TransportUser,
    private readonly taps?: SipTrafficTapHolder,
  ) {}

  listen(options: { host: string; port: number }): Promise<{ address: string; port: number }> {
    const socket = dgram.createSocket(net.isIPv6(options.host) ? "udp6" : "udp4");
    this.socket = socket;
    socket.on("message", (data, rinfo) => this.onDatagram(data, rinfo));
    socket.on("error", (err) =>
      this.user.onTransportEvent?.({ type: "listener-error", message: err.message }),
    );
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.port, options.host, () => {
        socket.off("error", reject);
        resolve(socket.address());
      });
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    for (const flow of this.flows.values()) this.forget(flow, "shutdown");
    this.flows.clear();
    return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }

  private onDatagram(data: Buffer, rinfo: dgram.RemoteInfo): void {
    // RFC 5626 §3.5.1 keep-alives over UDP are STUN; bare CRLFs are ignored.
    if (data.length > this.limits.maxMessageSize || data.toString("latin1").trim() === "") return;
    const flow = this.flowFor(rinfo);
    let message: SipMessage;
    try {
      message = parseMessage(data, { datagram: true, maxHeaders: this.limits.maxHeaders });
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
      // A datagram is its own frame: tapped as received, even when it does not parse.
      this.taps?.tap?.received(data, flow);
      this.user.onTransportEvent?.({
        type: "protocol-error",
        connectionId: flow.id,
        remote: `${rinfo.address}:${rinfo.port}`,
        message: `${err.status} ${err.reason}`,
      });
      if (err.partial?.kind === "request" && err.partial.method !== "ACK")
        answerError(flow, err.partial, err);
      return;
    }
    this.taps?.tap?.received(data, flow, message);
    if (message.kind === "request") markReceived(message, flow);
    this.user.onMessage(message, flow);
  }

  private flowFor(rinfo: dgram.RemoteInfo): UdpFlow {
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const local = this.socket!.address();
      flow = new UdpFlow(
        this.table.newId(),
        this.socket!,
        rinfo.address,
        rinfo.port,
        local.address,
        local.port,
        this.taps,
      );
      if (this.flows.size >= MAX_FLOWS) {
        const oldest = this.flows.entries().next().value!;
        this.flows.delete(oldest[0]);
        this.forget(oldest[1], "UDP flow table full");
      }
      this.flows.set(key, flow);
      this.table.add(flow);
      this.taps?.tap?.opened?.(flow);
    }
    return flow;
  }

  /** Like a closed connection: the layers above drop its bindings, calls and transactions. */
  private forget(flow: UdpFlow, reason: string): void {
    flow.open = false;
    this.taps?.tap?.closed?.(flow, reason);
    this.table.remove(flow);
    this.user.onConnectionClosed(flow, reason);
  }
}
