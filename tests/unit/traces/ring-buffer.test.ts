import { describe, expect, it } from "vitest";
import { RingBuffer } from "../../../src/traces/ring-buffer.js";

describe("RingBuffer", () => {
  it("keeps items oldest first while under capacity", () => {
    const ring = new RingBuffer<number>(3);
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    expect(ring.size).toBe(2);
    expect(ring.dropped).toBe(0);
  });

  it("overwrites the oldest item once full and counts what it dropped", () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 7; i++) ring.push(i);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
    expect(ring.dropped).toBe(4);
  });

  it("never holds more than its capacity", () => {
    const ring = new RingBuffer<number>(5);
    for (let i = 0; i < 1000; i++) {
      ring.push(i);
      expect(ring.size).toBeLessThanOrEqual(5);
    }
    expect(ring.toArray()).toEqual([995, 996, 997, 998, 999]);
  });

  it("keeps nothing with capacity 0", () => {
    const ring = new RingBuffer<string>(0);
    ring.push("a");
    expect(ring.toArray()).toEqual([]);
    expect(ring.dropped).toBe(1);
  });

  it("clear() empties it and resets the dropped count; pushing works again", () => {
    const ring = new RingBuffer<number>(2);
    for (let i = 0; i < 5; i++) ring.push(i);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    expect(ring.dropped).toBe(0);
    ring.push(9);
    ring.push(10);
    ring.push(11);
    expect(ring.toArray()).toEqual([10, 11]);
  });

  it("with a byte budget drops the oldest until what it holds fits, keeping the newest even alone", () => {
    const ring = new RingBuffer<string>(100, 10, (s) => s.length);
    for (const s of ["aaaa", "bbbb", "cc"]) ring.push(s);
    expect(ring.toArray()).toEqual(["aaaa", "bbbb", "cc"]);
    expect(ring.bytes).toBe(10);
    ring.push("ddd");
    expect(ring.toArray()).toEqual(["bbbb", "cc", "ddd"]);
    expect(ring.bytes).toBe(9);
    ring.push("x".repeat(50));
    expect(ring.toArray()).toEqual(["x".repeat(50)]);
    expect(ring.dropped).toBe(4);
    ring.clear();
    expect(ring.bytes).toBe(0);
  });

  it("stays in order and within both bounds over many pushes (compaction included)", () => {
    const ring = new RingBuffer<number>(50, 400, (n) => (n % 7) + 1);
    let kept: number[] = [];
    for (let i = 0; i < 5000; i++) {
      ring.push(i);
      kept.push(i);
      while (kept.length > 50 || (kept.reduce((a, n) => a + (n % 7) + 1, 0) > 400 && kept.length > 1))
        kept = kept.slice(1);
      expect(ring.size).toBe(kept.length);
    }
    expect(ring.toArray()).toEqual(kept);
    expect(ring.dropped).toBe(5000 - kept.length);
  });

  it("rejects a negative or fractional capacity", () => {
    expect(() => new RingBuffer(-1)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
    expect(() => new RingBuffer(1, 0)).toThrow(RangeError);
  });
});
