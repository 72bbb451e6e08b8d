/**
 * RFC 3261 §25.1 character classes as bit flags in one lookup table, so every scanner tests a
 * character with a single array read instead of a regular expression.
 */
export const TOKEN = 1;
export const USER = 2;
export const PASSWORD = 4;
export const PARAM = 8;
export const HNV = 16;
export const HOST = 32;
export const WORD = 64;
export const SCHEME = 128;
export const HEX = 256;
export const IPV6 = 512;

export const CHAR_CLASS = new Uint16Array(128);

function mark(chars: string, flags: number): void {
  for (let i = 0; i < chars.length; i++) CHAR_CLASS[chars.charCodeAt(i)]! |= flags;
}

const ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGIT = "0123456789";
const ALPHANUM = ALPHA + DIGIT;
const UNRESERVED = `${ALPHANUM}-_.!~*'()`;

mark(`${ALPHANUM}-.!%*_+\`'~`, TOKEN);
mark(`${UNRESERVED}&=+$,;?/`, USER);
mark(`${UNRESERVED}&=+$,`, PASSWORD);
mark(`${UNRESERVED}[]/:&+$`, PARAM);
mark(`${UNRESERVED}[]/?:+$`, HNV);
// '_' is outside the hostname ABNF but common in real deployments; accepting it costs nothing.
mark(`${ALPHANUM}-._`, HOST);
mark(`${ALPHANUM}-.!%*_+\`'~()<>:\\"/[]?{}`, WORD);
mark(`${ALPHANUM}+-.`, SCHEME);
mark(`${DIGIT}abcdefABCDEF`, HEX);
mark(`${DIGIT}abcdefABCDEF:.`, IPV6);

/** True when every character of `text[start, end)` has `flags`; an empty range is false. */
export function allOf(text: string, flags: number, start = 0, end = text.length): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || (CHAR_CLASS[c]! & flags) === 0) return false;
  }
  return true;
}

export function isToken(text: string): boolean {
  return allOf(text, TOKEN);
}

export function hasClass(code: number, flags: number): boolean {
  return code < 128 && (CHAR_CLASS[code]! & flags) !== 0;
}

/** One or more ASCII digits and nothing else. */
export function isDigits(text: string): boolean {
  if (text === "") return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** SP or HTAB. */
export function isWsp(code: number): boolean {
  return code === 32 || code === 9;
}

/** Strips SP/HTAB at both ends (String#trim would also eat a UTF-8 BOM or NBSP that belongs to the value). */
export function trimWsp(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWsp(text.charCodeAt(start))) start++;
  while (end > start && isWsp(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
