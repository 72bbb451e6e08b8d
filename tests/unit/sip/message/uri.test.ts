import { describe, expect, it } from "vitest";
import { formatUri, parseUri, SipParseError } from "../../../../src/sip/message/index.js";

describe("parseUri", () => {
  it("reads every part of a sip URI", () => {
    expect(
      parseUri(
        "sips:alice:secret@Example.COM:5061;transport=TLS;lr;Maddr=10.0.0.1?Subject=hi&Priority=urgent",
      ),
    ).toEqual({
      scheme: "sips",
      user: "alice",
      password: "secret",
      host: "Example.COM",
      port: 5061,
      params: { transport: "TLS", lr: null, maddr: "10.0.0.1" },
      headers: { Subject: "hi", Priority: "urgent" },
    });
  });

  it("lowercases the scheme and leaves user, port, password out when absent", () => {
    const uri = parseUri("SIP:example.com");
    expect(uri).toEqual({ scheme: "sip", host: "example.com", params: {}, headers: {} });
    expect("user" in uri || "port" in uri || "password" in uri).toBe(false);
  });

  it("decodes %HH escapes once in user, params and headers", () => {
    const uri = parseUri("sip:%61lice%40home@example.com;n%61me=v%61lue%25%34%31?h%20x=a%3Cb%3E");
    expect(uri.user).toBe("alice@home");
    expect(uri.params).toEqual({ name: "value%41" });
    expect(uri.headers).toEqual({ "h x": "a<b>" });
  });

  it("keeps escaped NULs distinct (RFC 4475 §3.1.1.4)", () => {
    expect(parseUri("sip:%00@h").user).toBe("\0");
    expect(parseUri("sip:%00%00@h").user).toBe("\0\0");
  });

  it("decodes escaped UTF-8 and maps invalid UTF-8 octets one to one", () => {
    expect(parseUri("sip:J%C3%BCrgen@h").user).toBe("Jürgen");
    expect(parseUri("sip:%FF%FE@h").user).toBe("\xff\xfe");
  });

  it("keeps ';' inside the user part (RFC 4475 §3.1.1.9)", () => {
    expect(parseUri("sip:user;par=u%40example.net@example.com")).toMatchObject({
      user: "user;par=u@example.net",
      host: "example.com",
      params: {},
    });
  });

  it("reads IPv6 references with and without port, keeping the brackets", () => {
    expect(parseUri("sip:[2001:db8::10]")).toMatchObject({ host: "[2001:db8::10]" });
    expect(parseUri("sip:[2001:db8::10]:5070")).toMatchObject({ host: "[2001:db8::10]", port: 5070 });
    expect(parseUri("sip:u@[::ffff:192.0.2.1];transport=tcp")).toMatchObject({
      user: "u",
      host: "[::ffff:192.0.2.1]",
      params: { transport: "tcp" },
    });
    expect(parseUri("sip:[2001:db8:::192.0.2.1]").host).toBe("[2001:db8:::192.0.2.1]");
  });

  it("keeps the opaque part of other schemes whole", () => {
    expect(parseUri("tel:+49-2302-667;phone-context=x")).toEqual({
      scheme: "tel",
      host: "+49-2302-667;phone-context=x",
      params: {},
      headers: {},
    });
    expect(parseUri("urn:service:sos").host).toBe("service:sos");
  });

  it.each([
    ["no scheme", "example.com"],
    ["bad scheme", "<sip:a@b>"],
    ["empty opaque part", "tel:"],
    ["space in opaque part", "tel:1 2"],
    ["bare IPv6", "sip:2001:db8::10"],
    ["unterminated IPv6", "sip:[2001:db8::10"],
    ["no colon in brackets", "sip:[abc]"],
    ["port too large", "sip:h:65536"],
    ["empty port", "sip:h:"],
    ["empty user", "sip:@h"],
    ["bad escape", "sip:a%4@h"],
    ["bad escape at end", "sip:h;x=%4"],
    ["space", "sip:a@h ;lr"],
    ["empty parameter", "sip:h;;lr"],
    ["empty parameter value", "sip:h;x="],
    ["header without value sign", "sip:h?Subject"],
    ["empty host", "sip:a@"],
    ["non-ASCII", "sip:jü@h"],
  ])("rejects %s", (_name, text) => {
    expect(() => parseUri(text)).toThrow(SipParseError);
    try {
      parseUri(text);
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: "SIP_ERR_URI" });
    }
  });
});

describe("formatUri", () => {
  it("writes every part, escaping what needs it", () => {
    expect(
      formatUri({
        scheme: "sip",
        user: "sips:user@example.com",
        password: "p w",
        host: "example.net",
        port: 5060,
        params: { lr: null, name: "value%41" },
        headers: { Route: "<sip:x>" },
      }),
    ).toBe("sip:sips%3Auser%40example.com:p%20w@example.net:5060;lr;name=value%2541?Route=%3Csip:x%3E");
  });

  it("escapes non-ASCII as UTF-8", () => {
    expect(formatUri({ scheme: "sip", user: "Jürgen", host: "h", params: {}, headers: {} })).toBe(
      "sip:J%C3%BCrgen@h",
    );
  });

  it("writes other schemes as scheme:opaque", () => {
    expect(formatUri({ scheme: "tel", host: "+4923026672131", params: {}, headers: {} })).toBe(
      "tel:+4923026672131",
    );
  });

  it.each([
    "sip:alice@example.com",
    "sips:alice:secret@example.com:5061;transport=tls;lr?subject=hi&x=y",
    "sip:[2001:db8::10]:5070;maddr=[2001:db8::1]",
    "sip:user;par=x@example.com",
    "sip:%00%00@h",
    "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
  ])("round-trips %s through parse and format", (text) => {
    const parsed = parseUri(text);
    expect(parseUri(formatUri(parsed))).toEqual(parsed);
  });
});
