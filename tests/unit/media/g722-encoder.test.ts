import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { G722Encoder } from "../../../src/media/g722-encoder.js";

/** One second at 16 kHz of the emulator's tone: 1 kHz, 0 dBm0 (μ-law), phase 9π/8. */
function tone(): Int16Array {
  const amplitude = (8159 * 4) / 10 ** (3.17 / 20);
  return new Int16Array(16000).map((_, n) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * 1000 * n) / 16000 + (9 * Math.PI) / 8)),
  );
}

/** Full-range pseudo-random samples (a fixed linear congruential generator). */
function noise(): Int16Array {
  let seed = 1;
  return new Int16Array(16000).map(() => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed % 65536) - 32768;
  });
}

function hex(bytes: Uint8Array): number[] {
  return [...bytes];
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/*
 * Expected values: the first octets and the SHA-256 of one second of output, produced by an
 * independent C implementation of the same G.722 encoder (the public-domain spandsp
 * g722_encode.c algorithm, compiled locally and fed the same samples).
 */
describe("G722Encoder (64 kbit/s)", () => {
  it("encodes zeros from the reset state as 0xFA (IH = 3, IL = 58)", () => {
    // By hand: EL = 0 lies below Q6[4]·DETL/4096 = 150·32/4096 = 1, so mil = 4 → ILP = 58;
    // EH = 0 lies below 564·DETH/4096 = 1, so mih = 1 → IH = 3. Octet 3 << 6 | 58 = 0xFA.
    const out = new G722Encoder().encode(new Int16Array(24));
    expect(hex(out)).toEqual(new Array(12).fill(0xfa));
  });

  it("matches the reference output for one second of zeros", () => {
    const out = new G722Encoder().encode(new Int16Array(16000));
    expect(out.length).toBe(8000);
    expect(hex(out.subarray(-4))).toEqual([0xf8, 0xfb, 0xf8, 0xdc]);
    expect(sha256(out)).toBe("9c0b9b2330c2fa6b38a5799a186bfcec138aa6445a5c4dd2d5e44b70897271c7");
  });

  it("matches the reference output for the 1 kHz tone", () => {
    const out = new G722Encoder().encode(tone());
    expect(hex(out.subarray(0, 12))).toEqual([
      0x34, 0x8e, 0x20, 0x84, 0xa0, 0x84, 0x04, 0x84, 0x0a, 0xf0, 0xe2, 0xe1,
    ]);
    expect(hex(out.subarray(-4))).toEqual([0xd6, 0x5d, 0xbe, 0xee]);
    expect(sha256(out)).toBe("028001fc221bdf8cbea4a900211f76bc452067a493b415007b6868f8eefd55d2");
  });

  it("matches the reference output for full-range noise (saturation paths)", () => {
    const out = new G722Encoder().encode(noise());
    expect(hex(out.subarray(0, 12))).toEqual([
      0xb4, 0x0e, 0x38, 0xa0, 0x06, 0xa1, 0xa0, 0xa0, 0x24, 0xb0, 0xb7, 0x23,
    ]);
    expect(sha256(out)).toBe("837cde1ebc956209b739745535373eeac49ccbed310cf8b06b7dbcd97dfe6cae");
  });

  it("is deterministic and keeps its state across calls", () => {
    const input = tone();
    const whole = new G722Encoder().encode(input);
    const split = new G722Encoder();
    const parts = Buffer.concat([split.encode(input.subarray(0, 320)), split.encode(input.subarray(320))]);
    expect(parts.equals(whole)).toBe(true);
    expect(new G722Encoder().encode(input).equals(whole)).toBe(true);
  });

  it("refuses an odd sample count", () => {
    expect(() => new G722Encoder().encode(new Int16Array(3))).toThrow(RangeError);
  });
});
