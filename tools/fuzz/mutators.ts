import type { Rng } from "../lib/rng.js";

/** One way of damaging a message; gets the bytes and returns new bytes (never mutates in place). */
export interface Mutator {
  readonly name: string;
  /** Whether it only makes sense for SIP text (not STUN). */
  readonly textOnly: boolean;
  apply(input: Buffer, rng: Rng): Buffer;
}

const CRLF = Buffer.from("\r\n");
/** Bytes that have meaning to a SIP parser, picked more often than random ones. */
const INTERESTING = Buffer.from(`\0\r\n\t :;,<>"\\%=@/?[]\x7f\xff\xc3\x80`, "latin1");

function lines(input: Buffer): { headEnd: number; starts: number[] } {
  const text = input.toString("latin1");
  const headEnd = text.indexOf("\r\n\r\n");
  const end = headEnd < 0 ? text.length : headEnd;
  const starts: number[] = [];
  let at = text.indexOf("\r\n");
  while (at >= 0 && at < end) {
    starts.push(at + 2);
    at = text.indexOf("\r\n", at + 2);
  }
  return { headEnd: end, starts };
}

/** A header line (start, end excluding CRLF), or undefined for a message without headers. */
function pickHeaderLine(input: Buffer, rng: Rng): { start: number; end: number } | undefined {
  const { headEnd, starts } = lines(input);
  const candidates = starts.filter((s) => s < headEnd);
  if (candidates.length === 0) return undefined;
  const start = rng.pick(candidates);
  const eol = input.indexOf(CRLF, start);
  return { start, end: eol < 0 ? input.length : eol };
}

function splice(input: Buffer, at: number, remove: number, insert: Buffer | string): Buffer {
  const add = typeof insert === "string" ? Buffer.from(insert, "latin1") : insert;
  return Buffer.concat([input.subarray(0, at), add, input.subarray(at + remove)]);
}

function insertHeader(input: Buffer, rng: Rng, line: string): Buffer {
  const { starts, headEnd } = lines(input);
  const candidates = starts.filter((s) => s <= headEnd + 2);
  const at = candidates.length > 0 ? rng.pick(candidates) : 0;
  return splice(input, at, 0, `${line}\r\n`);
}

function interestingByte(rng: Rng): number {
  return rng.chance(0.6) ? INTERESTING[rng.int(INTERESTING.length)]! : rng.int(256);
}

function repeat(unit: string, times: number): string {
  return unit.repeat(Math.max(0, times));
}

/** Content-Length values that have broken parsers before. */
const LENGTHS = [
  "-1",
  "-0",
  "99999999999999999999",
  "9007199254740993",
  "4294967296",
  "2147483648",
  "1e3",
  "0x10",
  " 1 2",
  "",
  "+5",
  "00000000000000000000000000005",
  "1.5",
  "NaN",
  "Infinity",
];

