import type { SipConnection } from "./connection.js";

/**
 * Sees every SIP message a connection carries, as the bytes on the wire (traces, pcap
 * export). Must not throw: it runs on the transport's hot path.
 */
export interface SipTrafficTap {
  /**
   * A framed message as received, before `received`/`rport` are stamped into its Via. The
   * bytes may be a view of the connection's receive buffer: copy them to keep them.
   */
  received(bytes: Buffer, connection: SipConnection): void;
  /** A message exactly as written to the socket. */
  sent(bytes: Buffer, connection: SipConnection): void;
  opened?(connection: SipConnection): void;
  /** Called before the layers above forget the connection (bindings still resolve). */
  closed?(connection: SipConnection, reason: string): void;
}

/** Where connections read the current tap, so one set after listening still applies. */
export interface SipTrafficTapHolder {
  readonly tap: SipTrafficTap | undefined;
}
