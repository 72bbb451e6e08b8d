import type { CorruptionMode } from "./fault-rule.js";
import type { RandomSource } from "./seeded-random.js";

const HEADER_END = Buffer.from("\r\n\r\n");

/**
 * A malformed copy of a serialized SIP message:
 * - `start-line`: the first line becomes an unparseable status line (the peer drops the
 *   message or answers 400);
 * - `content-length`: Content-Length claims 100 bytes more than follow, so the peer's
 *   stream framing is lost (RFC 3261 §18.3) and it waits for bytes that never come;
 * - `garble`: random bytes of the header section are overwritten (seeded; the peer may
 *   or may not still parse it).
 */
export function corruptSipBytes(data: Buffer, mode: CorruptionMode, random: RandomSource): Buffer {
  const text = data.toString("latin1");
  switch (mode) {
    case "start-line": {
      const eol = text.indexOf("\r\n");
      return Buffer.from(`SIP/2.0 9x9 Corrupted by fault injection${text.slice(eol)}`, "latin1");
    }
    case "content-length":
      return Buffer.from(
        text.replace(/^(Content-Length|l)[ \t]*:[ \t]*(\d+)/im, (_all, name: string, length: string) => {
          return `${name}: ${Number(length) + 100}`;
        }),
        "latin1",
      );
    case "garble": {
      const out = Buffer.from(data);
      const end = Math.max(1, out.indexOf(HEADER_END));
      const count = Math.max(8, Math.ceil(end / 20));
      for (let i = 0; i < count; i++) {
        out[Math.floor(random() * end)] = 0x80 + Math.floor(random() * 0x80);
      }
      return out;
    }
  }
}
