import { SAMPLES_PER_FRAME } from "./codecs.js";
import { encodeG711 } from "./g711.js";

/** The codecs the conference mixer decodes and encodes (G.722 has no decoder here). */
export type MixableCodec = "PCMU" | "PCMA";

export function isMixable(codec: string): codec is MixableCodec {
  return codec === "PCMU" || codec === "PCMA";
}

/** G.711 μ-law to 16-bit linear (the inverse of encodeMuLaw: bias 0x84 = 33 · 4). */
export function decodeMuLaw(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? 0 - magnitude : magnitude;
}

/** G.711 A-law to 16-bit linear: even bits inverted on the line; sign bit 1 is positive. */
export function decodeALaw(code: number): number {
  const a = code ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const step = (a & 0x0f) << 4;
  const magnitude = exponent === 0 ? step + 8 : (step + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

/** One G.711 payload to linear samples. */
export function decodeG711(payload: Uint8Array, law: MixableCodec): Int16Array {
  const decode = law === "PCMU" ? decodeMuLaw : decodeALaw;
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = decode(payload[i]!);
  return out;
}

/**
 * One frame from one codec to another for a bridge of two legs: unchanged when the codecs
 * match, re-encoded between μ-law and A-law; undefined when it cannot be (G.722 ↔ G.711).
 */
export function transcodeFrame(payload: Buffer, from: string, to: string): Buffer | undefined {
  if (from === to) return payload;
  if (!isMixable(from) || !isMixable(to)) return undefined;
  return encodeG711(decodeG711(payload, from), to);
}

/** Clipping to 16 bits: a loud sum saturates instead of wrapping around. */
export function saturate(sample: number): number {
  return sample > 32767 ? 32767 : sample < -32768 ? -32768 : sample;
}

/**
 * The N-1 mix of a conference: each party hears the sum of everyone else (its own voice
 * taken out), saturated. A null frame is a party that sent nothing this tick (silence).
 */
export function mixMinusOwn(
  frames: readonly (Int16Array | null)[],
  length = SAMPLES_PER_FRAME,
): Int16Array[] {
  const total = new Int32Array(length);
  for (const frame of frames) {
    if (!frame) continue;
    for (let i = 0; i < length; i++) total[i]! += frame[i] ?? 0;
  }
  return frames.map((frame) => {
    const out = new Int16Array(length);
    for (let i = 0; i < length; i++) out[i] = saturate(total[i]! - (frame?.[i] ?? 0));
    return out;
  });
}

/** One tick of a conference: each party's received payload (or null) in, its mixed payload out. */
export function mixPayloads(
  parties: readonly { codec: MixableCodec; payload: Uint8Array | null }[],
): Buffer[] {
  const decoded = parties.map((p) => (p.payload ? decodeG711(p.payload, p.codec) : null));
  return mixMinusOwn(decoded).map((samples, i) => encodeG711(samples, parties[i]!.codec));
}
