import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../src/faults/index.js";
import { corruptSipBytes } from "../../../src/faults/sip-corruption.js";
import { parseMessage, StreamFramer } from "../../../src/sip/message/index.js";

const OK = Buffer.from(
  [
    "SIP/2.0 200 OK",
    "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKabc",
    "From: <sip:a@example.test>;tag=1",
    "To: <sip:a@example.test>;tag=2",
    "Call-ID: c1",
    "CSeq: 1 OPTIONS",
    "Content-Length: 4",
    "",
    "abcd",
  ].join("\r\n"),
);

describe("corruptSipBytes", () => {
  it("start-line: the message no longer parses", () => {
    expect(() => parseMessage(OK)).not.toThrow();
    const bad = corruptSipBytes(OK, "start-line", seededRandom(1));
    expect(bad.toString()).toMatch(/^SIP\/2\.0 9x9 Corrupted by fault injection\r\nVia:/);
    expect(() => parseMessage(bad)).toThrow();
  });

  it("content-length: claims 100 bytes more, so a stream framer waits for them", () => {
    const bad = corruptSipBytes(OK, "content-length", seededRandom(1));
    expect(bad.toString()).toContain("\r\nContent-Length: 104\r\n");
    const framer = new StreamFramer({ maxMessageSize: 65_536, maxHeaders: 100 });
    expect([...framer.push(bad)].filter((e) => e.type === "message")).toEqual([]);
    expect(framer.buffered).toBeGreaterThan(0);
  });

  it("garble: overwrites header bytes, the same ones for the same seed, never the body", () => {
    const a = corruptSipBytes(OK, "garble", seededRandom(5));
    const b = corruptSipBytes(OK, "garble", seededRandom(5));
    expect(a.equals(b)).toBe(true);
    expect(a.equals(OK)).toBe(false);
    expect(a.subarray(-4).toString()).toBe("abcd");
    expect(a.length).toBe(OK.length);
  });
});
