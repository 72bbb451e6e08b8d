/**
 * ITU-T G.722 sub-band ADPCM encoder, 64 kbit/s mode (mode 1), written from the
 * Recommendation's block description (§3, blocks 1L–4L and 1H–4H). Input: 16 kHz 16-bit
 * linear PCM, two samples per output byte; output: per sample pair one octet
 * `IH (2 bits) | IL (6 bits)`. Integer arithmetic as in the Recommendation, so the output
 * is bit-exact and deterministic.
 */

/** Transmit QMF coefficients h0…h23 (§3.1, Table 11), symmetric. */
const QMF = [
  3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876, 3876, 951, -805, -210, 362, 32, -156, 12, 53,
  -11, -11, 3,
];
/** QUANTL decision levels Q6 (Table 6), in units of DETL / 4096. */
const Q6 = [
  0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219,
  1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
];
/** Six-bit IL for a negative (ILN) or positive (ILP) difference in interval mil (Table 6). */
const ILN = [
  0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7,
  6, 5, 4,
];
const ILP = [
  0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36,
  35, 34, 33, 32,
];
/** INVQAL: the 4-bit (IL >> 2) inverse quantizer QM4 (Table 7). */
const QM4 = [
  0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
];
/** LOGSCL: IL4 magnitude class RIL → multiplier W_L (Table 8). */
const RIL_TO_IL4 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
const WL = [-60, -30, 58, 172, 334, 538, 1198, 3042];
/** SCALEL/SCALEH: ILB, 2^(i/32) in Q11 (Table 10). */
const ILB = [
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960,
  3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];
/** High band: QM2 inverse quantizer and W_H multipliers by IH (Tables 13–15). */
const QM2 = [-7408, -1616, 7408, 1616];
const IH_TO_WH = [798, -214, 798, -214];

/** The adaptive predictor and scale factor of one sub-band (Block 4 and Block 3 state). */
interface Band {
  /** S: predicted signal, SP: pole part, SZ: zero part. */
  s: number;
  sp: number;
  sz: number;
  /** R(n-1), R(n-2): reconstructed signal; P(n-1), P(n-2): partial reconstruction. */
  r1: number;
  r2: number;
  p1: number;
  p2: number;
  /** Pole coefficients A1, A2; zero coefficients B1…B6 and the difference history D1…D6 (index 0 unused). */
  a1: number;
  a2: number;
  readonly b: Int32Array;
  readonly d: Int32Array;
  /** NABL/NABH (log scale factor) and DETL/DETH (scale factor). */
  nb: number;
  det: number;
}

function newBand(det: number): Band {
  return {
    s: 0,
    sp: 0,
    sz: 0,
    r1: 0,
    r2: 0,
    p1: 0,
    p2: 0,
    a1: 0,
    a2: 0,
    b: new Int32Array(7),
    d: new Int32Array(7),
    nb: 0,
    det,
  };
}

