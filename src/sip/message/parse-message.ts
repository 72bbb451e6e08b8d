import { type Head, readHead } from "./head-reader.js";
import type { SipMessage } from "./message.js";
import { badRequest } from "./sip-parse-error.js";
import { validateMessage } from "./validate.js";

export const DEFAULT_MAX_HEADERS = 256;
export const CRLFCRLF = Buffer.from("\r\n\r\n");
const EMPTY_BODY = Buffer.alloc(0);

/** Index after any CRLFs before the start line (RFC 3261 §7.5: they are ignored). */
export function skipLeadingCrlf(data: Buffer, start: number): number {
  while (data[start] === 13 && data[start + 1] === 10) start += 2;
  return start;
}

/**
 * Turns a head plus its framed body into the message, or throws the first problem found
 * (syntax problems from the head first, then the parse-time header rules).
 */
export function completeMessage(head: Head, data: Buffer, bodyStart: number, length: number): SipMessage {
  const message = head.message;
  if (message) {
    message.body = length === 0 ? EMPTY_BODY : Buffer.from(data.subarray(bodyStart, bodyStart + length));
  }
  if (head.error) throw head.error;
  // A head without error always has a message: only an unusable start line leaves it out.
  validateMessage(message!, head.otherVersion);
  return message!;
}

/**
 * Parses one complete message. Stream mode (default): `data` is exactly one message and
 * Content-Length is required. Datagram mode (UDP, WebSocket frames): an absent Content-Length
 * means "to the end", and octets after the body are ignored (RFC 3261 §18.3).
 */
export function parseMessage(
  data: Buffer,
  options: { datagram?: boolean; maxHeaders?: number } = {},
): SipMessage {
  const datagram = options.datagram ?? false;
  const maxHeaders = options.maxHeaders ?? DEFAULT_MAX_HEADERS;
  const start = skipLeadingCrlf(data, 0);
  const headerEnd = data.indexOf(CRLFCRLF, start);
  if (headerEnd === -1) {
    const lastLine = data.lastIndexOf("\r\n");
    const partial = lastLine > start ? readHead(data, start, lastLine, maxHeaders).message : undefined;
    throw badRequest("no empty line after the header section", "SIP_ERR_NO_HEADER_END", partial);
  }
  const head = readHead(data, start, headerEnd, maxHeaders);
  if (head.lengthError) throw head.lengthError;
  const bodyStart = headerEnd + 4;
  const available = data.length - bodyStart;
  let length = head.contentLength;
  if (length === undefined) {
    if (!datagram) {
      throw badRequest("missing Content-Length", "SIP_ERR_CONTENT_LENGTH_MISSING", head.message);
    }
    length = available;
  } else if (length > available) {
    throw badRequest("Content-Length exceeds the data received", "SIP_ERR_BODY_TRUNCATED", head.message);
  } else if (length < available && !datagram) {
    throw badRequest("data after the message body", "SIP_ERR_TRAILING_DATA", head.message);
  }
  return completeMessage(head, data, bodyStart, length);
}
