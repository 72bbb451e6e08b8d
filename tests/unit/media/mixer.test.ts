import { describe, expect, it } from "vitest";
import { encodeALaw, encodeG711, encodeMuLaw } from "../../../src/media/g711.js";
import { MediaTicker } from "../../../src/media/media-ticker.js";
import {
  decodeALaw,
  decodeG711,
  decodeMuLaw,
  mixMinusOwn,
  mixPayloads,
  saturate,
} from "../../../src/media/mixer.js";
import { ConferenceMixer } from "../../../src/media/mixer-conference.js";

describe("G.711 decoding", () => {
  it("decodes μ-law silence, extremes and the sign", () => {
    expect(decodeMuLaw(0xff)).toBe(0);
    expect(decodeMuLaw(0x80)).toBe(32124);
    expect(decodeMuLaw(0x00)).toBe(-32124);
    expect(decodeMuLaw(0x7f)).toBe(0);
  });

  it("decodes A-law silence and extremes", () => {
    expect(decodeALaw(0xd5)).toBe(8);
    expect(decodeALaw(0x55)).toBe(-8);
    expect(decodeALaw(0xaa)).toBe(32256);
    expect(decodeALaw(0x2a)).toBe(-32256);
  });

  it("every code survives decode → encode (both laws)", () => {
    for (let code = 0; code < 256; code++) {
      expect(encodeALaw(decodeALaw(code))).toBe(code);
      // μ-law has two zeros (0xFF, 0x7F); the encoder writes +0.
      if (code !== 0x7f) expect(encodeMuLaw(decodeMuLaw(code))).toBe(code);
    }
  });

  it("decodes within one quantisation step of the encoded value", () => {
    for (const sample of [-30000, -1000, -100, 0, 50, 700, 12345, 32000]) {
      const mu = decodeMuLaw(encodeMuLaw(sample));
      const a = decodeALaw(encodeALaw(sample));
      expect(Math.abs(mu - sample)).toBeLessThanOrEqual(Math.max(8, Math.abs(sample) / 16));
      expect(Math.abs(a - sample)).toBeLessThanOrEqual(Math.max(16, Math.abs(sample) / 16));
    }
  });
});

describe("the N-1 mix", () => {
  it("each party hears the sum of the others, not itself", () => {
    const a = Int16Array.from([100, -200, 0]);
    const b = Int16Array.from([10, 20, 30]);
    const c = Int16Array.from([1, 2, 3]);
    const [forA, forB, forC] = mixMinusOwn([a, b, c], 3);
    expect([...forA!]).toEqual([11, 22, 33]);
    expect([...forB!]).toEqual([101, -198, 3]);
    expect([...forC!]).toEqual([110, -180, 30]);
  });

  it("a party that sent nothing adds silence and hears the others", () => {
    const a = Int16Array.from([5, 5]);
    const [forA, forSilent] = mixMinusOwn([a, null], 2);
    expect([...forA!]).toEqual([0, 0]);
    expect([...forSilent!]).toEqual([5, 5]);
  });

  it("saturates instead of wrapping around", () => {
    expect(saturate(40000)).toBe(32767);
    expect(saturate(-40000)).toBe(-32768);
    const loud = Int16Array.from([30000, -30000]);
    const [, , forC] = mixMinusOwn([loud, loud, null], 2);
    expect([...forC!]).toEqual([32767, -32768]);
  });

  it("mixes payloads across codecs: a μ-law party hears an A-law party's tone", () => {
    const tone = Int16Array.from({ length: 160 }, (_, n) =>
      Math.round(8000 * Math.sin((2 * Math.PI * n) / 8)),
    );
    const [forMu, forA] = mixPayloads([
      { codec: "PCMU", payload: null },
      { codec: "PCMA", payload: encodeG711(tone, "PCMA") },
    ]);
    expect(forMu).toHaveLength(160);
    const heard = decodeG711(forMu!, "PCMU");
    for (let n = 0; n < 160; n++) expect(Math.abs(heard[n]! - tone[n]!)).toBeLessThan(600);
    // The A-law party hears only the silent one.
    expect([...decodeG711(forA!, "PCMA")].every((s) => Math.abs(s) <= 8)).toBe(true);
  });
});

describe("ConferenceMixer", () => {
  it("sends every party one mixed frame per ticker step, its own frame taken out", () => {
    let now = 0;
    const ticker = new MediaTicker({ now: () => now });
    const mixer = new ConferenceMixer(ticker);
    const sent: Record<string, Buffer[]> = { a: [], b: [], c: [] };
    for (const id of ["a", "b", "c"] as const)
      mixer.add(id, { codec: "PCMU", send: (p) => sent[id]!.push(p) });
    const frame = (level: number) => encodeG711(new Int16Array(160).fill(level), "PCMU");
    mixer.push("a", frame(1000));
    mixer.push("b", frame(2000));
    now = 20;
    ticker.poll();
    const level = (p: Buffer) => decodeMuLaw(p[0]!);
    expect(sent.a!.map(level)).toEqual([decodeMuLaw(encodeMuLaw(decodeMuLaw(frame(2000)[0]!)))]);
    expect(Math.abs(level(sent.c![0]!) - 3000)).toBeLessThan(200);
    expect(Math.abs(level(sent.b![0]!) - 1000)).toBeLessThan(100);
    mixer.close();
    expect(ticker.running).toBe(false);
  });
});
