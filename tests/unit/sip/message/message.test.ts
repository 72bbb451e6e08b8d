import { describe, expect, it } from "vitest";
import {
  Headers,
  parseMessage,
  SipParseError,
  SipRequest,
  SipResponse,
} from "../../../../src/sip/message/index.js";

function register(): SipRequest {
  const message = parseMessage(
    Buffer.from(
      "REGISTER sip:phoneapp.unify.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bKa, SIP/2.0/TLS 10.0.0.6;branch=z9hG4bKb\r\n" +
        "Max-Forwards: 70\r\nFrom: <sip:3919209257@phoneapp.unify.com>;tag=f1\r\n" +
        "To: <sip:3919209257@phoneapp.unify.com>\r\nCall-ID: c1\r\nCSeq: 7 REGISTER\r\nContent-Length: 0\r\n\r\n",
    ),
  );
  if (message.kind !== "request") throw new Error("expected a request");
  return message;
}

describe("SipRequest / SipResponse", () => {
  it("constructs with defaults", () => {
    const request = new SipRequest("OPTIONS", "sip:a@b");
    expect(request).toMatchObject({ kind: "request", method: "OPTIONS", uri: "sip:a@b", version: "SIP/2.0" });
    expect(request.body.length).toBe(0);
    expect([...request.headers.entries()]).toEqual([]);
    const response = new SipResponse(200, "OK", new Headers([["Call-ID", "x"]]), Buffer.from("hi"));
    expect(response).toMatchObject({
      kind: "response",
      status: 200,
      reason: "OK",
      version: "SIP/2.0",
      callId: "x",
    });
    expect(response.body.toString()).toBe("hi");
  });

  it("exposes parsed fields", () => {
    const request = register();
    expect(request.requestUri).toMatchObject({ scheme: "sip", host: "phoneapp.unify.com" });
    expect(request.callId).toBe("c1");
    expect(request.cseq).toEqual({ seq: 7, method: "REGISTER" });
    expect(request.from.params.tag).toBe("f1");
    expect(request.to.uri.user).toBe("3919209257");
    expect(request.vias.map((v) => v.branch)).toEqual(["z9hG4bKa", "z9hG4bKb"]);
    expect(request.topVia.host).toBe("10.0.0.5");
    expect(request.maxForwards).toBe(70);
  });

  it("caches parsed values until the headers or the URI change", () => {
    const request = register();
    expect(request.from).toBe(request.from);
    request.headers.set("From", "<sip:other@example.com>;tag=f2");
    expect(request.from.params.tag).toBe("f2");
    request.headers.prepend("Via", "SIP/2.0/TLS emulator.test;branch=z9hG4bKtop");
    expect(request.topVia.host).toBe("emulator.test");
    expect(request.vias).toHaveLength(3);
    request.headers.delete("Max-Forwards");
    expect(request.maxForwards).toBeUndefined();
    request.uri = "sip:2131@pbx.test";
    expect(request.requestUri.user).toBe("2131");
    request.headers = new Headers([["Call-ID", "new"]]);
    expect(request.callId).toBe("new");
  });

  it("getters throw SipParseError on missing or malformed fields", () => {
    const request = new SipRequest(
      "OPTIONS",
      "not a uri",
      new Headers([
        ["CSeq", "x OPTIONS"],
        ["Max-Forwards", "300"],
      ]),
    );
    for (const read of [
      () => request.callId,
      () => request.cseq,
      () => request.from,
      () => request.to,
      () => request.topVia,
      () => request.requestUri,
      () => request.maxForwards,
    ]) {
      expect(read).toThrow(SipParseError);
    }
    expect(request.vias).toEqual([]);
  });
});
