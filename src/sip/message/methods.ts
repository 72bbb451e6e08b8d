/**
 * Methods of RFC 3261 and its common extensions that this stack knows. The core answers any
 * other with 501; the parser leaves a CSeq mismatch on an unknown method to that 501
 * (RFC 4475 §3.1.2.18).
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  "INVITE",
  "ACK",
  "BYE",
  "CANCEL",
  "OPTIONS",
  "REGISTER",
  "PRACK",
  "SUBSCRIBE",
  "NOTIFY",
  "PUBLISH",
  "INFO",
  "REFER",
  "MESSAGE",
  "UPDATE",
]);
