/**
 * ITU-T G.711 encoders for 16-bit linear PCM. The Recommendation works on 14-bit
 * (μ-law) and 13-bit (A-law) magnitudes; a 16-bit sample is scaled down to that first.
 * Both laws are 8 segments of 16 steps; the code is sign, segment and step, with the
 * bit inversions of G.711 Tables 2a/2b (μ-law: all bits, A-law: even bits, mask 0x55).
 */

/** μ-law: the 14-bit magnitude plus the bias 33 lies in segment s when it is below 64 << s. */
const MU_LAW_BIAS = 33;
const MU_LAW_MAX = 8158;

export function encodeMuLaw(sample: number): number {
  const magnitude14 = Math.min(Math.abs(sample) >> 2, MU_LAW_MAX);
  const sign = sample < 0 ? 0x00 : 0x80;
  const biased = magnitude14 + MU_LAW_BIAS;
  let segment = 0;
  while (segment < 7 && biased >= 64 << segment) segment++;
  const step = (biased >> (segment + 1)) & 0x0f;
  // G.711 §3.2: the character is sent with every bit inverted; positive values have bit 1 = 1.
  return (sign | (~((segment << 4) | step) & 0x7f)) & 0xff;
}

/** A-law: segment 0 and 1 both step by 2 (13-bit units); segment s ≥ 1 starts at 16 << s. */
export function encodeALaw(sample: number): number {
  // The 13-bit magnitude of a negative sample is |x| - 1 in the Recommendation's tables.
  const magnitude13 = sample >= 0 ? sample >> 3 : (-sample - 1) >> 3;
  const sign = sample >= 0 ? 0x80 : 0x00;
  // A 16-bit sample gives at most 4095, the top of segment 7: no clipping is needed.
  let segment = 0;
  while (segment < 7 && magnitude13 >= 32 << segment) segment++;
  const step = segment < 2 ? (magnitude13 >> 1) & 0x0f : (magnitude13 >> segment) & 0x0f;
  // G.711 §3.1 Table 1a: even bits are inverted on the line (mask 0x55).
  return (sign | (segment << 4) | step) ^ 0x55;
}

/** Encodes 16-bit linear samples into one G.711 byte each. */
export function encodeG711(samples: Int16Array, law: "PCMU" | "PCMA"): Buffer {
  const encode = law === "PCMU" ? encodeMuLaw : encodeALaw;
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encode(samples[i]!);
  return out;
}
