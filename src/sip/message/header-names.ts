/** RFC 3261 §7.3.3 and extension compact forms. */
const COMPACT: Record<string, string> = {
  v: "via",
  f: "from",
  t: "to",
  i: "call-id",
  m: "contact",
  l: "content-length",
  c: "content-type",
  k: "supported",
  s: "subject",
  e: "content-encoding",
  o: "event",
  r: "refer-to",
  b: "referred-by",
  u: "allow-events",
  x: "session-expires",
  a: "accept-contact",
  j: "reject-contact",
  d: "request-disposition",
  y: "identity",
};

const DISPLAY_NAMES = [
  "Accept",
  "Accept-Contact",
  "Accept-Encoding",
  "Accept-Language",
  "Alert-Info",
  "Allow",
  "Allow-Events",
  "Authentication-Info",
  "Authorization",
  "Call-ID",
  "Call-Info",
  "Contact",
  "Content-Disposition",
  "Content-Encoding",
  "Content-Language",
  "Content-Length",
  "Content-Type",
  "CSeq",
  "Date",
  "Error-Info",
  "Event",
  "Expires",
  "Flow-Timer",
  "From",
  "History-Info",
  "Identity",
  "In-Reply-To",
  "Max-Forwards",
  "MIME-Version",
  "Min-Expires",
  "Min-SE",
  "Organization",
  "P-Asserted-Identity",
  "P-Preferred-Identity",
  "Path",
  "Priority",
  "Privacy",
  "Proxy-Authenticate",
  "Proxy-Authorization",
  "Proxy-Require",
  "RAck",
  "Reason",
  "Record-Route",
  "Refer-Sub",
  "Refer-To",
  "Referred-By",
  "Reject-Contact",
  "Replaces",
  "Reply-To",
  "Request-Disposition",
  "Require",
  "Retry-After",
  "Route",
  "RSeq",
  "Server",
  "Service-Route",
  "Session-Expires",
  "SIP-ETag",
  "SIP-If-Match",
  "Subject",
  "Subscription-State",
  "Supported",
  "Timestamp",
  "To",
  "Unsupported",
  "User-Agent",
  "Via",
  "Warning",
  "WWW-Authenticate",
];

interface NameInfo {
  key: string;
  display: string;
}

/** Lowercase spelling (compact forms included) -> key and canonical display name. */
const KNOWN = new Map<string, NameInfo>(
  DISPLAY_NAMES.map((display) => [display.toLowerCase(), { key: display.toLowerCase(), display }]),
);
for (const [letter, key] of Object.entries(COMPACT)) KNOWN.set(letter, KNOWN.get(key)!);
/** The same, also keyed by the usual spellings, so the common case skips toLowerCase. */
const EXACT = new Map(KNOWN);
for (const [spelling, info] of KNOWN)
  EXACT.set(spelling.length === 1 ? spelling.toUpperCase() : info.display, info);

/** Header fields whose values are comma-separated lists (RFC 3261 §7.3.1). */
const LIST_HEADERS = new Set([
  "via",
  "contact",
  "route",
  "record-route",
  "path",
  "allow",
  "supported",
  "require",
  "proxy-require",
  "unsupported",
  "accept",
  "accept-encoding",
  "accept-language",
  "content-encoding",
  "allow-events",
  "service-route",
  "in-reply-to",
]);

/** Key (lowercase, compact forms expanded: "v" and "Via" give "via") and display name of a header name. */
export function headerName(name: string): NameInfo {
  const exact = EXACT.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  return KNOWN.get(lower) ?? { key: lower, display: name };
}

/** Lowercase key of a header name, compact forms expanded. */
export function headerKey(name: string): string {
  const exact = EXACT.get(name);
  if (exact !== undefined) return exact.key;
  const lower = name.toLowerCase();
  return KNOWN.get(lower)?.key ?? lower;
}

export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}
