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
const BLANK_LINE = Buffer.from("\r\n\r\n");
const CSEQ = Buffer.from("\nCSeq:");
/** Longest method token looked at: longer is not a method we know. */
const MAX_METHOD = 16;

/**
 * What a metric needs of a SIP message, read from its bytes without parsing it: a request's
 * method, or a response's status class and the method of its CSeq. Undefined for bytes that
 * are not SIP (a UDP datagram of garbage). Runs on the transport's hot path: byte loops and
 * native searches, nothing of the message decoded but the method.
 */
export function summarizeSip(bytes: Buffer): SipSummary | undefined {
  if (startsWith(bytes, SIP_VERSION)) {
    const digit = (bytes[SIP_VERSION.length] ?? 0) - 0x30;
    if (!(digit >= 1 && digit <= 6)) return undefined;
    return { kind: "response", statusClass: `${digit}xx`, method: cseqMethod(bytes) };
  }
  const method = token(bytes, 0, bytes.length);
  if (method !== "" && bytes[method.length] === 0x20)
    return { kind: "request", method: known(SIP_METHODS, method) };
  // A method token may hold more than letters (RFC 3261 §25.1): unknown to us, still a request.
  const space = bytes.subarray(0, MAX_METHOD + 1).indexOf(0x20);
  return space > 0 ? { kind: "request", method: "other" } : undefined;
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** The method of the CSeq header ("CSeq: 2 REGISTER"), `other` when absent or unknown. */
function cseqMethod(bytes: Buffer): string {
  const blank = bytes.indexOf(BLANK_LINE);
  const end = blank === -1 ? bytes.length : blank;
  let at = bytes.indexOf(CSEQ);
  if (at === -1 || at >= end) {
    // Header names are case-insensitive (RFC 3261 §7.3.1): another spelling takes this slow path.
    at = bytes.toString("latin1", 0, end).search(/\ncseq[ \t]*:/i);
    if (at === -1) return "other";
    at = bytes.indexOf(0x3a, at);
  } else at += CSEQ.length - 1;
  // After the colon: spaces, the sequence number, spaces, the method.
  let i = skip(bytes, at + 1, end, isSpace);
  const digits = i;
  i = skip(bytes, i, end, isDigit);
  const spaces = i;
  i = skip(bytes, i, end, isSpace);
  if (digits === spaces || i === spaces) return "other";
  return known(SIP_METHODS, token(bytes, i, end).toUpperCase());
}

/** The letters from `from` on (at most MAX_METHOD + 1 of them, so an overlong one is unknown). */
function token(bytes: Buffer, from: number, end: number): string {
  let text = "";
  for (let i = from; i < end && text.length <= MAX_METHOD; i++) {
    const c = bytes[i]!;
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) break;
    text += String.fromCharCode(c);
  }
  return text;
}

function skip(bytes: Buffer, from: number, end: number, test: (c: number) => boolean): number {
  let i = from;
  while (i < end && test(bytes[i]!)) i++;
  return i;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
