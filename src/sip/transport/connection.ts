import type { SipMessage } from "../message/index.js";

export type TransportProtocol = "TLS" | "TCP" | "UDP" | "WS" | "WSS";

/**
 * One transport flow: a TLS/TCP/WebSocket connection, or (for UDP) the pair of our
 * socket and one remote address. Everything above the transport layer sends through
 * the connection a message arrived on, so replies reach a PBX behind NAT.
 */
export interface SipConnection {
  /** Unique in the process, e.g. "c17"; used in traces and bindings. */
  readonly id: string;
  readonly protocol: TransportProtocol;
  /** Stream transports are reliable: no retransmission timers (RFC 3261 §17). */
  readonly reliable: boolean;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** False once closed; send() then returns false. */
  readonly open: boolean;
  send(message: SipMessage): boolean;
  close(reason?: string): void;
}
