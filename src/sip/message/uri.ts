import { allOf, HNV, PARAM, PASSWORD, SCHEME, USER } from "./char-classes.js";
import { hostEnd, readPort } from "./host.js";
import { percentDecode, percentEncode, scanEscaped } from "./percent-encoding.js";
import { badRequest, type SipParseError } from "./sip-parse-error.js";

/**
 * A parsed URI. For sip/sips, `user`, `password`, parameter names/values and headers are
 * unescaped (%HH decoded, RFC 3261 §19.1.4 compares them that way); parameter names are
 * lowercase, a parameter without "=value" is null. IPv6 hosts keep their brackets ("[::1]").
 * Other schemes: `host` holds the whole opaque part after "scheme:".
 */
export interface SipUri {
  scheme: string;
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
  headers: Record<string, string>;
}

function uriError(detail: string): SipParseError {
  return badRequest(`invalid URI (${detail})`, "SIP_ERR_URI");
}

/** Parses a sip, sips or other absolute URI; throws SipParseError (400). */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(":");
  const first = text.charCodeAt(0) | 32;
  if (colon <= 0 || first < 97 || first > 122 || !allOf(text, SCHEME, 0, colon)) {
    throw uriError("bad scheme");
  }
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === "sip" || scheme === "sips") return parseSipUri(text, scheme, colon + 1);
  if (colon + 1 === text.length) throw uriError("empty opaque part");
  for (let i = colon + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 127) throw uriError("whitespace or control character");
  }
  return { scheme, host: text.slice(colon + 1), params: {}, headers: {} };
}

function parseSipUri(text: string, scheme: string, start: number): SipUri {
  const end = text.length;
  const uri: SipUri = { scheme, host: "", params: {}, headers: {} };
  let i = start;
  const at = text.indexOf("@", start);
  if (at !== -1) {
    const userLength = scanEscaped(text, i, at, USER);
    if (userLength <= 0) throw uriError("bad user part");
    const userEnd = i + userLength;
    if (userEnd < at) {
      if (text.charCodeAt(userEnd) !== 58) throw uriError("bad user part");
      if (scanEscaped(text, userEnd + 1, at, PASSWORD) !== at - userEnd - 1) throw uriError("bad password");
      uri.password = percentDecode(text.slice(userEnd + 1, at));
    }
    uri.user = percentDecode(text.slice(i, userEnd));
    i = at + 1;
  }
  const hostStop = hostEnd(text, i);
  if (hostStop === -1) throw uriError("bad host");
  uri.host = text.slice(i, hostStop);
  i = hostStop;
  if (text.charCodeAt(i) === 58) {
    const port = readPort(text, i + 1);
    if (port === undefined) throw uriError("bad port");
    [uri.port, i] = port;
  }
  while (i < end && text.charCodeAt(i) === 59) {
    const nameLength = scanEscaped(text, i + 1, end, PARAM);
    if (nameLength <= 0) throw uriError("bad parameter");
    const name = percentDecode(text.slice(i + 1, i + 1 + nameLength)).toLowerCase();
    i += 1 + nameLength;
    if (text.charCodeAt(i) === 61) {
      const valueLength = scanEscaped(text, i + 1, end, PARAM);
      if (valueLength <= 0) throw uriError("bad parameter value");
      uri.params[name] = percentDecode(text.slice(i + 1, i + 1 + valueLength));
      i += 1 + valueLength;
    } else {
      uri.params[name] = null;
    }
  }
  if (i < end && text.charCodeAt(i) === 63) {
    do {
      const nameLength = scanEscaped(text, i + 1, end, HNV);
      if (nameLength <= 0 || text.charCodeAt(i + 1 + nameLength) !== 61) throw uriError("bad header");
      const valueStart = i + 2 + nameLength;
      const valueLength = scanEscaped(text, valueStart, end, HNV);
      if (valueLength < 0) throw uriError("bad header value");
      uri.headers[percentDecode(text.slice(i + 1, i + 1 + nameLength))] = percentDecode(
        text.slice(valueStart, valueStart + valueLength),
      );
      i = valueStart + valueLength;
    } while (i < end && text.charCodeAt(i) === 38);
  }
  if (i !== end) throw uriError("unexpected character");
  return uri;
}

/** Writes a URI, escaping what needs escaping in each component. */
export function formatUri(uri: SipUri): string {
  if (uri.scheme !== "sip" && uri.scheme !== "sips") return `${uri.scheme}:${uri.host}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += percentEncode(uri.user, USER);
    if (uri.password !== undefined) out += `:${percentEncode(uri.password, PASSWORD)}`;
    out += "@";
  }
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  for (const name in uri.params) {
    const value = uri.params[name];
    out += `;${percentEncode(name, PARAM)}`;
    if (value !== null && value !== undefined) out += `=${percentEncode(value, PARAM)}`;
  }
  let separator = "?";
  for (const name in uri.headers) {
    out += `${separator}${percentEncode(name, HNV)}=${percentEncode(uri.headers[name]!, HNV)}`;
    separator = "&";
  }
  return out;
}
