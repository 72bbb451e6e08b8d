import type { SipConnection } from "../transport/index.js";

/** How we name ourselves on a given connection: the Via sent-by and our Contact URI. */
export interface LocalEndpoint {
  /** e.g. "SIP/2.0/TLS 192.0.2.10:65061" — without the branch. */
  via(connection: SipConnection): string;
  /** e.g. "sip:connector@192.0.2.10:65061;transport=tls" */
  contact(connection: SipConnection, user?: string): string;
}
