/**
 * Every machine code a SipParseError can carry, with the SIP status it maps to. Codes are
 * stable: logs, traces and tests match on them, never on the reason text.
 */
export const SIP_ERROR_CODES = {
  /** Start line is neither a Request-Line nor a Status-Line. */
  SIP_ERR_START_LINE: 400,
  /** Method is not a token. */
  SIP_ERR_METHOD: 400,
  /** Request-URI malformed (LWS, <>, bad sip/sips syntax, unknown-scheme syntax). */
  SIP_ERR_REQUEST_URI: 400,
  /** sip/sips Request-URI carries ?headers (RFC 3261 §19.1.1: not allowed there). */
  SIP_ERR_REQUEST_URI_HEADERS: 400,
  /** SIP-Version is not `SIP/<digits>.<digits>`. */
  SIP_ERR_VERSION_SYNTAX: 400,
  /** Well-formed SIP-Version other than SIP/2.0. */
  SIP_ERR_VERSION: 505,
  /** Status-Code is not 3 digits in 100–699. */
  SIP_ERR_STATUS_CODE: 400,
  /** Header line without ':' or with a name that is not a token, or a misplaced continuation line. */
  SIP_ERR_HEADER_LINE: 400,
  /** CR or LF that is not part of a CRLF in the header section. */
  SIP_ERR_BARE_LINE_END: 400,
  /** No empty line ending the header section. */
  SIP_ERR_NO_HEADER_END: 400,
  /** More header fields than the configured maximum. */
  SIP_ERR_TOO_MANY_HEADERS: 400,
  /** A mandatory header field (Call-ID, From, To, CSeq, Via) is absent. */
  SIP_ERR_MISSING_HEADER: 400,
  /** A single-valued header field (Call-ID, From, To, CSeq, Max-Forwards) appears more than once. */
  SIP_ERR_DUPLICATE_HEADER: 400,
  /** Call-ID is empty or contains whitespace. */
  SIP_ERR_CALL_ID: 400,
  /** CSeq is not `number method`, or the number is not below 2^31. */
  SIP_ERR_CSEQ: 400,
  /** CSeq method differs from the request method (known methods only). */
  SIP_ERR_CSEQ_MISMATCH: 400,
  /** Max-Forwards is not an integer in 0–255. */
  SIP_ERR_MAX_FORWARDS: 400,
  /** A Via value is malformed. */
  SIP_ERR_VIA: 400,
  /** A URI is malformed. */
  SIP_ERR_URI: 400,
  /** A name-addr / addr-spec value (From, To, Contact, ...) is malformed. */
  SIP_ERR_NAME_ADDR: 400,
  /** An Authorization / WWW-Authenticate style value is malformed. */
  SIP_ERR_AUTH_PARAMS: 400,
  /** Content-Length negative, not a number, or several different values. */
  SIP_ERR_CONTENT_LENGTH: 400,
  /** Content-Length absent on a stream transport (RFC 3261 §18.3). */
  SIP_ERR_CONTENT_LENGTH_MISSING: 400,
  /** Content-Length larger than the bytes received in a datagram. */
  SIP_ERR_BODY_TRUNCATED: 400,
  /** Bytes after the body of a message that was handed over as exactly one message. */
  SIP_ERR_TRAILING_DATA: 400,
  /** Message larger than the configured maximum. */
  SIP_ERR_TOO_LARGE: 513,
} as const;

export type SipErrorCode = keyof typeof SIP_ERROR_CODES;
