import { isDigits, isToken, isWsp, trimWsp } from "./char-classes.js";
import type { SipErrorCode } from "./error-codes.js";
import { headerName } from "./header-names.js";
import { type HeaderEntry, Headers, headerEntries } from "./headers.js";
import { type SipMessage, SipRequest, SipResponse, seedRequestUri } from "./message.js";
import { parseContentLength } from "./scalar-fields.js";
import { parseUriShared } from "./shared-parse.js";
import { badRequest, SipParseError } from "./sip-parse-error.js";

/** Start line and header section of one message, read before its body is known. */
export interface Head {
  /** Undefined when the start line is unusable (not even a partial message). */
  message: SipMessage | undefined;
  /** First syntax problem in the start line or header lines (partial attached). */
  error: SipParseError | undefined;
  /** Well-formed SIP-Version other than 2.0: answered with 505 once the rest checks out. */
  otherVersion: boolean;
  /** Content-Length value; undefined when absent. */
  contentLength: number | undefined;
  /** Content-Length present but unusable: framing is lost. */
  lengthError: SipParseError | undefined;
}

interface Problem {
  detail: string;
  code: SipErrorCode;
}

function isSipVersion(text: string): boolean {
  if (text.length < 7 || text.slice(0, 4).toUpperCase() !== "SIP/") return false;
  const dot = text.indexOf(".", 4);
  for (let i = 4; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (i !== dot && (c < 48 || c > 57)) return false;
  }
  return dot > 4 && dot < text.length - 1;
}

function isSip20(version: string): boolean {
  return version.length === 7 && version.toUpperCase() === "SIP/2.0";
}

/** Collects the first problem of a head and its Content-Length. */
class HeadState implements Head {
  message: SipMessage | undefined = undefined;
  error: SipParseError | undefined = undefined;
  otherVersion = false;
  contentLength: number | undefined = undefined;
  lengthError: SipParseError | undefined = undefined;
  problem: Problem | undefined = undefined;

  report(detail: string, code: SipErrorCode): void {
    this.problem ??= { detail, code };
  }

  addHeader(entries: HeaderEntry[], name: string, value: string, raw: string | undefined, max: number): void {
    if (entries.length === max) this.report("too many header fields", "SIP_ERR_TOO_MANY_HEADERS");
    const { key, display } = headerName(name);
    entries.push({ key, name: display, value, raw });
    if (key !== "content-length") return;
    const length = parseContentLength(value);
    if (length === undefined) {
      this.lengthError ??= badRequest(
        "Content-Length is not a non-negative integer",
        "SIP_ERR_CONTENT_LENGTH",
      );
    } else if (this.contentLength !== undefined && this.contentLength !== length) {
      this.lengthError ??= badRequest("conflicting Content-Length values", "SIP_ERR_CONTENT_LENGTH");
    }
    this.contentLength ??= length;
  }
}

/**
 * Reads `data[start, headerEnd)` (the header section without its final CRLFCRLF) in one pass:
 * every line is split once, values are kept raw, nothing structured is parsed except the
 * Request-URI. Never throws: problems are reported in the result so callers can decide.
 */
