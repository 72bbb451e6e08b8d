import type { Socket } from "node:net";
import { tcpSocketOf } from "../../shared/socket-peer.js";
import type { SipMessage, SipParseError } from "../message/index.js";
import type { SipConnection } from "./connection.js";
import type { ConnectionTable } from "./connection-table.js";
import type { TransportUser } from "./transport-user.js";

/** What a connection (TLS/TCP or WebSocket) reports to the listener that accepted it. */
export interface ConnectionEvents<C extends SipConnection> {
  onMessage(message: SipMessage, connection: SipConnection): void;
  onClose(connection: C, reason: string): void;
  onProtocolError(connection: C, error: SipParseError): void;
}

/**
 * The events every listener wires the same way: messages and closes go to the transport
 * user (after the table forgets the connection), protocol errors become transport events.
 */
export function connectionEvents<C extends SipConnection>(
  table: ConnectionTable,
  user: TransportUser,
  onRemoved?: (connection: C) => void,
): ConnectionEvents<C> {
  return {
    onMessage: (message, connection) => user.onMessage(message, connection),
    onClose: (connection, reason) => {
      onRemoved?.(connection);
      table.remove(connection);
      user.onConnectionClosed(connection, reason);
    },
    onProtocolError: (connection, error) =>
      user.onTransportEvent?.({
        type: "protocol-error",
        connectionId: connection.id,
        remote: `${connection.remoteAddress}:${connection.remotePort}`,
        message: `${error.status} ${error.reason}`,
      }),
  };
}

/**
 * Abort with a TCP RST (fault injection): the peer sees ECONNRESET, not a close. A
 * TLSSocket's handle is not TCP, so reset the TCP socket it wraps.
 */
export function resetTcp(socket: Socket): void {
  tcpSocketOf(socket).resetAndDestroy();
  socket.destroy();
}
