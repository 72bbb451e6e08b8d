import { describe, expect, it } from "vitest";
import { parseAuthParams, SipParseError } from "../../../../src/sip/message/index.js";

describe("parseAuthParams", () => {
  it("reads a Digest Authorization value", () => {
    expect(
      parseAuthParams(
        'Digest username="3919209257", realm="phoneapp.unify.com",nonce="a\\"b", uri="sip:phoneapp.unify.com",' +
          ' response="6629fae49393a05397450978507c4ef1", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="0a4f113b"',
      ),
    ).toEqual({
      scheme: "Digest",
      params: {
        username: "3919209257",
        realm: "phoneapp.unify.com",
        nonce: 'a"b',
        uri: "sip:phoneapp.unify.com",
        response: "6629fae49393a05397450978507c4ef1",
        algorithm: "SHA-256",
        qop: "auth",
        nc: "00000001",
        cnonce: "0a4f113b",
      },
    });
  });

  it("lowercases names, keeps commas inside quoted values and skips empty list elements", () => {
    expect(parseAuthParams('Digest Realm="a,b" ,, QOP="auth,auth-int"')).toEqual({
      scheme: "Digest",
      params: { realm: "a,b", qop: "auth,auth-int" },
    });
  });

  it("reads unknown schemes (RFC 4475 §3.3.7) and a scheme alone", () => {
    expect(parseAuthParams("NoOneKnowsThisScheme opaque-data=here")).toEqual({
      scheme: "NoOneKnowsThisScheme",
      params: { "opaque-data": "here" },
    });
    expect(parseAuthParams("Digest")).toEqual({ scheme: "Digest", params: {} });
  });

  it("accepts an empty quoted value", () => {
    expect(parseAuthParams('Digest opaque=""').params).toEqual({ opaque: "" });
  });

  it.each([
    ["empty", ""],
    ["token68", "Basic dXNlcjpwYXNz"],
    ["duplicate parameter", 'Digest realm="a", realm="b"'],
    ["missing comma", 'Digest realm="a" nonce="b"'],
    ["empty token value", "Digest realm=, nonce=x"],
    ["unterminated quote", 'Digest realm="a'],
  ])("rejects %s", (_name, text) => {
    expect(() => parseAuthParams(text)).toThrow(SipParseError);
  });
});