export function readHead(data: Buffer, start: number, headerEnd: number, maxHeaders: number): Head {
  const text = data.toString("utf8", start, headerEnd);
  const head = new HeadState();
  const headers = new Headers();
  const entries = headerEntries(headers);
  let name: string | undefined;
  let value = "";
  let raw: string | undefined;
  let pos = 0;
  let first = true;
  while (pos < text.length || first) {
    const lf = text.indexOf("\n", pos);
    let end = lf === -1 ? text.length : lf;
    if (lf !== -1) {
      if (text.charCodeAt(lf - 1) === 13) end--;
      else head.report("bare LF in header section", "SIP_ERR_BARE_LINE_END");
    }
    let line = text.slice(pos, end);
    pos = lf === -1 ? text.length : lf + 1;
    if (line.includes("\r")) {
      head.report("bare CR in header section", "SIP_ERR_BARE_LINE_END");
      line = line.replaceAll("\r", " ");
    }
    if (first) {
      first = false;
      head.message =
        line.length >= 4 && line.slice(0, 4).toUpperCase() === "SIP/"
          ? readStatusLine(line, headers, head)
          : readRequestLine(line, headers, head);
      continue;
    }
    if (isWsp(line.charCodeAt(0))) {
      // RFC 3261 §7.3.1: a continuation line folds into the previous value as one SP.
      if (name === undefined) {
        head.report("continuation line without a header field", "SIP_ERR_HEADER_LINE");
        continue;
      }
      const more = trimWsp(line);
      if (more !== "") value = value === "" ? more : `${value} ${more}`;
      raw = undefined;
      continue;
    }
    if (name !== undefined) head.addHeader(entries, name, value, raw, maxHeaders);
    name = undefined;
    const colon = line.indexOf(":");
    let nameEnd = colon;
    while (nameEnd > 0 && isWsp(line.charCodeAt(nameEnd - 1))) nameEnd--;
    const candidate = line.slice(0, nameEnd);
    if (colon === -1 || !isToken(candidate)) {
      head.report("malformed header line", "SIP_ERR_HEADER_LINE");
      continue;
    }
    name = candidate;
    value = trimWsp(line.slice(colon + 1));
    raw = line;
  }
  if (name !== undefined) head.addHeader(entries, name, value, raw, maxHeaders);
  if (head.lengthError && head.message) {
    const { status, reason, code } = head.lengthError;
    head.lengthError = new SipParseError(status, reason, code, head.message);
  }
  if (head.problem) head.error = badRequest(head.problem.detail, head.problem.code, head.message);
  return head;
}

function readRequestLine(line: string, headers: Headers, head: HeadState): SipRequest | undefined {
  const sp1 = line.indexOf(" ");
  if (sp1 <= 0) {
    head.report("malformed start line", "SIP_ERR_START_LINE");
    return undefined;
  }
  const method = line.slice(0, sp1);
  const lastSp = line.lastIndexOf(" ");
  const uri = lastSp === sp1 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, lastSp);
  const version = lastSp === sp1 ? "" : line.slice(lastSp + 1);
  const request = new SipRequest(method, trimWsp(uri), headers);
  if (!isToken(method)) head.report("method is not a token", "SIP_ERR_METHOD");
  if (version === "" || uri === "" || uri.includes(" ")) {
    // RFC 4475 §3.1.2.8–3.1.2.10: extra SP inside or after the Request-Line is malformed.
    head.report("Request-Line must be Method SP Request-URI SP SIP-Version", "SIP_ERR_START_LINE");
    return request;
  }
  request.version = version;
  if (!isSipVersion(version)) head.report("malformed SIP-Version", "SIP_ERR_VERSION_SYNTAX");
  else head.otherVersion = !isSip20(version);
  try {
    const parsed = parseUriShared(uri);
    if ((parsed.scheme === "sip" || parsed.scheme === "sips") && hasKeys(parsed.headers)) {
      // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI.
      head.report("Request-URI must not carry headers", "SIP_ERR_REQUEST_URI_HEADERS");
    }
    seedRequestUri(request, parsed);
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    head.report("malformed Request-URI", "SIP_ERR_REQUEST_URI");
  }
  return request;
}

function readStatusLine(line: string, headers: Headers, head: HeadState): SipResponse | undefined {
  const sp1 = line.indexOf(" ");
  const sp2 = sp1 === -1 ? -1 : line.indexOf(" ", sp1 + 1);
  const version = sp1 === -1 ? line : line.slice(0, sp1);
  const code = sp1 === -1 ? "" : line.slice(sp1 + 1, sp2 === -1 ? line.length : sp2);
  if (!isSipVersion(version)) {
    head.report("malformed SIP-Version", "SIP_ERR_VERSION_SYNTAX");
    return undefined;
  }
  const c0 = code.charCodeAt(0);
  if (code.length !== 3 || c0 < 49 || c0 > 54 || !isDigits(code)) {
    head.report("Status-Code must be three digits from 100 to 699", "SIP_ERR_STATUS_CODE");
    return undefined;
  }
  const response = new SipResponse(Number(code), sp2 === -1 ? "" : line.slice(sp2 + 1), headers);
  response.version = version;
  head.otherVersion = !isSip20(version);
  return response;
}

function hasKeys(record: Record<string, string>): boolean {
  for (const _ in record) return true;
  return false;
}
