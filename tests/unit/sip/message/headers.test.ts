import { describe, expect, it } from "vitest";
import { Headers } from "../../../../src/sip/message/index.js";

describe("Headers", () => {
  it("treats names case-insensitively and compact forms as the full name", () => {
    const headers = new Headers([
      ["v", "SIP/2.0/UDP a"],
      ["VIA", "SIP/2.0/UDP b"],
      ["i", "abc@host"],
      ["L", "0"],
    ]);
    expect(headers.getAll("Via")).toEqual(["SIP/2.0/UDP a", "SIP/2.0/UDP b"]);
    expect(headers.get("call-id")).toBe("abc@host");
    expect(headers.get("I")).toBe("abc@host");
    expect(headers.has("content-length")).toBe(true);
    expect([...headers.entries()].map(([name]) => name)).toEqual(["Via", "Via", "Call-ID", "Content-Length"]);
  });

  it.each([
    ["f", "From"],
    ["t", "To"],
    ["m", "Contact"],
    ["c", "Content-Type"],
    ["k", "Supported"],
    ["s", "Subject"],
    ["e", "Content-Encoding"],
    ["o", "Event"],
    ["r", "Refer-To"],
    ["b", "Referred-By"],
    ["u", "Allow-Events"],
    ["x", "Session-Expires"],
    ["a", "Accept-Contact"],
    ["j", "Reject-Contact"],
    ["d", "Request-Disposition"],
    ["y", "Identity"],
  ])("compact form %s is %s", (compact, full) => {
    const headers = new Headers([[compact, "x"]]);
    expect(headers.get(full)).toBe("x");
    expect([...headers.entries()]).toEqual([[full, "x"]]);
  });

  it("uses canonical display names for known fields and the given spelling otherwise", () => {
    const headers = new Headers([
      ["www-authenticate", "Digest realm=x"],
      ["CSEQ", "1 INVITE"],
      ["call-id", "a"],
      ["X-Custom-Thing", "1"],
    ]);
    expect([...headers.entries()].map(([name]) => name)).toEqual([
      "WWW-Authenticate",
      "CSeq",
      "Call-ID",
      "X-Custom-Thing",
    ]);
  });

  it("splits list headers on top-level commas only", () => {
    const headers = new Headers([
      ["Contact", '"Bell, Alexander" <sip:a@b;x=1,2>;q=0.5, <sip:c@d>'],
      ["Contact", "<sip:e@f>"],
      ["Allow", "INVITE, ACK,,BYE ,"],
      ["Via", 'SIP/2.0/UDP a;x="1,\\"2"  ,SIP/2.0/UDP b'],
    ]);
    expect(headers.getAll("contact")).toEqual([
      '"Bell, Alexander" <sip:a@b;x=1,2>;q=0.5',
      "<sip:c@d>",
      "<sip:e@f>",
    ]);
    expect(headers.count("Contact")).toBe(3);
    expect(headers.get("Contact")).toBe('"Bell, Alexander" <sip:a@b;x=1,2>;q=0.5');
    expect(headers.getAll("Allow")).toEqual(["INVITE", "ACK", "BYE"]);
    expect(headers.getAll("Via")).toEqual(['SIP/2.0/UDP a;x="1,\\"2"', "SIP/2.0/UDP b"]);
  });

  it.each([
    "Route",
    "Record-Route",
    "Path",
    "Supported",
    "Require",
    "Proxy-Require",
    "Unsupported",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Content-Encoding",
    "Allow-Events",
    "Service-Route",
    "In-Reply-To",
  ])("%s is a list header", (name) => {
    expect(new Headers([[name, "a, b"]]).getAll(name)).toEqual(["a", "b"]);
  });

  it.each(["Authorization", "WWW-Authenticate", "Proxy-Authenticate", "Date", "Subject", "X-Other"])(
    "%s is never split",
    (name) => {
      const headers = new Headers([[name, 'Digest realm="a", nonce="b"']]);
      expect(headers.getAll(name)).toEqual(['Digest realm="a", nonce="b"']);
      expect(headers.count(name)).toBe(1);
    },
  );

  it("get of a list header skips empty lines", () => {
    expect(
      new Headers([
        ["Supported", ""],
        ["k", "timer"],
      ]).get("supported"),
    ).toBe("timer");
  });

  it("set replaces every line at the position of the first", () => {
    const headers = new Headers([
      ["Via", "a"],
      ["To", "t"],
      ["Via", "b"],
      ["From", "f"],
    ]);
    headers.set("v", ["x", "y"]);
    expect([...headers.entries()]).toEqual([
      ["Via", "x"],
      ["Via", "y"],
      ["To", "t"],
      ["From", "f"],
    ]);
    headers.set("Expires", "60");
    expect([...headers.entries()].at(-1)).toEqual(["Expires", "60"]);
  });

  it("append adds at the end, prepend before the first line of the field or first of all", () => {
    const headers = new Headers([
      ["To", "t"],
      ["Via", "b"],
    ]);
    headers.append("Via", "c");
    headers.prepend("Via", "a");
    headers.prepend("Record-Route", "<sip:rr>");
    expect([...headers.entries()]).toEqual([
      ["Record-Route", "<sip:rr>"],
      ["To", "t"],
      ["Via", "a"],
      ["Via", "b"],
      ["Via", "c"],
    ]);
    expect(headers.get("Via")).toBe("a");
  });

  it("delete removes every line including compact ones", () => {
    const headers = new Headers([
      ["l", "0"],
      ["Content-Length", "0"],
      ["To", "t"],
    ]);
    headers.delete("content-length");
    expect(headers.has("Content-Length")).toBe(false);
    expect(headers.count("l")).toBe(0);
    expect([...headers.entries()]).toEqual([["To", "t"]]);
  });

  it("returns undefined / empty for absent fields", () => {
    const headers = new Headers();
    expect(headers.get("Via")).toBeUndefined();
    expect(headers.getAll("Via")).toEqual([]);
    expect(headers.count("To")).toBe(0);
    expect(headers.has("To")).toBe(false);
  });

  it("refuses names that are not tokens and values with CR or LF", () => {
    const headers = new Headers();
    expect(() => headers.append("Bad Name", "x")).toThrow(TypeError);
    expect(() => headers.append("", "x")).toThrow(TypeError);
    expect(() => headers.set("X", "a\r\nInjected: 1")).toThrow(TypeError);
    expect(() => headers.prepend("X", "a\nb")).toThrow(TypeError);
    expect([...headers.entries()]).toEqual([]);
  });

  it("replaceFirst changes only the first element of the first line, in place", () => {
    const headers = new Headers([
      ["Via", "SIP/2.0/TLS a;branch=z9hG4bK1, SIP/2.0/TLS b;branch=z9hG4bK2"],
      ["From", "<sip:x@y>;tag=1"],
      ["Via", "SIP/2.0/TLS c;branch=z9hG4bK3"],
    ]);
    headers.replaceFirst("v", "SIP/2.0/TLS a;branch=z9hG4bK1;received=192.0.2.1");
    expect([...headers.entries()]).toEqual([
      ["Via", "SIP/2.0/TLS a;branch=z9hG4bK1;received=192.0.2.1"],
      ["Via", "SIP/2.0/TLS b;branch=z9hG4bK2"],
      ["From", "<sip:x@y>;tag=1"],
      ["Via", "SIP/2.0/TLS c;branch=z9hG4bK3"],
    ]);
    headers.replaceFirst("Subject", "added when absent");
    expect(headers.get("Subject")).toBe("added when absent");
    expect(() => headers.replaceFirst("Via", "a\r\nInjected: 1")).toThrow(TypeError);
  });
});
