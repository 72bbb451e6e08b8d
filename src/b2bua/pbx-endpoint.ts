import { randomBytes } from "node:crypto";
import type { LocalEndpoint } from "../sip/dialog/index.js";
import type { SipConnection } from "../sip/transport/index.js";

/**
 * How the connector names itself: on the PBX's TLS connection, by its advertised host
 * and SIP port; on a WebSocket, by an invalid host name as RFC 7118 §5.2 suggests.
 */
export class ConnectorEndpoint implements LocalEndpoint {
  private readonly wsHost = `${randomBytes(6).toString("hex")}.invalid`;

  constructor(
    private readonly host: string,
    private readonly sipPort: number,
  ) {}

  via(connection: SipConnection): string {
    switch (connection.protocol) {
      case "WS":
      case "WSS":
        return `SIP/2.0/${connection.protocol} ${this.wsHost}`;
      default:
        return `SIP/2.0/${connection.protocol} ${hostPort(this.host, connection.protocol === "TLS" ? this.sipPort : connection.localPort)}`;
    }
  }

  contact(connection: SipConnection, user = "connector"): string {
    switch (connection.protocol) {
      case "WS":
      case "WSS":
        return `sip:${user}@${this.wsHost};transport=ws`;
      case "TLS":
        return `sip:${user}@${hostPort(this.host, this.sipPort)};transport=tls`;
      default:
        return `sip:${user}@${hostPort(this.host, connection.localPort)};transport=${connection.protocol.toLowerCase()}`;
    }
  }
}

function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}
