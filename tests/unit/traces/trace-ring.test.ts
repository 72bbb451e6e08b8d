import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HttpTraceEntry } from "../../../src/traces/trace-entry.js";
import { ENTRY_OVERHEAD, type Flow, TraceRing } from "../../../src/traces/trace-ring.js";

const FLOW: Flow = {
  connectionId: "c1",
  transport: "TLS",
  local: { address: "127.0.0.1", port: 5061 },
  peer: { address: "127.0.0.1", port: 40000 },
};

function http(seq: number): HttpTraceEntry {
  return {
    seq,
    at: seq,
    wallAt: seq,
    kind: "http",
    method: "GET",
    path: "/x",
    status: 200,
    latencyMs: 1,
    requestId: `r${seq}`,
  };
}

/** What the ring holds, as seqs, and the SIP texts: enough to compare with a model. */
function seqs(ring: TraceRing): number[] {
  return ring.toArray().map((e) => e.seq);
}

describe("TraceRing", () => {
  it("keeps entries oldest first while under capacity", () => {
    const ring = new TraceRing(3);
    ring.push(http(1), 1);
    ring.pushSip(2, 2, 2, "in", FLOW, undefined, Buffer.from("OPTIONS x"));
    expect(seqs(ring)).toEqual([1, 2]);
    expect(ring.size).toBe(2);
    expect(ring.dropped).toBe(0);
  });

  it("overwrites the oldest entry once full and counts what it dropped", () => {
    const ring = new TraceRing(3);
    for (let i = 1; i <= 7; i++) ring.push(http(i), 1);
    expect(seqs(ring)).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
    expect(ring.dropped).toBe(4);
  });

  it("keeps nothing with capacity 0", () => {
    const ring = new TraceRing(0);
    ring.pushSip(1, 1, 1, "in", FLOW, undefined, Buffer.from("x"));
    ring.push(http(2), 1);
    expect(ring.toArray()).toEqual([]);
    expect(ring.dropped).toBe(2);
  });

  it("clear() empties it and resets the dropped count; pushing works again", () => {
    const ring = new TraceRing(2);
    for (let i = 0; i < 5; i++) ring.pushSip(i, i, i, "out", FLOW, undefined, Buffer.from(`m${i}`));
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    expect([ring.dropped, ring.held]).toEqual([0, 0]);
    for (let i = 9; i <= 11; i++) ring.pushSip(i, i, i, "out", FLOW, undefined, Buffer.from(`m${i}`));
    expect(ring.toArray().map((e) => "message" in e && e.message)).toEqual(["m10", "m11"]);
  });

  it("with a byte budget drops the oldest until what it holds fits, keeping the newest even alone", () => {
    const ring = new TraceRing(100, 3 * ENTRY_OVERHEAD + 10);
    for (const [seq, text] of [
      [1, "aaaa"],
      [2, "bbbb"],
      [3, "cc"],
    ] as const)
      ring.pushSip(seq, 0, 0, "in", FLOW, undefined, Buffer.from(text));
    expect(ring.held).toBe(3 * ENTRY_OVERHEAD + 10);
    ring.pushSip(4, 0, 0, "in", FLOW, undefined, Buffer.from("ddd"));
    expect(seqs(ring)).toEqual([2, 3, 4]);
    ring.pushSip(5, 0, 0, "in", FLOW, undefined, Buffer.from("x".repeat(5000)));
    expect(seqs(ring)).toEqual([5]);
    expect(ring.dropped).toBe(4);
  });

  it("gives back every SIP message as it was, with its fields, across wrap-arounds and growth", () => {
    const ring = new TraceRing(40);
    const owner = { tenantId: "t", trunkId: "k", trunkName: "n" };
    const texts: string[] = [];
    // 3,000 messages of up to ~5 KB with multi-byte characters: the 64 KiB log wraps many times.
    for (let i = 0; i < 3_000; i++) {
      const text = `MESSAGE ${i} ${"é€😀x".repeat((i * 37) % 1200)}`;
      texts.push(text);
      ring.pushSip(
        i,
        1000 + i,
        2000 + i,
        i % 2 ? "out" : "in",
        FLOW,
        i % 3 ? owner : undefined,
        Buffer.from(text),
      );
    }
    const kept = ring.toArray();
    expect(kept.map((e) => ("message" in e ? e.message : ""))).toEqual(texts.slice(-40));
    expect(kept.at(-1)).toEqual({
      kind: "sip-record",
      seq: 2_999,
      at: 3_999,
      wallAt: 4_999,
      direction: "out",
      flow: FLOW,
      owner,
      message: texts[2_999],
      size: Buffer.byteLength(texts[2_999]!),
    });
  });

  it("behaves like the plain list it replaces, for any mix of entries, sizes, capacity and budget", () => {
    const op = fc.oneof(
      fc.record({ sip: fc.constant(true), length: fc.nat(20_000) }),
      fc.record({ sip: fc.constant(false), length: fc.nat(2_000) }),
      fc.constant("clear" as const),
      fc.constant("check" as const),
    );
    fc.assert(
      fc.property(
        fc.nat(60),
        fc.integer({ min: 1, max: 400_000 }),
        fc.array(op, { maxLength: 300, size: "max" }),
        (capacity, maxBytes, ops) => {
          const ring = new TraceRing(capacity, maxBytes);
          let model: { seq: number; cost: number; text?: string }[] = [];
          let dropped = 0;
          let seq = 0;
          const check = () => {
            const kept = ring.toArray();
            expect(kept.map((e) => e.seq)).toEqual(model.map((e) => e.seq));
            expect(kept.map((e) => (e.kind === "sip-record" ? e.message : undefined))).toEqual(
              model.map((e) => e.text),
            );
            expect([ring.size, ring.dropped, ring.held]).toEqual([
              model.length,
              dropped,
              model.reduce((sum, e) => sum + e.cost, 0),
            ]);
          };
          for (const o of ops) {
            if (o === "check") {
              check();
              continue;
            }
            if (o === "clear") {
              ring.clear();
              model = [];
              dropped = 0;
              continue;
            }
            seq++;
            const text = o.sip ? String(seq % 10).repeat(o.length) : undefined;
            const cost = (text?.length ?? o.length) + (o.sip ? ENTRY_OVERHEAD : 0);
            if (text !== undefined) ring.pushSip(seq, 0, 0, "in", FLOW, undefined, Buffer.from(text));
            else ring.push(http(seq), cost);
            if (capacity === 0) {
              dropped++;
              continue;
            }
            model.push({ seq, cost, ...(text === undefined ? {} : { text }) });
            const held = () => model.reduce((sum, e) => sum + e.cost, 0);
            while (model.length > capacity || (held() > maxBytes && model.length > 1)) {
              model.shift();
              dropped++;
            }
          }
          check();
        },
      ),
      { numRuns: 150 },
    );
  });

  it("holds its messages in a log at most about twice what it keeps", () => {
    const ring = new TraceRing(100);
    for (let i = 0; i < 20_000; i++)
      ring.pushSip(i, 0, 0, "in", FLOW, undefined, Buffer.alloc(600 + (i % 7) * 100, 65));
    // 100 entries of at most 1,200 bytes: 120 KB kept, so the 64 KiB log doubled twice at most.
    expect(ring.arenaBytes).toBeLessThanOrEqual(256 * 1024);
  });

  it("rejects a negative or fractional capacity and a budget of nothing", () => {
    expect(() => new TraceRing(-1)).toThrow(RangeError);
    expect(() => new TraceRing(1.5)).toThrow(RangeError);
    expect(() => new TraceRing(1, 0)).toThrow(RangeError);
  });
});
