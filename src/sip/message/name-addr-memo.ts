import { type NameAddr, parseNameAddr } from "./name-addr.js";

/** Distinct values remembered; past this the memo starts afresh (a flood of new values costs nothing). */
const MEMO_MAX = 4096;
const memo = new Map<string, NameAddr>();

/**
 * `parseNameAddr` for the From, To and Contact values a PBX repeats on every REGISTER
 * refresh: the same text yields the same (frozen) result without parsing again. Frozen
 * because it is shared by every message carrying that text; a caller that wants to
 * change one copies it. Errors are not remembered (the parser throws them afresh).
 */
export function parseNameAddrShared(text: string): NameAddr {
  const known = memo.get(text);
  if (known !== undefined) return known;
  const parsed = parseNameAddr(text);
  Object.freeze(parsed.params);
  Object.freeze(parsed.uri.params);
  Object.freeze(parsed.uri.headers);
  Object.freeze(parsed.uri);
  Object.freeze(parsed);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(text, parsed);
  return parsed;
}
