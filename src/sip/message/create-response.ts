import { type HeaderEntry, Headers, headerEntries } from "./headers.js";
import type { SipRequest } from "./message.js";
import { SipResponse } from "./message.js";
import { reasonPhrase } from "./reason-phrases.js";
import { SipParseError } from "./sip-parse-error.js";

/** Whether the request's (first) To has a tag; the parsed To is usually cached already. */
function hasTag(request: SipRequest): boolean {
  try {
    return request.to.params.tag !== undefined;
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    return true;
  }
}

/**
 * RFC 3261 §8.2.6.2: a response copying every Via, From, To, Call-ID and CSeq of `request`.
 * Values are copied raw (the first line of each single-valued field), so this also works on
 * the `partial` request of a SipParseError. `toTag` is added when To has no tag (an
 * unparseable To is copied unchanged).
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string,
  toTag?: string,
): SipResponse {
  const headers = new Headers();
  const entries = headerEntries(headers);
  const taken = new Set<string>();
  for (const entry of headerEntries(request.headers)) {
    const key = entry.key;
    if (key === "via") {
      entries.push(copy(entry, entry.value));
    } else if ((key === "from" || key === "to" || key === "call-id" || key === "cseq") && !taken.has(key)) {
      taken.add(key);
      const value =
        key === "to" && toTag !== undefined && !hasTag(request) ? `${entry.value};tag=${toTag}` : entry.value;
      entries.push(copy(entry, value));
    }
  }
  entries.push({ key: "content-length", name: "Content-Length", value: "0", raw: undefined });
  return new SipResponse(status, reason ?? reasonPhrase(status), headers);
}

function copy(entry: HeaderEntry, value: string): HeaderEntry {
  return { key: entry.key, name: entry.name, value, raw: undefined };
}
