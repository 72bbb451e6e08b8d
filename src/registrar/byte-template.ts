/**
 * What may fill a hole of a ByteTemplate: the longest run (at least one byte) of
 * - `token`: RFC 3261 token characters (a Via branch, a tag);
 * - `digits`: 0-9 (a CSeq number, an expires value);
 * - `hex`: 0-9, a-f, A-F (a nonce count, a digest response);
 * - `qdtext`: printable ASCII but space, `"` and `\` (the inside of a quoted nonce or cnonce);
 * - `visible`: printable ASCII but space (a Call-ID, RFC 3261 §25.1 `word ["@" word]`);
 * - `text`: printable ASCII with space (an HTTP date).
 */
export type HoleKind = "token" | "digits" | "hex" | "qdtext" | "visible" | "text";

export interface Hole {
  readonly start: number;
  readonly end: number;
  readonly kind: HoleKind;
}

/** Writes the value of each hole into a rendered template (no string per value needed). */
export interface HoleFill {
  /** Bytes the value of hole `hole` takes. */
  length(hole: number): number;
  /** Writes the value of hole `hole` at `out[at…]`, `length(hole)` bytes. */
  write(hole: number, out: Buffer, at: number): void;
}

const CLASSES: Readonly<Record<HoleKind, Uint8Array>> = {
  token: byteClass((c) => isAlnum(c) || "-.!%*_+`'~".includes(String.fromCharCode(c))),
  digits: byteClass((c) => c >= 0x30 && c <= 0x39),
  hex: byteClass((c) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)),
  qdtext: byteClass((c) => c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c),
  visible: byteClass((c) => c > 0x20 && c < 0x7f),
  text: byteClass((c) => c >= 0x20 && c < 0x7f),
};

/**
 * Bytes with holes: fixed runs, and between them fields whose extent a byte class gives.
 * A message matches when it equals the fixed runs byte for byte and each hole holds a
 * non-empty run of its class. Matching is unambiguous because no fixed run after a hole
 * may start with a byte of the hole's class (`of` refuses such a template).
 */
export class ByteTemplate {
  private constructor(
    private readonly fixed: readonly Buffer[],
    private readonly classes: readonly Uint8Array[],
    private readonly fixedLength: number,
  ) {}

  /**
   * The template of `bytes` with `holes` (sorted, apart): undefined when a hole's own content
   * is not of its class, is empty, or runs on into the next fixed byte.
   */
  static of(bytes: Buffer, holes: readonly Hole[]): ByteTemplate | undefined {
    const fixed: Buffer[] = [];
    const classes: Uint8Array[] = [];
    let at = 0;
    let fixedLength = 0;
    for (const hole of holes) {
      const cls = CLASSES[hole.kind];
      if (hole.start < at || hole.end <= hole.start || hole.end >= bytes.length) return undefined;
      if (scan(bytes, hole.start, cls) !== hole.end) return undefined;
      // The next fixed byte ends the hole; a following hole would make the split ambiguous.
      if (holes.some((h) => h.start === hole.end)) return undefined;
      fixed.push(bytes.subarray(at, hole.start));
      fixedLength += hole.start - at;
      classes.push(cls);
      at = hole.end;
    }
    fixed.push(bytes.subarray(at));
    fixedLength += bytes.length - at;
    return new ByteTemplate(fixed, classes, fixedLength);
  }

  /** Holes in the template. */
  get holes(): number {
    return this.classes.length;
  }

  /**
   * Whether the message at `data[start…]` is this template but in its holes: then the index
   * where it ends, with hole `i` at `data[spans[2i], spans[2i + 1])`; else -1. Nothing is
   * allocated: `spans` (2 × holes long) is the caller's.
   */
  match(data: Buffer, start: number, spans: Int32Array): number {
    const fixed = this.fixed;
    let at = start;
    for (let i = 0; i < fixed.length; i++) {
      const run = fixed[i]!;
      const end = at + run.length;
      if (end > data.length || data.compare(run, 0, run.length, at, end) !== 0) return -1;
      at = end;
      const cls = this.classes[i];
      if (cls === undefined) break;
      const holeEnd = scan(data, at, cls);
      if (holeEnd === at) return -1;
      spans[2 * i] = at;
      spans[2 * i + 1] = holeEnd;
      at = holeEnd;
    }
    return at;
  }

  /** The template's bytes with each hole filled by `fill`. */
  render(fill: HoleFill): Buffer {
    const holes = this.classes.length;
    let length = this.fixedLength;
    for (let i = 0; i < holes; i++) length += fill.length(i);
    const out = Buffer.allocUnsafe(length);
    let at = 0;
    const fixed = this.fixed;
    for (let i = 0; i < fixed.length; i++) {
      at += fixed[i]!.copy(out, at);
      if (i < holes) {
        fill.write(i, out, at);
        at += fill.length(i);
      }
    }
    return out;
  }
}

/** The index after the run of `cls` bytes starting at `at`. */
function scan(data: Buffer, at: number, cls: Uint8Array): number {
  while (at < data.length && cls[data[at]!] === 1) at++;
  return at;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function byteClass(test: (c: number) => boolean): Uint8Array {
  const table = new Uint8Array(256);
  for (let c = 0; c < 256; c++) table[c] = test(c) ? 1 : 0;
  return table;
}
