import { CHAR_CLASS, HEX } from "./char-classes.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function hexValue(code: number): number {
  return code <= 57 ? code - 48 : (code | 32) - 87;
}

/**
 * Length of a valid run of `flags` characters and %HH escapes starting at `start` and stopping
 * at the first character outside the class; -1 when a '%' is not followed by two hex digits.
 */
export function scanEscaped(text: string, start: number, end: number, flags: number): number {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 37) {
      const h1 = text.charCodeAt(i + 1);
      const h2 = text.charCodeAt(i + 2);
      if (i + 2 >= end || h1 > 127 || h2 > 127 || !(CHAR_CLASS[h1]! & HEX) || !(CHAR_CLASS[h2]! & HEX)) {
        return -1;
      }
      i += 3;
    } else if (c < 128 && CHAR_CLASS[c]! & flags) {
      i++;
    } else {
      break;
    }
  }
  return i - start;
}

/**
 * Decodes %HH escapes (already validated by scanEscaped). Escaped octets are read as UTF-8;
 * octets that are not valid UTF-8 map one-to-one to U+0000–U+00FF so distinct URIs stay distinct.
 */
export function percentDecode(text: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37) {
      bytes.push(hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2)));
      i += 2;
    } else {
      bytes.push(c);
    }
  }
  const buffer = Uint8Array.from(bytes);
  try {
    return utf8.decode(buffer);
  } catch {
    return Buffer.from(buffer.buffer, 0, buffer.length).toString("latin1");
  }
}

/** Escapes every character outside `flags` (and '%' itself) as UTF-8 %HH. */
export function percentEncode(text: string, flags: number): string {
  let clean = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37 || c > 127 || !(CHAR_CLASS[c]! & flags)) {
      clean = false;
      break;
    }
  }
  if (clean) return text;
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    out +=
      byte !== 37 && byte < 128 && CHAR_CLASS[byte]! & flags
        ? String.fromCharCode(byte)
        : `%${byte < 16 ? "0" : ""}${byte.toString(16).toUpperCase()}`;
  }
  return out;
}
