import type { Socket } from "node:net";

/** "::ffff:127.0.0.1" → "127.0.0.1", so limits and logs see one form. */
export function unmapIPv4(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/** The TCP socket under a TLSSocket (Node keeps it as _parent), or the socket itself. */
export function tcpSocketOf(socket: Socket): Socket {
  return (socket as Socket & { _parent?: Socket })._parent ?? socket;
}
