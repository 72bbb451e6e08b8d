/** The bounded reasons a failed TLS handshake is counted under (the label's whole set). */
export const TLS_FAILURE_REASONS = [
  "timeout",
  "not_tls",
  "protocol_version",
  "no_shared_cipher",
  "certificate",
  "alert",
  "disconnected",
  "internal",
  "other",
] as const;

export type TlsFailureReason = (typeof TLS_FAILURE_REASONS)[number];

/** First match wins: a plain-text peer on the TLS port also reads as a "version" problem. */
const PATTERNS: readonly (readonly [RegExp, TlsFailureReason])[] = [
  [/not finished in time|timed? ?out/i, "timeout"],
  [/TLS accept failed/, "internal"],
  [
    /wrong version number|http request|unknown protocol|packet length too long|record layer failure/i,
    "not_tls",
  ],
  [/unsupported protocol|protocol version|version too low|no protocols available/i, "protocol_version"],
  [/no shared cipher|no suitable|no cipher|cipher/i, "no_shared_cipher"],
  [/certificate|unknown ca/i, "certificate"],
  [/alert/i, "alert"],
  [/ECONNRESET|EPIPE|disconnected|hang up|closed/i, "disconnected"],
];

/** The transport's message about a failed handshake (Node's or OpenSSL's words) → a reason label. */
export function tlsFailureReason(message: string): TlsFailureReason {
  for (const [pattern, reason] of PATTERNS) if (pattern.test(message)) return reason;
  return "other";
}
