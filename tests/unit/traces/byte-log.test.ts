import { describe, expect, it } from "vitest";
import { ByteLog } from "../../../src/traces/byte-log.js";

const KIB = 1024;

describe("ByteLog", () => {
  it("gives back a message that wraps around the end of its buffer, a character across the end kept whole", () => {
    const log = new ByteLog();
    const filler = log.append(Buffer.alloc(64 * KIB - 1, 0x61));
    log.release(64 * KIB - 1);
    // Starts on the last byte: "€" (3 bytes) is split between the end and the start of the buffer.
    const text = "€uro and more";
    const at = log.append(Buffer.from(text));
    expect(at).toBe(filler + 64 * KIB - 1);
    expect(log.size).toBe(64 * KIB);
    expect(log.text(at, Buffer.byteLength(text))).toBe(text);
  });

  it("grows when what it keeps would not fit, every kept message still where it was", () => {
    const log = new ByteLog();
    const kept: [number, string][] = [];
    // Wrap first, so the growth copies a kept range that goes round the end.
    log.append(Buffer.alloc(40 * KIB));
    log.release(40 * KIB);
    for (let i = 0; i < 30; i++) {
      const text = `${i}:${"ü".repeat(2_000 + i)}`;
      kept.push([log.append(Buffer.from(text)), text]);
    }
    // ~121 KB kept: doubled once.
    expect(log.size).toBe(128 * KIB);
    expect(log.held).toBe(kept.reduce((sum, [, t]) => sum + Buffer.byteLength(t), 0));
    for (const [at, text] of kept) expect(log.text(at, Buffer.byteLength(text))).toBe(text);
  });

  it("clear() forgets everything and gives back the grown buffer", () => {
    const log = new ByteLog();
    log.append(Buffer.alloc(200 * KIB));
    expect(log.size).toBe(256 * KIB);
    log.clear();
    expect([log.size, log.held]).toEqual([64 * KIB, 0]);
    const at = log.append(Buffer.from("again"));
    expect(log.text(at, 5)).toBe("again");
  });
});
