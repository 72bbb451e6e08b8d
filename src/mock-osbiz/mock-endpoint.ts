import type { LocalEndpoint } from "../sip/dialog/index.js";
import type { SipConnection } from "../sip/transport/index.js";

/**
 * How the mock PBX names itself: by the local address and port of its TLS connection, as
 * a PBX behind NAT does (the connector answers over that connection anyway, RFC 3581 rport).
 */
export class MockEndpoint implements LocalEndpoint {
  constructor(private readonly user: string) {}

  via(connection: SipConnection): string {
    return `SIP/2.0/${connection.protocol} ${hostPort(connection)};rport`;
  }

  contact(connection: SipConnection, user = this.user): string {
    return `sip:${user}@${hostPort(connection)};transport=${connection.protocol.toLowerCase()}`;
  }
}

function hostPort(connection: SipConnection): string {
  const host = connection.localAddress;
  return `${host.includes(":") ? `[${host}]` : host}:${connection.localPort}`;
}
