import { describe, expect, it } from "vitest";
import { checkRequest } from "../../../../src/sip/core/index.js";
import { parseMessage, type SipRequest } from "../../../../src/sip/message/index.js";

/** A request with these header lines and body (Content-Length is added). */
function request(startLine: string, headers: string[] = [], body = ""): SipRequest {
  const method = startLine.split(" ")[0]!;
  const text = [
    startLine,
    "Via: SIP/2.0/TLS pbx.example:5061;branch=z9hG4bKchecks",
    "From: <sip:pbx@example.test>;tag=1",
    "To: <sip:100@phoneapp.unify.com>",
    "Call-ID: checks-1",
    `CSeq: 1 ${method}`,
    ...headers,
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
  return parseMessage(Buffer.from(text)) as SipRequest;
}

const INVITE = "INVITE sip:100@phoneapp.unify.com SIP/2.0";
const sdpRoute = { supported: ["replaces"], acceptBody: ["application/sdp"] };
const SDP = "v=0\r\n";

describe("checkRequest: method inspection (RFC 3261 §8.2.1)", () => {
  it("answers a method it does not know 501, naming it, whether or not a route exists", () => {
    expect(checkRequest(request("PUBLISHX sip:a@b SIP/2.0"), undefined)).toEqual({
      status: 501,
      reason: "Not Implemented: method PUBLISHX",
    });
  });

  it("answers a known method without a route 405 (the caller adds Allow)", () => {
    expect(checkRequest(request("SUBSCRIBE sip:a@b SIP/2.0"), undefined)).toMatchObject({
      status: 405,
      reason: "Method Not Allowed: the connector does not accept SUBSCRIBE",
    });
  });

  it("lets a request that passes every check through", () => {
    expect(checkRequest(request(INVITE, ["Content-Type: application/sdp"], SDP), sdpRoute)).toBeUndefined();
  });
});

describe("checkRequest: header inspection (§8.2.2)", () => {
  it("answers Max-Forwards: 0 with 483", () => {
    expect(checkRequest(request(INVITE, ["Max-Forwards: 0"]), sdpRoute)).toMatchObject({ status: 483 });
    expect(checkRequest(request(INVITE, ["Max-Forwards: 1"]), sdpRoute)).toBeUndefined();
  });

  it("answers a Request-URI scheme other than sip or sips 416, naming it", () => {
    expect(checkRequest(request("INVITE tel:+4923026672131 SIP/2.0"), sdpRoute)).toEqual({
      status: 416,
      reason: "Unsupported URI Scheme: tel",
    });
    expect(checkRequest(request("INVITE SIPS:100@phoneapp.unify.com SIP/2.0"), sdpRoute)).toBeUndefined();
  });

  it("answers Require tags it does not support 420, listing exactly those in Unsupported", () => {
    const rejection = checkRequest(
      request(INVITE, ["Require: Replaces, 100rel", "Require: timer"]),
      sdpRoute,
    );
    expect(rejection).toEqual({
      status: 420,
      reason: "Bad Extension: 100rel, timer",
      headers: { unsupported: "100rel, timer" },
    });
  });

  it("ignores Require on ACK and CANCEL (§8.2.2.3)", () => {
    const route = { supported: [], acceptBody: [] };
    expect(
      checkRequest(request("ACK sip:100@phoneapp.unify.com SIP/2.0", ["Require: 100rel"]), route),
    ).toBeUndefined();
    expect(
      checkRequest(request("CANCEL sip:100@phoneapp.unify.com SIP/2.0", ["Require: 100rel"]), route),
    ).toBeUndefined();
  });
});

describe("checkRequest: content processing (§8.2.3)", () => {
  it("answers a body type the route does not take 415 with Accept listing what it takes", () => {
    expect(checkRequest(request(INVITE, ["Content-Type: text/plain"], "hi"), sdpRoute)).toEqual({
      status: 415,
      reason: "Unsupported Media Type: text/plain",
      headers: { accept: "application/sdp" },
    });
  });

  it("matches the media type without parameters and case", () => {
    const headers = ["Content-Type: Application/SDP; charset=utf-8"];
    expect(checkRequest(request(INVITE, headers, SDP), sdpRoute)).toBeUndefined();
  });

  it("answers a body without Content-Type 415, and any body 415 without Accept where none is taken", () => {
    expect(checkRequest(request(INVITE, [], SDP), sdpRoute)).toMatchObject({
      status: 415,
      reason: "Unsupported Media Type: no Content-Type",
    });
    const bye = request("BYE sip:100@phoneapp.unify.com SIP/2.0", ["Content-Type: application/sdp"], SDP);
    expect(checkRequest(bye, { supported: [], acceptBody: [] })).toEqual({
      status: 415,
      reason: "Unsupported Media Type: application/sdp",
      headers: {},
    });
  });

  it("answers a Content-Encoding other than identity 415 with Accept-Encoding: identity", () => {
    const zipped = request(INVITE, ["Content-Type: application/sdp", "Content-Encoding: gzip"], SDP);
    expect(checkRequest(zipped, sdpRoute)).toEqual({
      status: 415,
      reason: "Unsupported Media Type: encoding gzip",
      headers: { "accept-encoding": "identity" },
    });
    const plain = request(INVITE, ["Content-Type: application/sdp", "Content-Encoding: identity"], SDP);
    expect(checkRequest(plain, sdpRoute)).toBeUndefined();
  });

  it("answers 406 when Accept rules out the type of the answer, and takes wildcards", () => {
    const route = { ...sdpRoute, answers: "application/sdp" };
    expect(checkRequest(request(INVITE, ["Accept: text/html"]), route)).toEqual({
      status: 406,
      reason: "Not Acceptable: the answer would be application/sdp",
      headers: { accept: "application/sdp" },
    });
    for (const accept of ["application/*", "*/*", "text/html, application/sdp;level=1"]) {
      expect(checkRequest(request(INVITE, [`Accept: ${accept}`]), route), accept).toBeUndefined();
    }
    expect(checkRequest(request(INVITE), route)).toBeUndefined();
  });

  it("checks in the RFC's order: an unsupported extension is answered before a bad body", () => {
    const both = request(INVITE, ["Require: 100rel", "Content-Type: text/plain"], "hi");
    expect(checkRequest(both, sdpRoute)?.status).toBe(420);
    const worse = request("INVITE tel:+49 SIP/2.0", ["Max-Forwards: 0", "Require: 100rel"]);
    expect(checkRequest(worse, sdpRoute)?.status).toBe(483);
  });
});
