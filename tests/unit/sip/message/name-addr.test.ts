import { describe, expect, it } from "vitest";
import { formatNameAddr, parseNameAddr, SipParseError } from "../../../../src/sip/message/index.js";

describe("parseNameAddr", () => {
  it("reads a quoted display name with escaped quotes and backslashes", () => {
    const value = parseNameAddr('"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8');
    expect(value.displayName).toBe('J Rosenberg \\"');
    expect(value.uri).toMatchObject({ user: "jdrosen", host: "example.com" });
    expect(value.params).toEqual({ tag: "98asjd8" });
  });

  it("keeps commas, '<' and UTF-8 inside a quoted display name", () => {
    expect(parseNameAddr('"Bell, <Alexander> Grüße" <sip:a@b>').displayName).toBe("Bell, <Alexander> Grüße");
  });

  it("reads a token display name with no space before '<' (RFC 4475 §3.1.1.6)", () => {
    expect(parseNameAddr("caller<sip:caller@example.com>;tag=323")).toMatchObject({
      displayName: "caller",
      params: { tag: "323" },
    });
  });

  it("reads several tokens as one display name", () => {
    expect(parseNameAddr("A. G.  Bell <sip:a@b>").displayName).toBe("A. G.  Bell");
  });

  it("leaves displayName out without one; an empty quoted one is the empty string", () => {
    expect("displayName" in parseNameAddr("<sip:a@b>")).toBe(false);
    expect(parseNameAddr('"" <sip:a@b>').displayName).toBe("");
  });

  it("addr-spec form: parameters after it belong to the header (RFC 3261 §20.10)", () => {
    const value = parseNameAddr("sip:+19725552222@gw1.example.net;unknownparam;expires=60");
    expect(value.uri.params).toEqual({});
    expect(value.params).toEqual({ unknownparam: null, expires: "60" });
  });

  it("name-addr form: parameters inside <> belong to the URI", () => {
    const value = parseNameAddr("<sip:+19725552222@gw1.example.net;unknownparam>;q=0.5");
    expect(value.uri.params).toEqual({ unknownparam: null });
    expect(value.params).toEqual({ q: "0.5" });
  });

  it("accepts LWS around ';' and '=' and keeps quoted parameter values with their quotes", () => {
    expect(
      parseNameAddr('<sip:a@b> ; newparam =\tnewvalue ;  secondparam ; +sip.instance="<urn:uuid:1>"').params,
    ).toEqual({
      newparam: "newvalue",
      secondparam: null,
      "+sip.instance": '"<urn:uuid:1>"',
    });
  });

  it("reads non-SIP URIs", () => {
    expect(parseNameAddr("isbn:2983792873").uri).toMatchObject({ scheme: "isbn", host: "2983792873" });
    expect(parseNameAddr("<http://www.example.com>;tag=1").uri).toMatchObject({
      scheme: "http",
      host: "//www.example.com",
    });
  });

  it("lowercases parameter names, keeps value case", () => {
    expect(parseNameAddr("<sip:a@b>;TAG=AbC").params).toEqual({ tag: "AbC" });
  });

  it.each([
    ["unterminated quote", '"Mr. J. User <sip:j.user@example.com>'],
    ["unquoted comma", "Bell, Alexander <sip:a.g.bell@example.com>;tag=43"],
    ["spaces inside <>", '"Watson, Thomas" < sip:t.watson@example.org >'],
    ["addr-spec with '?'", "sip:user@example.com?Route=%3Csip:sip.example.com%3E"],
    ["missing '>'", "<sip:a@b"],
    ["quoted name without <>", '"x" sip:a@b'],
    ["empty parameter", "<sip:a@b>;;tag=1"],
    ["parameter without value", "<sip:a@b>;tag="],
    ["trailing text", "<sip:a@b> junk"],
    ["empty", ""],
  ])("rejects %s", (_name, text) => {
    expect(() => parseNameAddr(text)).toThrow(SipParseError);
  });
});

describe("formatNameAddr", () => {
  it("always writes <> and quotes display names that are not tokens", () => {
    expect(
      formatNameAddr({ uri: { scheme: "sip", host: "b", user: "a", params: {}, headers: {} }, params: {} }),
    ).toBe("<sip:a@b>");
    expect(
      formatNameAddr({
        displayName: 'Bell, "A" \\ G',
        uri: { scheme: "sip", host: "b", params: {}, headers: {} },
        params: { tag: "x", lr: null },
      }),
    ).toBe('"Bell, \\"A\\" \\\\ G" <sip:b>;tag=x;lr');
  });

  it("writes token display names bare", () => {
    expect(
      formatNameAddr({
        displayName: "A. Bell",
        uri: { scheme: "sip", host: "b", params: {}, headers: {} },
        params: {},
      }),
    ).toBe("A. Bell <sip:b>");
  });

  it.each([
    '"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <sip:x@example.com>',
    '"J Rosenberg \\\\\\"" <sip:jdrosen@example.com>;tag=98asjd8',
    'token1~` token2\'+_ <sip:mundane@example.com>;fromParam="работающий";tag=_token',
    '"" <sip:a@b>',
    "sip:a@b;tag=1",
  ])("round-trips %j", (text) => {
    const parsed = parseNameAddr(text);
    expect(parseNameAddr(formatNameAddr(parsed))).toEqual(parsed);
  });
});
