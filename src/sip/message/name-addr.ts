import { hasClass, isWsp, TOKEN } from "./char-classes.js";
import { formatParams } from "./format-params.js";
import { Scanner } from "./scanner.js";
import { badRequest, type SipParseError } from "./sip-parse-error.js";
import { formatUri, parseUri, type SipUri } from "./uri.js";

/**
 * From / To / Contact / Route style value. `displayName` is unquoted (quoted-pairs decoded);
 * `params` are the header parameters (tag, expires, q...), not the URI's.
 */
export interface NameAddr {
  displayName?: string;
  uri: SipUri;
  params: Record<string, string | null>;
}

function nameAddrError(detail: string): SipParseError {
  return badRequest(`invalid address (${detail})`, "SIP_ERR_NAME_ADDR");
}

/** Parses a name-addr or an addr-spec followed by header parameters (RFC 3261 §20.10). */
export function parseNameAddr(text: string): NameAddr {
  const s = new Scanner(text, nameAddrError);
  s.skipLws();
  let displayName: string | undefined;
  let uri: SipUri;
  if (s.peek() === 34) {
    displayName = s.readQuoted();
    s.skipLws();
    if (s.peek() !== 60) throw nameAddrError("expected '<' after display name");
  } else if (s.peek() !== 60) {
    let j = s.pos;
    while (hasClass(text.charCodeAt(j), TOKEN) || isWsp(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 60) {
      // RFC 3261 §25.1: display-name = *(token LWS); the LWS before '<' is optional (RFC 4475 §3.1.1.6).
      displayName = text.slice(s.pos, j).trimEnd();
      s.pos = j;
    }
  }
  if (s.peek() === 60) {
    const close = text.indexOf(">", s.pos);
    if (close === -1) throw nameAddrError("missing '>'");
    uri = parseUri(text.slice(s.pos + 1, close));
    s.pos = close + 1;
  } else {
    const start = s.pos;
    let end = start;
    for (;;) {
      const c = text.charCodeAt(end);
      if (Number.isNaN(c) || c === 59 || isWsp(c)) break;
      // RFC 3261 §20.10: a URI with ',', '?' or ';' must be enclosed in <>.
      if (c === 44 || c === 63) throw nameAddrError("URI with ',' or '?' must be enclosed in <>");
      end++;
    }
    uri = parseUri(text.slice(start, end));
    s.pos = end;
  }
  const params: Record<string, string | null> = {};
  s.readParams(params);
  s.skipLws();
  if (!s.done) throw nameAddrError("unexpected text after address");
  const result: NameAddr = { uri, params };
  if (displayName !== undefined) result.displayName = displayName;
  return result;
}

function formatDisplayName(name: string): string {
  let tokens = name.length > 0;
  for (let i = 0; i < name.length && tokens; i++) {
    const c = name.charCodeAt(i);
    tokens = hasClass(c, TOKEN) || (c === 32 && i > 0 && name.charCodeAt(i - 1) !== 32);
  }
  if (tokens && name.charCodeAt(name.length - 1) !== 32) return `${name} `;
  let out = '"';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 13 || c === 10) out += " ";
    else if (c === 34 || c === 92 || c < 32 || c === 127) out += `\\${name[i]}`;
    else out += name[i];
  }
  return `${out}" `;
}

/** Writes the value in name-addr form (always with <>). */
export function formatNameAddr(value: NameAddr): string {
  const display = value.displayName === undefined ? "" : formatDisplayName(value.displayName);
  return `${display}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}
