import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteTemplate, type Hole, type HoleFill } from "../../../src/registrar/byte-template.js";

const text =
  'Via: x;branch=z9hG4bKabc;rport\r\nCSeq: 12 REGISTER\r\nAuth: nc=00000001, cnonce="q/w+e"\r\n\r\n';
const bytes = Buffer.from(text, "latin1");

function holeOf(value: string, kind: Hole["kind"], after = 0): Hole {
  const start = text.indexOf(value, after);
  return { start, end: start + value.length, kind };
}

const holes: Hole[] = [
  holeOf("z9hG4bKabc", "token"),
  holeOf("12", "digits"),
  holeOf("00000001", "hex"),
  holeOf("q/w+e", "qdtext"),
];

/** The match as the length taken and each hole's text, or undefined. */
function matchOf(template: ByteTemplate, data: Buffer, start: number) {
  const spans = new Int32Array(2 * template.holes).fill(-1);
  const end = template.match(data, start, spans);
  if (end < 0) return undefined;
  const values = Array.from({ length: template.holes }, (_, i) =>
    data.toString("latin1", spans[2 * i], spans[2 * i + 1]),
  );
  return { length: end - start, values };
}

/** Fills hole `i` with `values[i]` (latin1). */
const textFill = (values: readonly string[]): HoleFill => ({
  length: (i) => values[i]!.length,
  write: (i, out, at) => {
    out.write(values[i]!, at, "latin1");
  },
});

describe("ByteTemplate", () => {
  const template = ByteTemplate.of(bytes, holes)!;

  it("matches its own bytes, giving each hole's text, and renders them back", () => {
    const match = matchOf(template, bytes, 0)!;
    expect(template.holes).toBe(4);
    expect(match).toEqual({ length: bytes.length, values: ["z9hG4bKabc", "12", "00000001", "q/w+e"] });
    expect(template.render(textFill(match.values)).equals(bytes)).toBe(true);
  });

  it("matches at an offset, and only the message there (a second one after it is left)", () => {
    const two = Buffer.concat([Buffer.from("xx"), bytes, bytes]);
    expect(matchOf(template, two, 2)?.length).toBe(bytes.length);
  });

  it("refuses a message cut short, an empty hole, a hole of the wrong class, a changed fixed byte", () => {
    expect(matchOf(template, bytes.subarray(0, bytes.length - 1), 0)).toBeUndefined();
    expect(matchOf(template, Buffer.from(text.replace("CSeq: 12", "CSeq: "), "latin1"), 0)).toBeUndefined();
    expect(matchOf(template, Buffer.from(text.replace("CSeq: 12", "CSeq: 1a"), "latin1"), 0)).toBeUndefined();
    expect(
      matchOf(template, Buffer.from(text.replace('cnonce="q/w+e"', 'cnonce="q w"'), "latin1"), 0),
    ).toBeUndefined();
    expect(matchOf(template, Buffer.from(text.replace("REGISTER", "REGISTEr"), "latin1"), 0)).toBeUndefined();
  });

  it("refuses holes that would make matching ambiguous or do not hold their own content", () => {
    // "12 " then "REGISTER": a digits hole over "1" would run on into the fixed "2".
    expect(
      ByteTemplate.of(bytes, [{ ...holeOf("12", "digits"), end: holeOf("12", "digits").start + 1 }]),
    ).toBe(undefined);
    expect(ByteTemplate.of(bytes, [holeOf("REGISTER", "digits")])).toBeUndefined();
    expect(ByteTemplate.of(bytes, [holeOf("z9hG4bK", "token"), holeOf("abc", "token")])).toBeUndefined();
    // The last byte must be fixed: a hole may not end the template.
    expect(ByteTemplate.of(Buffer.from("a:1"), [{ start: 2, end: 3, kind: "digits" }])).toBeUndefined();
  });

  it("property: any values of the holes' classes render to bytes that match back to those values", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,40}$/);
    const digits = fc.stringMatching(/^[0-9]{1,10}$/);
    const hex = fc.stringMatching(/^[0-9a-fA-F]{1,16}$/);
    const qdtext = fc.stringMatching(/^[!#-[\]-~]{1,30}$/);
    fc.assert(
      fc.property(fc.tuple(token, digits, hex, qdtext), (values) => {
        const rendered = template.render(textFill(values));
        expect(matchOf(template, rendered, 0)).toEqual({ length: rendered.length, values });
      }),
      { numRuns: 500 },
    );
  });

  it("property: a changed fixed byte never matches", () => {
    const fixed = [...bytes.keys()].filter((i) => !holes.some((h) => i >= h.start && i < h.end));
    fc.assert(
      fc.property(fc.constantFrom(...fixed), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const changed = Buffer.from(bytes);
        changed[at] = (changed[at]! + delta) % 256;
        const match = matchOf(template, changed, 0);
        // A byte next to a hole may become part of it only if it is of the hole's class and
        // the fixed run still follows; a fixed run never moves, so the match must fail.
        expect(match).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});
