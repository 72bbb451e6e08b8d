import type { SipErrorCode } from "./error-codes.js";
import type { SipMessage } from "./message.js";

/**
 * A message (or header value) that cannot be accepted. `status`/`reason` are what to answer
 * with; `partial` holds whatever could be read so the caller can echo Via/From/To/Call-ID/CSeq.
 */
export class SipParseError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly code: string;
  readonly partial?: SipMessage;

  constructor(status: number, reason: string, code: string, partial?: SipMessage) {
    super(reason);
    this.name = "SipParseError";
    this.status = status;
    this.reason = reason;
    this.code = code;
    if (partial !== undefined) this.partial = partial;
  }
}

/** A 400 whose reason reads "Bad Request: <detail>". */
export function badRequest(detail: string, code: SipErrorCode, partial?: SipMessage): SipParseError {
  return new SipParseError(400, `Bad Request: ${detail}`, code, partial);
}
