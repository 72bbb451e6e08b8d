import type { SipMessage } from "../message/index.js";
import type { SipConnection } from "./connection.js";
import type { MessageShortcut } from "./message-shortcut.js";

/**
 * Sees every SIP message a connection carries, as the bytes on the wire (traces, pcap
 * export). Must not throw: it runs on the transport's hot path.
 *
 * `message`, when given, is the parsed message those bytes are (received) or serialise
 * (sent), so a tap can read its method, status and CSeq without scanning the bytes again.
 * It is absent when there is none: bytes that did not parse, bytes a `sip.out` fault
 * corrupted. The bytes stay authoritative; read the message synchronously (it may change
 * later, e.g. the Via stamp of a received request).
 */
export interface SipTrafficTap {
  /**
   * A framed message as received, before `received`/`rport` are stamped into its Via. The
   * bytes may be a view of the connection's receive buffer: copy them to keep them.
   */
  received(bytes: Buffer, connection: SipConnection, message?: SipMessage): void;
  /** A message exactly as written to the socket. */
  sent(bytes: Buffer, connection: SipConnection, message?: SipMessage): void;
  opened?(connection: SipConnection): void;
  /** Called before the layers above forget the connection (bindings still resolve). */
  closed?(connection: SipConnection, reason: string): void;
}

/** Where connections read the current tap (and shortcut), so one set after listening still applies. */
export interface SipTrafficTapHolder {
  readonly tap: SipTrafficTap | undefined;
  /** Stream connections only (TLS, TCP). */
  readonly shortcut?: MessageShortcut | undefined;
}
