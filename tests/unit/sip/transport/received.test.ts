import { describe, expect, it } from "vitest";
import { parseMessage, parseVia, type SipRequest } from "../../../../src/sip/message/index.js";
import { markReceived } from "../../../../src/sip/transport/received.js";
import { FakeConnection } from "../../../support/fake-connection.js";

/** An OPTIONS with this top Via, received on a connection from 127.0.0.1:5070. */
function stamped(via: string): string {
  const request = parseMessage(
    Buffer.from(
      [
        "OPTIONS sip:phoneapp.unify.com SIP/2.0",
        `Via: ${via}`,
        "Via: SIP/2.0/TLS proxy.example;branch=z9hG4bKlower",
        "From: <sip:a@example.test>;tag=1",
        "To: <sip:phoneapp.unify.com>",
        "Call-ID: r1",
        "CSeq: 1 OPTIONS",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n"),
    ),
  ) as SipRequest;
  markReceived(request, new FakeConnection({ reliable: true }));
  expect(request.headers.getAll("via")[1]).toBe("SIP/2.0/TLS proxy.example;branch=z9hG4bKlower");
  // The parsed top Via kept on the message (not parsed again) is what the new text reads as.
  expect(request.topVia).toEqual(parseVia(request.headers.get("via")!));
  expect(request.vias.map((v) => v.host)).toEqual([request.topVia.host, "proxy.example"]);
  expect(request.callId).toBe("r1");
  return request.headers.getAll("via")[0]!;
}

describe("markReceived (RFC 3261 §18.2.1, RFC 3581 §4)", () => {
  it("adds received when the sent-by host is not the source address", () => {
    expect(stamped("SIP/2.0/TLS pbx.example:5061;branch=z9hG4bK1")).toBe(
      "SIP/2.0/TLS pbx.example:5061;branch=z9hG4bK1;received=127.0.0.1",
    );
  });

  it("leaves the Via alone when the host is the source and rport was not asked for", () => {
    expect(stamped("SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1")).toBe(
      "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1",
    );
  });

  it("with rport asked for, fills it in and adds received even when the host is the source", () => {
    expect(stamped("SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1;rport")).toBe(
      "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1;rport=5070;received=127.0.0.1",
    );
  });

  it("replaces a received the client wrote instead of repeating it", () => {
    expect(stamped("SIP/2.0/TLS pbx.example;received=192.0.2.9;branch=z9hG4bK1;rport")).toBe(
      "SIP/2.0/TLS pbx.example;received=127.0.0.1;branch=z9hG4bK1;rport=5070",
    );
  });

  it("fills in rport wherever it stands and however it is spelt", () => {
    expect(stamped("SIP/2.0/TLS 127.0.0.1:5061;rport;branch=z9hG4bK1")).toBe(
      "SIP/2.0/TLS 127.0.0.1:5061;rport=5070;branch=z9hG4bK1;received=127.0.0.1",
    );
    expect(stamped("SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1; RPort ;x=1")).toBe(
      "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1;rport=5070 ;x=1;received=127.0.0.1",
    );
    expect(stamped("SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1;rportx=2;rport")).toBe(
      "SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1;rportx=2;rport=5070;received=127.0.0.1",
    );
  });

  it("compares an IPv6 sent-by without its brackets", () => {
    const request = parseMessage(
      Buffer.from(
        "OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TLS [::1]:5061;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x>\r\nCall-ID: r\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
      ),
    ) as SipRequest;
    const connection = new FakeConnection({ reliable: true });
    Object.defineProperty(connection, "remoteAddress", { value: "::1" });
    markReceived(request, connection);
    expect(request.headers.get("via")).toBe("SIP/2.0/TLS [::1]:5061;branch=z9hG4bK1");
  });
});
