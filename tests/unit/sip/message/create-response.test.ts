import { describe, expect, it } from "vitest";
import {
  createResponse,
  Headers,
  parseMessage,
  reasonPhrase,
  SipParseError,
  type SipRequest,
  serialize,
} from "../../../../src/sip/message/index.js";

const INVITE =
  "INVITE sip:2131@emulator.test SIP/2.0\r\n" +
  "Via: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKa;rport, SIP/2.0/TLS 10.0.0.9;branch=z9hG4bKb\r\n" +
  "v: SIP/2.0/UDP 10.0.0.10;branch=z9hG4bKc\r\n" +
  'Max-Forwards: 70\r\nf: "Al" <sip:2130@pbx.test>;tag=f1\r\nt: <sip:2131@emulator.test>\r\n' +
  "Call-ID: inv1@pbx.test\r\nCSeq: 5 INVITE\r\nContact: <sip:2130@10.0.0.5:5061;transport=tls>\r\n" +
  "Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n";

function invite(): SipRequest {
  return parseMessage(Buffer.from(INVITE)) as SipRequest;
}

describe("createResponse", () => {
  it("copies Via, From, To, Call-ID and CSeq and nothing else (RFC 3261 §8.2.6.2)", () => {
    const response = createResponse(invite(), 180);
    expect(response).toMatchObject({ kind: "response", status: 180, reason: "Ringing", version: "SIP/2.0" });
    expect([...response.headers.entries()]).toEqual([
      ["Via", "SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKa;rport, SIP/2.0/TLS 10.0.0.9;branch=z9hG4bKb"],
      ["Via", "SIP/2.0/UDP 10.0.0.10;branch=z9hG4bKc"],
      ["From", '"Al" <sip:2130@pbx.test>;tag=f1'],
      ["To", "<sip:2131@emulator.test>"],
      ["Call-ID", "inv1@pbx.test"],
      ["CSeq", "5 INVITE"],
      ["Content-Length", "0"],
    ]);
    expect(response.body.length).toBe(0);
  });

  it("adds the To tag when To has none, keeps an existing one", () => {
    expect(createResponse(invite(), 200, "OK", "t9").to.params.tag).toBe("t9");
    const tagged = invite();
    tagged.headers.set("To", "<sip:2131@emulator.test>;tag=old");
    expect(createResponse(tagged, 200, "OK", "t9").headers.get("To")).toBe(
      "<sip:2131@emulator.test>;tag=old",
    );
  });

  it("uses the given reason phrase", () => {
    expect(createResponse(invite(), 488, "Not Acceptable Here (SRTP only)").reason).toBe(
      "Not Acceptable Here (SRTP only)",
    );
  });

  it("re-parses, with the Vias of the request", () => {
    const response = parseMessage(serialize(createResponse(invite(), 486, undefined, "x")));
    expect(response.vias.map((v) => v.branch)).toEqual(["z9hG4bKa", "z9hG4bKb", "z9hG4bKc"]);
    expect(response.cseq).toEqual({ seq: 5, method: "INVITE" });
  });

  it("works on a partial request whose other headers are broken", () => {
    let partial: SipRequest | undefined;
    try {
      parseMessage(
        Buffer.from(
          "INVITE  sip:2131@emulator.test SIP/2.0\r\nVia: SIP/2.0/TLS h;branch=z9hG4bKa\r\nFrom: broken <<\r\n" +
            'To: "unterminated <sip:x@y>\r\nCall-ID: p1\r\nCSeq: 99999999999 INVITE\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n',
        ),
      );
    } catch (error) {
      if (!(error instanceof SipParseError) || error.partial?.kind !== "request") throw error;
      partial = error.partial;
    }
    const response = createResponse(partial!, 400, undefined, "t1");
    expect(response.headers.get("From")).toBe("broken <<");
    expect(response.headers.get("To")).toBe('"unterminated <sip:x@y>');
    expect(response.headers.getAll("CSeq")).toEqual(["99999999999 INVITE"]);
    expect(serialize(response).toString()).toMatch(/^SIP\/2\.0 400 Bad Request\r\n/);
  });

  it("skips fields the request lacks", () => {
    const request = invite();
    request.headers = new Headers([["Call-ID", "only"]]);
    expect([...createResponse(request, 500).headers.entries()]).toEqual([
      ["Call-ID", "only"],
      ["Content-Length", "0"],
    ]);
  });
});

describe("reasonPhrase", () => {
  it.each([
    [100, "Trying"],
    [180, "Ringing"],
    [183, "Session Progress"],
    [200, "OK"],
    [202, "Accepted"],
    [302, "Moved Temporarily"],
    [400, "Bad Request"],
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [404, "Not Found"],
    [405, "Method Not Allowed"],
    [407, "Proxy Authentication Required"],
    [408, "Request Timeout"],
    [415, "Unsupported Media Type"],
    [416, "Unsupported URI Scheme"],
    [420, "Bad Extension"],
    [423, "Interval Too Brief"],
    [480, "Temporarily Unavailable"],
    [481, "Call/Transaction Does Not Exist"],
    [483, "Too Many Hops"],
    [486, "Busy Here"],
    [487, "Request Terminated"],
    [488, "Not Acceptable Here"],
    [491, "Request Pending"],
    [500, "Server Internal Error"],
    [501, "Not Implemented"],
    [503, "Service Unavailable"],
    [504, "Server Time-out"],
    [505, "Version Not Supported"],
    [513, "Message Too Large"],
    [600, "Busy Everywhere"],
    [603, "Decline"],
    [604, "Does Not Exist Anywhere"],
    [606, "Not Acceptable"],
  ])("%d is %s", (status, phrase) => {
    expect(reasonPhrase(status)).toBe(phrase);
  });

  it("falls back to the class for unlisted codes", () => {
    expect(reasonPhrase(198)).toBe("Provisional");
    expect(reasonPhrase(299)).toBe("Success");
    expect(reasonPhrase(499)).toBe("Client Error");
    expect(reasonPhrase(699)).toBe("Global Failure");
  });
});
