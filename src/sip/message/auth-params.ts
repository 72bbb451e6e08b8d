import { hasClass, isWsp, TOKEN } from "./char-classes.js";
import { Scanner } from "./scanner.js";
import { badRequest, type SipParseError } from "./sip-parse-error.js";

function authError(detail: string): SipParseError {
  return badRequest(`invalid authentication header (${detail})`, "SIP_ERR_AUTH_PARAMS");
}

/**
 * `scheme auth-param *("," auth-param)` (RFC 7235 §2.1, RFC 7616 §3.4): parameter names
 * lowercased, quoted values unquoted. Empty list elements are skipped; a repeated parameter
 * is rejected because digest verification must not guess which one counts.
 */
export function parseAuthParams(text: string): { scheme: string; params: Record<string, string> } {
  const s = new Scanner(text, authError);
  s.skipLws();
  const scheme = s.readToken();
  if (scheme === "") throw authError("missing scheme");
  // No prototype: "__proto__" is a parameter like any other (and refused when repeated).
  const params: Record<string, string> = Object.create(null);
  const gap = s.pos;
  s.skipLws();
  if (s.done) return { scheme, params };
  if (s.pos === gap) throw authError("missing space after scheme");
  for (;;) {
    while (s.eat(44)) {}
    if (s.done) break;
    const name = s.readToken().toLowerCase();
    if (name === "" || !s.eat(61)) throw authError("expected name=value");
    let value: string;
    if (s.peek() === 34) {
      value = s.readQuoted();
    } else {
      value = s.readToken();
      if (value === "") throw authError(`empty value for ${name}`);
    }
    if (Object.hasOwn(params, name)) throw authError(`duplicate parameter ${name}`);
    params[name] = value;
    s.skipLws();
    if (s.done) break;
    if (!s.eat(44)) throw authError("expected ','");
  }
  return { scheme, params };
}

/**
 * The Digest credential fields a server checks (RFC 7616 §3.4); absent ones are undefined.
 * Values are unquoted as in `parseAuthParams`.
 */
export class DigestCredentials {
  username: string | undefined = undefined;
  realm: string | undefined = undefined;
  nonce: string | undefined = undefined;
  uri: string | undefined = undefined;
  response: string | undefined = undefined;
  algorithm: string | undefined = undefined;
  qop: string | undefined = undefined;
  nc: string | undefined = undefined;
  cnonce: string | undefined = undefined;
}

function skipWsp(text: string, i: number): number {
  while (isWsp(text.charCodeAt(i))) i++;
  return i;
}

function skipToken(text: string, i: number): number {
  while (hasClass(text.charCodeAt(i), TOKEN)) i++;
  return i;
}

const DIGEST = "digest";

