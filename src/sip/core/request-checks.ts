import { KNOWN_METHODS, type SipRequest } from "../message/index.js";

export interface Rejection {
  readonly status: number;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteRequirements {
  /** Option tags we support (RFC 3261 §8.2.2.3). */
  readonly supported: readonly string[];
  /** Body types this method's handler understands; empty = no body accepted. */
  readonly acceptBody: readonly string[];
  /** Type of the body our answer would carry, checked against the request's Accept (406). */
  readonly answers?: string;
}

/**
 * The UAS checks of RFC 3261 §8.2, in the RFC's order: method, header, content
 * inspection. Returns the rejection to send, or undefined when the request may proceed.
 * A 405 gets its Allow from the caller, who knows which methods have a handler.
 */
export function checkRequest(
  request: SipRequest,
  route: RouteRequirements | undefined,
): Rejection | undefined {
  const method = request.method;
  // §8.2.1 Method inspection.
  if (!KNOWN_METHODS.has(method)) return { status: 501, reason: `Not Implemented: method ${method}` };
  if (!route) {
    return { status: 405, reason: `Method Not Allowed: the connector does not accept ${method}` };
  }
  // Max-Forwards: 0 means the request may not travel further (§16.3 step 2, answered as the issue asks).
  if (request.maxForwards === 0) return { status: 483, reason: "Too Many Hops" };
  // §8.2.2.1 To and Request-URI.
  if (!hasSipScheme(request.uri)) {
    const scheme = request.uri.slice(0, request.uri.indexOf(":")).toLowerCase();
    return { status: 416, reason: `Unsupported URI Scheme: ${scheme}` };
  }
  // §8.2.2.3 Require (never for ACK/CANCEL, whose Require is ignored).
  if (method !== "ACK" && method !== "CANCEL" && request.headers.has("require")) {
    const unsupported = request.headers
      .getAll("require")
      .map((t) => t.trim())
      .filter((tag) => tag && !route.supported.includes(tag.toLowerCase()));
    if (unsupported.length > 0) {
      return {
        status: 420,
        reason: `Bad Extension: ${unsupported.join(", ")}`,
        headers: { unsupported: unsupported.join(", ") },
      };
    }
  }
  // §8.2.3 Content processing.
  if (request.body.length > 0) {
    const type = mediaType(request.headers.get("content-type"));
    if (!type || !route.acceptBody.includes(type)) {
      return {
        status: 415,
        reason: `Unsupported Media Type: ${type || "no Content-Type"}`,
        headers: route.acceptBody.length > 0 ? { accept: route.acceptBody.join(", ") } : {},
      };
    }
    const encoding = request.headers.get("content-encoding")?.trim().toLowerCase();
    if (encoding && encoding !== "identity") {
      return {
        status: 415,
        reason: `Unsupported Media Type: encoding ${encoding}`,
        headers: { "accept-encoding": "identity" },
      };
    }
  }
  if (
    route.answers &&
    request.headers.has("accept") &&
    !accepts(request.headers.getAll("accept"), route.answers)
  ) {
    return {
      status: 406,
      reason: `Not Acceptable: the answer would be ${route.answers}`,
      headers: { accept: route.answers },
    };
  }
  return undefined;
}

/** "sip:" or "sips:", in any case, without building strings (asked for every request). */
function hasSipScheme(uri: string): boolean {
  const lower = (i: number) => uri.charCodeAt(i) | 0x20;
  if (lower(0) !== 0x73 || lower(1) !== 0x69 || lower(2) !== 0x70) return false;
  const next = uri.charCodeAt(3);
  return next === 0x3a || ((next | 0x20) === 0x73 && uri.charCodeAt(4) === 0x3a);
}

function mediaType(value: string | undefined): string {
  return (value ?? "").split(";")[0]!.trim().toLowerCase();
}

function accepts(ranges: string[], type: string): boolean {
  const [major] = type.split("/");
  return ranges.some((r) => {
    const range = mediaType(r);
    return range === type || range === "*/*" || range === `${major}/*`;
  });
}
