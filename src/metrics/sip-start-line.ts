import { known } from "./label-cap.js";

/** The methods counted by name; anything else a peer sends is counted as `other`. */
export const SIP_METHODS: ReadonlySet<string> = new Set([
  "INVITE",
  "ACK",
  "BYE",
  "CANCEL",
  "REGISTER",
  "OPTIONS",
  "INFO",
  "UPDATE",
  "PRACK",
  "SUBSCRIBE",
  "NOTIFY",
  "REFER",
  "MESSAGE",
  "PUBLISH",
]);

export type SipSummary =
  | { readonly kind: "request"; readonly method: string }
  | { readonly kind: "response"; readonly statusClass: string; readonly method: string };

const SIP_VERSION = Buffer.from("SIP/2.0 ");
/** Longest method token looked at: longer is not a method we know. */
const MAX_METHOD = 16;

/**
 * What a metric needs of a SIP message, read from its bytes without parsing it: a request's
 * method, or a response's status class and the method of its CSeq. Undefined for bytes that
 * are not SIP (a UDP datagram of garbage). Runs on the transport's hot path: no full parse.
 */
export function summarizeSip(bytes: Buffer): SipSummary | undefined {
  if (bytes.subarray(0, SIP_VERSION.length).equals(SIP_VERSION)) {
    const digit = bytes[SIP_VERSION.length]! - 0x30;
    if (!(digit >= 1 && digit <= 6)) return undefined;
    return { kind: "response", statusClass: `${digit}xx`, method: cseqMethod(bytes) };
  }
  const space = bytes.subarray(0, MAX_METHOD + 1).indexOf(0x20);
  if (space <= 0) return undefined;
  return { kind: "request", method: known(SIP_METHODS, bytes.toString("latin1", 0, space)) };
}

/** The method of the CSeq header ("CSeq: 2 REGISTER"), `other` when absent or unknown. */
function cseqMethod(bytes: Buffer): string {
  const end = bytes.indexOf("\r\n\r\n");
  const head = bytes.toString("latin1", 0, end === -1 ? bytes.length : end);
  // Header names are case-insensitive (RFC 3261 §7.3.1); CSeq has no compact form.
  const match = /\ncseq[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)/i.exec(head);
  return match ? known(SIP_METHODS, match[1]!.toUpperCase()) : "other";
}
