import type { SecureVersion } from "node:tls";
import type { SipMessage } from "../message/index.js";
import type { SipConnection } from "./connection.js";

/**
 * Where fault injection (src/faults) reaches into the SIP layers. The layers only call
 * these hooks; what a rule does lives with the rules.
 */
export interface SipFaultHooks {
  /** `sip.in`: a framed message arrived; `deliver` hands it to the transaction layer. */
  incoming(message: SipMessage, connection: SipConnection, deliver: () => void): void;
  /**
   * `sip.out`: a message is to be sent; `write` puts bytes on the wire, with the message they
   * serialise (for the traffic taps) unless a fault corrupted them.
   */
  outgoing(
    message: SipMessage,
    connection: SipConnection,
    write: (data: Buffer, message?: SipMessage) => void,
  ): void;
}

/** TLS server options a fault replaces for one connection. */
export interface TlsVariantOptions {
  /** Several of different types (RSA + ECDSA), like the normal listener, or one. */
  readonly key?: string | string[];
  readonly cert?: string | string[];
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  readonly ciphers?: string;
}

/**
 * What the listener does with a raw TCP connection before any TLS byte: refuse it, keep it
 * without ever answering, or run the handshake with other options (`variant` names them,
 * so the listener keeps one TLS server per variant).
 */
export type TlsAcceptVerdict =
  | { readonly type: "refuse" }
  | { readonly type: "stall" }
  | { readonly type: "serve"; readonly variant: string; readonly options: TlsVariantOptions };

export interface TlsFaultHooks {
  /** `tls.accept`; `remoteAddress` as the transport logs it (IPv4-mapped IPv6 unmapped). */
  accept(peer: { readonly remoteAddress: string; readonly remotePort: number }): TlsAcceptVerdict | undefined;
}
