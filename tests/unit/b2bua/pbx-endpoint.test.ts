import { describe, expect, it } from "vitest";
import { ConnectorEndpoint } from "../../../src/b2bua/pbx-endpoint.js";
import { FakeConnection } from "../../support/fake-connection.js";

describe("how the connector names itself on a connection", () => {
  const endpoint = new ConnectorEndpoint("192.0.2.10", 5061);

  it("on TLS: the advertised host and SIP port, whatever port the socket has", () => {
    const tls = new FakeConnection({ reliable: true });
    expect(endpoint.via(tls)).toBe("SIP/2.0/TLS 192.0.2.10:5061");
    expect(endpoint.contact(tls)).toBe("sip:connector@192.0.2.10:5061;transport=tls");
  });

  it("on TCP and UDP: the socket's local port", () => {
    const tcp = new FakeConnection({ reliable: true, protocol: "TCP" });
    expect(endpoint.via(tcp)).toBe(`SIP/2.0/TCP 192.0.2.10:${tcp.localPort}`);
    expect(endpoint.contact(tcp, "us_al")).toBe(`sip:us_al@192.0.2.10:${tcp.localPort};transport=tcp`);
  });

  it("on a WebSocket: one invalid host name (RFC 7118 §5.2)", () => {
    const ws = new FakeConnection({ reliable: true, protocol: "WSS" });
    const [, host] = /^SIP\/2\.0\/WSS ([0-9a-f]{12}\.invalid)$/.exec(endpoint.via(ws)) ?? [];
    expect(host).toBeDefined();
    expect(endpoint.contact(ws)).toBe(`sip:connector@${host};transport=ws`);
  });

  it("brackets an IPv6 host", () => {
    const v6 = new ConnectorEndpoint("2001:db8::10", 5061);
    expect(v6.contact(new FakeConnection({ reliable: true }))).toBe(
      "sip:connector@[2001:db8::10]:5061;transport=tls",
    );
  });
});
