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
/** The methods counted by name, the most frequent first (REGISTER refreshes, calls, keep-alives). */
export const METHOD_ORDER: readonly string[] = [
  ...new Set(["REGISTER", "INVITE", "ACK", "BYE", "OPTIONS", ...SIP_METHODS]),
];
const METHOD_BYTES = METHOD_ORDER.map((m) => [m, Buffer.from(m)] as const);

// Every summary there can be, made once: this runs for each message, and allocates nothing.
const LABELS = [...SIP_METHODS, "other"];
const REQUESTS = new Map(LABELS.map((method) => [method, { kind: "request" as const, method }]));
/** By the status's first digit (1–6), then by method. */
const RESPONSES = [1, 2, 3, 4, 5, 6].map(
  (digit) =>
    new Map(
      LABELS.map((method) => [method, { kind: "response" as const, statusClass: `${digit}xx`, method }]),
    ),
);

/**
 * What a metric needs of a SIP message, read from its bytes without parsing it: a request's
 * method, or a response's status class and the method of its CSeq. Undefined for bytes that
 * are not SIP (a UDP datagram of garbage). Runs on the transport's hot path: byte loops and
 * native searches, nothing decoded, and the answer one of a fixed set of objects.
 */
export function summarizeSip(bytes: Buffer): SipSummary | undefined {
  if (startsWith(bytes, SIP_VERSION)) {
    const digit = (bytes[SIP_VERSION.length] ?? 0) - 0x30;
    if (!(digit >= 1 && digit <= 6)) return undefined;
    return RESPONSES[digit - 1]!.get(cseqMethod(bytes));
  }
  const end = letters(bytes, 0, bytes.length);
  if (end > 0 && bytes[end] === 0x20) return REQUESTS.get(methodAt(bytes, 0, end, false));
  // A method token may hold more than letters (RFC 3261 §25.1): unknown to us, still a request.
  const space = bytes.subarray(0, MAX_METHOD + 1).indexOf(0x20);
  return space > 0 ? REQUESTS.get("other") : undefined;
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
  return methodAt(bytes, i, letters(bytes, i, end), true);
}

/** The end of the letters from `from` on (at most MAX_METHOD + 1 of them, so an overlong one is unknown). */
function letters(bytes: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && i - from <= MAX_METHOD && isLetter(bytes[i]!)) i++;
  return i;
}

/** The counted method spelled by `bytes[from, to)` (in any case with `caseless`), else `other`. */
function methodAt(bytes: Buffer, from: number, to: number, caseless: boolean): string {
  const length = to - from;
  for (const [method, spelled] of METHOD_BYTES) {
    if (spelled.length !== length) continue;
    let i = 0;
    // Known methods are upper-case letters: setting bit 0x20 of both compares them caselessly.
    const fold = caseless ? 0x20 : 0;
    while (i < length && (bytes[from + i]! | fold) === (spelled[i]! | fold)) i++;
    if (i === length) return method;
  }
  return "other";
}

function skip(bytes: Buffer, from: number, end: number, test: (c: number) => boolean): number {
  let i = from;
  while (i < end && test(bytes[i]!)) i++;
  return i;
}

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isSpace = (c: number) => c === 0x20 || c === 0x09;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