export const MUTATORS: readonly Mutator[] = [
  {
    name: "bit-flip",
    textOnly: false,
    apply(input, rng) {
      if (input.length === 0) return input;
      const out = Buffer.from(input);
      for (let n = rng.range(1, 8); n > 0; n--) out[rng.int(out.length)]! ^= 1 << rng.int(8);
      return out;
    },
  },
  {
    name: "byte-insert",
    textOnly: false,
    apply(input, rng) {
      const count = rng.range(1, 16);
      const bytes = Buffer.alloc(count);
      for (let i = 0; i < count; i++) bytes[i] = interestingByte(rng);
      return splice(input, rng.int(input.length + 1), 0, bytes);
    },
  },
  {
    name: "byte-delete",
    textOnly: false,
    apply(input, rng) {
      if (input.length === 0) return input;
      const at = rng.int(input.length);
      return splice(input, at, rng.range(1, Math.min(64, input.length - at)), "");
    },
  },
  {
    name: "truncate",
    textOnly: false,
    apply(input, rng) {
      return input.subarray(0, rng.int(input.length + 1));
    },
  },
  {
    name: "header-duplicate",
    textOnly: true,
    apply(input, rng) {
      const line = pickHeaderLine(input, rng);
      if (!line) return input;
      const copy = input.subarray(line.start, line.end).toString("latin1");
      const times = rng.pick([1, 2, 10, 100, 500]);
      return splice(input, line.start, 0, repeat(`${copy}\r\n`, times));
    },
  },
  {
    name: "content-length",
    textOnly: true,
    apply(input, rng) {
      const value = rng.chance(0.8) ? rng.pick(LENGTHS) : String(rng.range(0, 70_000));
      const text = input.toString("latin1");
      const m = /\r\n(Content-Length|l)[ \t]*:[^\r\n]*/i.exec(text);
      if (m && rng.chance(0.7))
        return splice(input, m.index + 2, m[0].length - 2, `Content-Length: ${value}`);
      return insertHeader(input, rng, `${rng.pick(["Content-Length", "l", "content-length"])}: ${value}`);
    },
  },
  {
    name: "nul",
    textOnly: false,
    apply(input, rng) {
      let out = input;
      for (let n = rng.range(1, 4); n > 0; n--) {
        out = splice(out, rng.int(out.length + 1), rng.chance(0.3) ? 1 : 0, Buffer.alloc(rng.range(1, 3)));
      }
      return out;
    },
  },
  {
    name: "long-line",
    textOnly: true,
    apply(input, rng) {
      const size = rng.pick([1024, 8192, 65_000, 70_000, 200_000]);
      const filler = rng.pick(["a", "%41", " ", "\t", ",", ";", "x=y;"]);
      const body = repeat(filler, Math.ceil(size / filler.length)).slice(0, size);
      switch (rng.int(4)) {
        case 0:
          return insertHeader(input, rng, `X-Long: ${body}`);
        case 1:
          return insertHeader(input, rng, `${repeat("X", size)}: v`);
        case 2: {
          const space = input.indexOf(32);
          return space < 0 ? input : splice(input, space + 1, 0, `sip:${body}@`);
        }
        default: {
          const line = pickHeaderLine(input, rng);
          return line ? splice(input, line.end, 0, body) : input;
        }
      }
    },
  },
  {
    name: "deep-nesting",
    textOnly: true,
    apply(input, rng) {
      const depth = rng.pick([50, 500, 5000, 20_000]);
      switch (rng.int(6)) {
        case 0:
          return insertHeader(
            input,
            rng,
            `Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1${repeat(";p=v", depth)}`,
          );
        case 1:
          return insertHeader(input, rng, `Route: ${repeat("<sip:a@b;lr>,", depth)}<sip:c@d>`);
        case 2:
          return insertHeader(input, rng, `From: ${repeat('"\\"', depth)} <sip:a@b>;tag=1`);
        case 3:
          return insertHeader(input, rng, `Contact: ${repeat("<", depth)}sip:a@b${repeat(">", depth)}`);
        case 4:
          return insertHeader(input, rng, `To: "${repeat("(", depth)}" <sip:a@b${repeat(";x", depth)}>`);
        default:
          return insertHeader(input, rng, `Via: ${repeat("SIP/2.0/TLS h:1;branch=z9hG4bKx,", depth)}a`);
      }
    },
  },
  {
    name: "crlf-games",
    textOnly: true,
    apply(input, rng) {
      const text = input.toString("latin1");
      switch (rng.int(7)) {
        case 0:
          return Buffer.from(text.replaceAll("\r\n", "\n"), "latin1");
        case 1:
          return Buffer.from(text.replaceAll("\r\n", "\r"), "latin1");
        case 2:
          return Buffer.concat([Buffer.from(repeat("\r\n", rng.range(1, 50))), input]);
        case 3: {
          // A header line folded onto the next (obsolete line folding, RFC 3261 §7.3.1).
          const line = pickHeaderLine(input, rng);
          return line ? splice(input, line.end + 2, 0, rng.pick([" ", "\t", "  \t"])) : input;
        }
        case 4: {
          const line = pickHeaderLine(input, rng);
          return line ? splice(input, line.end, 0, "\r\n") : input;
        }
        case 5:
          return Buffer.from(text.replace("\r\n\r\n", "\r\n"), "latin1");
        default:
          return splice(input, rng.int(input.length + 1), 0, rng.pick(["\r\n\r\n", "\r", "\n", "\r\r\n"]));
      }
    },
  },
  {
    name: "token-swap",
    textOnly: true,
    apply(input, rng) {
      const text = input.toString("latin1");
      const swaps: Array<[RegExp, string[]]> = [
        [
          /^[A-Z]+/,
          ["INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "NOTIFY", "REFER", "FOO", "", "invite"],
        ],
        [/SIP\/2\.0/, ["SIP/3.0", "SIP/2.00", "SIP/", "sip/2.0", "HTTP/1.1", "SIP/2.0/"]],
        [
          /CSeq:[^\r\n]*/i,
          ["CSeq: 4294967296 INVITE", "CSeq: -1 REGISTER", "CSeq: 1", "CSeq:  BYE", "CSeq: 1 ACK"],
        ],
        [
          /Max-Forwards:[^\r\n]*/i,
          ["Max-Forwards: 0", "Max-Forwards: -1", "Max-Forwards: 256", "Max-Forwards: x"],
        ],
        [/Expires:[^\r\n]*/i, ["Expires: 0", "Expires: -5", "Expires: 99999999999", "Expires: 1"]],
        [/sips?:/, ["tel:", "sip:", "sips:", "http:", ":", "sip:@"]],
        [
          /Content-Type:[^\r\n]*/i,
          ["Content-Type: multipart/mixed;boundary=x", "Content-Type: ;", "Content-Type: a/b/c"],
        ],
      ];
      const [pattern, choices] = rng.pick(swaps);
      return Buffer.from(text.replace(pattern, rng.pick(choices)), "latin1");
    },
  },
];

/** Splices two inputs (the head of one, the tail of the other). */
export function crossOver(a: Buffer, b: Buffer, rng: Rng): Buffer {
  return Buffer.concat([a.subarray(0, rng.int(a.length + 1)), b.subarray(rng.int(b.length + 1))]);
}

/** Applies 1–3 mutators; the names say what was done (for the reproducer file). */
export function mutate(input: Buffer, rng: Rng, text: boolean): { bytes: Buffer; steps: string[] } {
  const usable = MUTATORS.filter((m) => text || !m.textOnly);
  let bytes = input;
  const steps: string[] = [];
  for (let n = rng.range(1, 3); n > 0; n--) {
    const mutator = rng.pick(usable);
    bytes = mutator.apply(bytes, rng);
    steps.push(mutator.name);
  }
  return { bytes, steps };
}
