import type { SipMessage } from "../message/index.js";
import type { SipConnection } from "./connection.js";

/** Something the transport noticed that is worth a log line or a trace entry. */
export interface TransportEvent {
  readonly type: "tls-error" | "listener-error" | "connection-refused" | "protocol-error";
  readonly remote?: string;
  readonly connectionId?: string;
  readonly message: string;
}

/** The layer above the transport (RFC 3261 §18): where framed messages go. */
export interface TransportUser {
  onMessage(message: SipMessage, connection: SipConnection): void;
  onConnectionClosed(connection: SipConnection, reason: string): void;
  onConnectionOpened?(connection: SipConnection): void;
  onTransportEvent?(event: TransportEvent): void;
}
