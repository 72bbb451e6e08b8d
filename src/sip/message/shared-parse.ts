import { detachedString } from "../../shared/detached-string.js";
import { type NameAddr, parseNameAddr } from "./name-addr.js";
import { parseUri, type SipUri } from "./uri.js";

/**
 * Distinct values remembered per memo; past this it starts afresh. Room for the three values
 * of each of 10,000 registered trunks (`npm run bench` registers that many: a memo smaller
 * than the values in use would miss on every message and cost more than parsing).
 */
const MEMO_MAX = 32_768;
/**
 * Longer values are parsed every time, not remembered: with MEMO_MAX this bounds the memos
 * (≈ 25 MB at most, whoever sends the values — they are read before any authentication).
 */
const MAX_SHARED_TEXT = 256;
const nameAddrs = new Map<string, NameAddr>();
const uris = new Map<string, SipUri>();

/**
 * Parses of the values a PBX repeats on every REGISTER refresh (Request-URI, From, To,
 * Contact): the same text yields the same result without parsing again. Remembered results are frozen
 * because every message carrying that text shares them; a caller that wants to change one
 * copies it. Errors are not remembered (the parser throws them afresh).
 */
export function parseNameAddrShared(text: string): NameAddr {
  if (text.length > MAX_SHARED_TEXT) return parseNameAddr(text);
  const known = nameAddrs.get(text);
  if (known !== undefined) return known;
  const own = detachedString(text);
  const parsed = parseNameAddr(own);
  freezeUri(parsed.uri);
  Object.freeze(parsed.params);
  Object.freeze(parsed);
  remember(nameAddrs, own, parsed);
  return parsed;
}

/** `parseUri`, shared by text like `parseNameAddrShared`. */
export function parseUriShared(text: string): SipUri {
  if (text.length > MAX_SHARED_TEXT) return parseUri(text);
  const known = uris.get(text);
  if (known !== undefined) return known;
  const own = detachedString(text);
  const parsed = freezeUri(parseUri(own));
  remember(uris, own, parsed);
  return parsed;
}

function freezeUri(uri: SipUri): SipUri {
  Object.freeze(uri.params);
  Object.freeze(uri.headers);
  return Object.freeze(uri);
}

function remember<T>(memo: Map<string, T>, text: string, value: T): void {
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(text, value);
}