/** Saturation to the 16-bit two's complement range (the Recommendation's LIMIT). */
function sat(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/** Block 4: RECONS, PARREC, UPPOL2, UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ, PREDIC. */
function adaptPredictor(band: Band, dq: number): void {
  const r0 = sat(band.s + dq);
  const p0 = sat(band.sz + dq);
  const sg0 = p0 >> 15;
  const sg1 = band.p1 >> 15;
  const sg2 = band.p2 >> 15;

  // UPPOL2: A2 = (1 - 2^-7) A2 - 2^-7·4·A1·sgn(P0 P1) + 2^-7·sgn(P0 P2), |A2| ≤ 0.75.
  const wa1 = sat(band.a1 * 4);
  const wd = Math.min(sg0 === sg1 ? -wa1 : wa1, 32767);
  let a2 = (wd >> 7) + (sg0 === sg2 ? 128 : -128) + ((band.a2 * 32512) >> 15);
  a2 = Math.max(-12288, Math.min(12288, a2));

  // UPPOL1: A1 = (1 - 2^-8) A1 + 3·2^-8 sgn(P0 P1), |A1| ≤ 1 - 2^-4 - A2.
  const limit = sat(15360 - a2);
  let a1 = sat((sg0 === sg1 ? 192 : -192) + ((band.a1 * 32640) >> 15));
  a1 = Math.max(-limit, Math.min(limit, a1));

  // UPZERO on the old history, then DELAYA shifts in DQ, then FILTEZ on the new history.
  const step = dq === 0 ? 0 : 128;
  const sgd = dq >> 15;
  const { b, d } = band;
  let sz = 0;
  for (let i = 6; i > 0; i--) {
    b[i] = sat((d[i]! >> 15 === sgd ? step : -step) + ((b[i]! * 32640) >> 15));
    d[i] = i === 1 ? dq : d[i - 1]!;
    sz += (b[i]! * sat(d[i]! * 2)) >> 15;
  }
  band.sz = sz;
  band.r2 = band.r1;
  band.r1 = r0;
  band.p2 = band.p1;
  band.p1 = p0;
  band.a1 = a1;
  band.a2 = a2;

  // FILTEP and PREDIC.
  band.sp = sat(((a1 * sat(r0 * 2)) >> 15) + ((a2 * sat(band.r2 * 2)) >> 15));
  band.s = sat(band.sp + band.sz);
}

/** Block 3: scale factor from the log scale factor (SCALEL with shift 8, SCALEH with 10). */
function scaleFactor(nb: number, shift: number): number {
  const wd1 = ILB[(nb >> 6) & 31]!;
  const wd2 = shift - (nb >> 11);
  return (wd2 < 0 ? wd1 << -wd2 : wd1 >> wd2) << 2;
}

export class G722Encoder {
  /** QMF delay line, oldest sample first. */
  private readonly history = new Int32Array(24);
  private readonly low = newBand(32);
  private readonly high = newBand(8);

  /** Encodes an even number of samples; returns samples.length / 2 octets. */
  encode(samples: Int16Array): Buffer {
    if (samples.length % 2 !== 0) throw new RangeError("G.722 encodes sample pairs: give an even count");
    const out = Buffer.allocUnsafe(samples.length / 2);
    for (let j = 0; j < samples.length; j += 2) {
      out[j / 2] = this.encodePair(samples[j]!, samples[j + 1]!);
    }
    return out;
  }

  /** A snapshot of the complete encoder state, to detect when a periodic input has settled. */
  stateKey(): string {
    const band = (x: Band): string =>
      [x.s, x.sp, x.sz, x.r1, x.r2, x.p1, x.p2, x.a1, x.a2, x.nb, x.det, ...x.b, ...x.d].join(",");
    return `${this.history.join(",")}|${band(this.low)}|${band(this.high)}`;
  }

  private encodePair(first: number, second: number): number {
    const x = this.history;
    x.copyWithin(0, 2);
    x[22] = first;
    x[23] = second;
    // §3.1: xA sums the taps on even delays from the newest sample, xB those on odd delays.
    let xa = 0;
    let xb = 0;
    for (let k = 0; k < 24; k += 2) {
      xb += x[k]! * QMF[k]!;
      xa += x[k + 1]! * QMF[k + 1]!;
    }
    // The QMF's DC gain is 2^12, one bit for the sum of two filters, one for the 15-bit input.
    const low = this.encodeLow((xa + xb) >> 14);
    const high = this.encodeHigh((xa - xb) >> 14);
    return (high << 6) | low;
  }

  /** Blocks 1L (SUBTRA, QUANTL), 2L (INVQAL), 3L (LOGSCL, SCALEL), 4L. */
  private encodeLow(xl: number): number {
    const band = this.low;
    const el = sat(xl - band.s);
    const wd = el >= 0 ? el : -(el + 1);
    let mil = 1;
    while (mil < 30 && wd >= (Q6[mil]! * band.det) >> 12) mil++;
    const il = el < 0 ? ILN[mil]! : ILP[mil]!;

    // The predictor runs on the 4-bit core of IL, so 48 and 56 kbit/s decoders stay in step.
    const ril = il >> 2;
    const dl = (band.det * QM4[ril]!) >> 15;
    band.nb = Math.max(0, Math.min(18432, ((band.nb * 127) >> 7) + WL[RIL_TO_IL4[ril]!]!));
    band.det = scaleFactor(band.nb, 8);
    adaptPredictor(band, dl);
    return il;
  }

  /** Blocks 1H (SUBTRA, QUANTH), 2H (INVQAH), 3H (LOGSCH, SCALEH), 4H. */
  private encodeHigh(xh: number): number {
    const band = this.high;
    const eh = sat(xh - band.s);
    const wd = eh >= 0 ? eh : -(eh + 1);
    const outer = wd >= (564 * band.det) >> 12;
    const ih = eh < 0 ? (outer ? 0 : 1) : outer ? 2 : 3;

    const dh = (band.det * QM2[ih]!) >> 15;
    band.nb = Math.max(0, Math.min(22528, ((band.nb * 127) >> 7) + IH_TO_WH[ih]!));
    band.det = scaleFactor(band.nb, 10);
    adaptPredictor(band, dh);
    return ih;
  }
}
