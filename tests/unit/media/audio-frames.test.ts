import { describe, expect, it } from "vitest";
import { AudioFrames } from "../../../src/media/audio-frames.js";
import { G722Encoder } from "../../../src/media/g722-encoder.js";

function repeated(cycle: number[], times: number): number[] {
  return new Array(times).fill(cycle).flat();
}

describe("AudioFrames", () => {
  const frames = new AudioFrames();

  it("sends G.711's digital milliwatt as the PCMU tone", () => {
    const frame = frames.frame("PCMU", "tone", 1);
    expect([...frame]).toEqual(repeated([0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e], 20));
  });

  it("sends G.711's digital milliwatt as the PCMA tone", () => {
    const frame = frames.frame("PCMA", "tone", 1);
    expect([...frame]).toEqual(repeated([0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4], 20));
  });

  it("sends codec silence: 0xFF (μ-law) and 0xD5 (A-law)", () => {
    expect([...frames.frame("PCMU", "silence", 1)]).toEqual(new Array(160).fill(0xff));
    expect([...frames.frame("PCMA", "silence", 1)]).toEqual(new Array(160).fill(0xd5));
  });

  it("encodes one G.722 frame per tick, shared by every caller of that tick", () => {
    const shared = new AudioFrames();
    const first = shared.frame("G722", "silence", 7);
    expect(first.length).toBe(160);
    expect(shared.frame("G722", "silence", 7)).toBe(first);
    const second = shared.frame("G722", "silence", 8);
    expect(second).not.toBe(first);
    // The stream is one continuous encoding of zeros.
    const encoder = new G722Encoder();
    expect(first.equals(encoder.encode(new Int16Array(320)))).toBe(true);
    expect(second.equals(encoder.encode(new Int16Array(320)))).toBe(true);
  });

  it("keeps separate G.722 streams for tone and silence", () => {
    const shared = new AudioFrames();
    const silence = shared.frame("G722", "silence", 1);
    const tone = shared.frame("G722", "tone", 1);
    expect(tone.equals(silence)).toBe(false);
    expect(tone.length).toBe(160);
  });
});
