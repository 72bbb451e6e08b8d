import { detachedString } from "../../shared/detached-string.js";
import { type NameAddr, parseNameAddr } from "./name-addr.js";
import { parseUri, type SipUri } from "./uri.js";

/**
 * Distinct values remembered per memo; past this it starts afresh (a flood of new values
 * costs nothing). Enough for the three values of each of thousands of registered trunks
 * (the bench registers 4,096); an entry holds about 0.5 KB.
 */
const MEMO_MAX = 16_384;
const nameAddrs = new Map<string, NameAddr>();
const uris = new Map<string, SipUri>();

/**
 * Parses of the values a PBX repeats on every REGISTER refresh (Request-URI, From, To,
 * Contact): the same text yields the same result without parsing again. Results are frozen
 * because every message carrying that text shares them; a caller that wants to change one
 * copies it. Errors are not remembered (the parser throws them afresh).
 */
export function parseNameAddrShared(text: string): NameAddr {
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
