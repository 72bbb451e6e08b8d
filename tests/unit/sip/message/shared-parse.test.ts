import { describe, expect, it } from "vitest";
import {
  parseNameAddr,
  parseNameAddrShared,
  parseUri,
  parseUriShared,
  SipParseError,
} from "../../../../src/sip/message/index.js";

describe("parseNameAddrShared", () => {
  it("parses like parseNameAddr and hands out the same frozen result for the same text", () => {
    const text = `"Trunk" <sip:2000000001@127.0.0.1:5061;transport=tls>;tag=${Math.random()}`;
    const first = parseNameAddrShared(text);
    expect(first).toEqual(parseNameAddr(text));
    expect(parseNameAddrShared(`${text}`)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.params)).toBe(true);
    expect(Object.isFrozen(first.uri)).toBe(true);
    expect(Object.isFrozen(first.uri.params)).toBe(true);
    expect(() => {
      (first.params as Record<string, string>).tag = "x";
    }).toThrow(TypeError);
  });

  it("throws the parser's error every time for a bad value (errors are not remembered)", () => {
    for (let i = 0; i < 2; i++) expect(() => parseNameAddrShared("<sip:a@b")).toThrow(SipParseError);
  });

  it("stays bounded: after tens of thousands of distinct values, old ones are parsed again", () => {
    const first = parseNameAddrShared("<sip:bounded@example.com>");
    for (let i = 0; i < 40_000; i++) parseNameAddrShared(`<sip:u${i}@example.com>`);
    const again = parseNameAddrShared("<sip:bounded@example.com>");
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it("shares Request-URI parses the same way", () => {
    const text = "sip:2000000001@phoneapp.unify.com;transport=tls";
    const first = parseUriShared(text);
    expect(first).toEqual(parseUri(text));
    expect(parseUriShared(text)).toBe(first);
    expect(Object.isFrozen(first.params)).toBe(true);
    expect(() => parseUriShared("nope")).toThrow(SipParseError);
  });

  it("parses a long value every time instead of remembering it", () => {
    const text = `<sip:${"u".repeat(300)}@example.com>;tag=1`;
    const first = parseNameAddrShared(text);
    expect(first).toEqual(parseNameAddr(text));
    expect(parseNameAddrShared(text)).not.toBe(first);
  });
});
