import { describe, expect, it } from "vitest";
import { encodeALaw, encodeG711, encodeMuLaw } from "../../../src/media/g711.js";

describe("G.711 μ-law", () => {
  it("encodes zero as 0xFF and the extremes as 0x80 / 0x00", () => {
    expect(encodeMuLaw(0)).toBe(0xff);
    expect(encodeMuLaw(32767)).toBe(0x80);
    expect(encodeMuLaw(-32768)).toBe(0x00);
    expect(encodeMuLaw(-1)).toBe(0x7f);
  });

  it("switches segment where the biased 14-bit magnitude reaches 64 (segment 0 → 1)", () => {
    // 14-bit magnitude 30 + bias 33 = 63: segment 0, step 15; 31 + 33 = 64: segment 1, step 0.
    expect(encodeMuLaw(30 * 4)).toBe(0xf0);
    expect(encodeMuLaw(31 * 4)).toBe(0xef);
    expect(encodeMuLaw(-31 * 4)).toBe(0x6f);
  });

  it("clips beyond the top of segment 7", () => {
    expect(encodeMuLaw(32635)).toBe(0x80);
    expect(encodeMuLaw(30000)).not.toBe(0x80);
  });

  it("is monotonic: a larger input never gives a smaller magnitude code", () => {
    let previous = -1;
    for (let x = 0; x <= 32767; x += 7) {
      const magnitude = ~encodeMuLaw(x) & 0x7f;
      expect(magnitude).toBeGreaterThanOrEqual(previous);
      previous = magnitude;
    }
  });
});

describe("G.711 A-law", () => {
  it("encodes zero as 0xD5 and the extremes as 0xAA / 0x2A", () => {
    expect(encodeALaw(0)).toBe(0xd5);
    expect(encodeALaw(32767)).toBe(0xaa);
    expect(encodeALaw(-32768)).toBe(0x2a);
    expect(encodeALaw(-1)).toBe(0x55);
  });

  it("keeps the step of 2 through segment 1 and halves resolution from segment 2", () => {
    // 13-bit 31: segment 0, step 15; 32: segment 1, step 0; 64: segment 2, step 0.
    expect(encodeALaw(31 * 8)).toBe(0x0f ^ 0xd5);
    expect(encodeALaw(32 * 8)).toBe(0x10 ^ 0xd5);
    expect(encodeALaw(64 * 8)).toBe(0x20 ^ 0xd5);
  });

  it("is monotonic on the positive side", () => {
    let previous = -1;
    for (let x = 0; x <= 32767; x += 7) {
      const magnitude = (encodeALaw(x) ^ 0xd5) & 0x7f;
      expect(magnitude).toBeGreaterThanOrEqual(previous);
      previous = magnitude;
    }
  });
});

describe("encodeG711", () => {
  it("encodes one byte per sample with the chosen law", () => {
    const samples = Int16Array.from([0, 32767, -32768]);
    expect([...encodeG711(samples, "PCMU")]).toEqual([0xff, 0x80, 0x00]);
    expect([...encodeG711(samples, "PCMA")]).toEqual([0xd5, 0xaa, 0x2a]);
  });
});