/** `Digest` in any case, as the token text[start, end) (ORing 0x20 lowercases ASCII letters only here). */
function isDigestScheme(text: string, start: number, end: number): boolean {
  if (end - start !== DIGEST.length) return false;
  for (let k = 0; k < DIGEST.length; k++) {
    if ((text.charCodeAt(start + k) | 0x20) !== DIGEST.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * The credentials of one `Authorization` value when its scheme is Digest, read in one pass
 * for the registrar's hot path. The same language as `parseAuthParams`: undefined exactly
 * where it throws (bad syntax, a repeated parameter, known or not) and for other schemes.
 */
export function readDigestCredentials(text: string): DigestCredentials | undefined {
  const n = text.length;
  let i = skipWsp(text, 0);
  const schemeStart = i;
  i = skipToken(text, i);
  if (!isDigestScheme(text, schemeStart, i)) return undefined;
  const credentials = new DigestCredentials();
  const gap = i;
  i = skipWsp(text, i);
  if (i >= n) return credentials;
  if (i === gap) return undefined;
  // Without a backslash anywhere a quoted value ends at the next quote: found by indexOf.
  const pairs = text.includes("\\");
  /** Other parameters seen (lowercased): only to refuse a repeated one. */
  let others: string[] | undefined;
  for (;;) {
    // Empty list elements; the cursor is never on LWS here.
    while (text.charCodeAt(i) === 44) i = skipWsp(text, i + 1);
    if (i >= n) break;
    const nameStart = i;
    let field = lowercaseField(text, i);
    if (field >= 0) i += FIELDS[field]!.length;
    else {
      i = skipToken(text, i);
      if (i === nameStart) return undefined;
      field = fieldIndex(text, nameStart, i);
    }
    const nameEnd = i;
    i = skipWsp(text, i);
    if (text.charCodeAt(i) !== 61) return undefined;
    i = skipWsp(text, i + 1);
    let value: string;
    if (text.charCodeAt(i) === 34) {
      const end = pairs ? quotedEnd(text, i) : text.indexOf('"', i + 1);
      if (end < 0) return undefined;
      value = pairs ? unquote(text, i + 1, end) : text.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      i = skipToken(text, i);
      if (i === start) return undefined;
      value = text.slice(start, i);
    }
    if (field >= 0) {
      if (!assign(credentials, field, value)) return undefined;
    } else {
      const name = text.slice(nameStart, nameEnd).toLowerCase();
      others ??= [];
      if (others.includes(name)) return undefined;
      others.push(name);
    }
    i = skipWsp(text, i);
    if (i >= n) break;
    if (text.charCodeAt(i) !== 44) return undefined;
    i = skipWsp(text, i + 1);
  }
  return credentials;
}

/** Index of the closing quote of the quoted-string opening at `open`, or -1 when unterminated. */
function quotedEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return i;
    if (c === 92) i++;
  }
  return -1;
}

/** text[start, end) with quoted-pairs decoded. */
function unquote(text: string, start: number, end: number): string {
  return text.slice(start, end).replace(/\\(.)/gs, "$1");
}

/** The fields of DigestCredentials, by index. */
const FIELDS = ["username", "realm", "nonce", "uri", "response", "algorithm", "qop", "nc", "cnonce"] as const;

/**
 * Index in FIELDS of the parameter name text[start, end) in any case, or -1. Compared char by
 * char (ORing 0x20 lowercases ASCII letters; no other token character becomes a letter).
 */
function fieldIndex(text: string, start: number, end: number): number {
  const length = end - start;
  for (let f = 0; f < FIELDS.length; f++) {
    const field = FIELDS[f]!;
    if (field.length !== length) continue;
    let k = 0;
    while (k < length && (text.charCodeAt(start + k) | 0x20) === field.charCodeAt(k)) k++;
    if (k === length) return f;
  }
  return -1;
}

/**
 * Index in FIELDS of the parameter name at `i` when it is written in lowercase, as clients do
 * (a prefix compare, no scan of the name), or -1: fieldIndex then settles it.
 */
function lowercaseField(text: string, i: number): number {
  let f: number;
  switch (text.charCodeAt(i)) {
    case 117: // u
      f = text.startsWith("username", i) ? 0 : text.startsWith("uri", i) ? 3 : -1;
      break;
    case 114: // r
      f = text.startsWith("realm", i) ? 1 : text.startsWith("response", i) ? 4 : -1;
      break;
    case 110: // n
      f = text.startsWith("nonce", i) ? 2 : text.startsWith("nc", i) ? 7 : -1;
      break;
    case 97: // a
      f = text.startsWith("algorithm", i) ? 5 : -1;
      break;
    case 113: // q
      f = text.startsWith("qop", i) ? 6 : -1;
      break;
    case 99: // c
      f = text.startsWith("cnonce", i) ? 8 : -1;
      break;
    default:
      return -1;
  }
  // "nonces" is another parameter, not "nonce".
  return f >= 0 && !hasClass(text.charCodeAt(i + FIELDS[f]!.length), TOKEN) ? f : -1;
}

/** Stores field `index` of FIELDS; false when it is set already. */
function assign(c: DigestCredentials, index: number, value: string): boolean {
  switch (index) {
    case 0:
      if (c.username !== undefined) return false;
      c.username = value;
      return true;
    case 1:
      if (c.realm !== undefined) return false;
      c.realm = value;
      return true;
    case 2:
      if (c.nonce !== undefined) return false;
      c.nonce = value;
      return true;
    case 3:
      if (c.uri !== undefined) return false;
      c.uri = value;
      return true;
    case 4:
      if (c.response !== undefined) return false;
      c.response = value;
      return true;
    case 5:
      if (c.algorithm !== undefined) return false;
      c.algorithm = value;
      return true;
    case 6:
      if (c.qop !== undefined) return false;
      c.qop = value;
      return true;
    case 7:
      if (c.nc !== undefined) return false;
      c.nc = value;
      return true;
    default:
      if (c.cnonce !== undefined) return false;
      c.cnonce = value;
      return true;
  }
}
