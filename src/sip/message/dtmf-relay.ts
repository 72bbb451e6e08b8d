import type { SipRequest } from "./message.js";

/**
 * The digit a SIP INFO carries: an `application/dtmf-relay` body ("Signal=5\r\nDuration=160")
 * or a bare `application/dtmf` one. Used by the B2BUA and by the mock OSBiz.
 */
export function dtmfFromInfo(request: SipRequest): string | undefined {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const body = request.body.toString("utf8");
  if (type === "application/dtmf-relay")
    return /^\s*Signal\s*=\s*([0-9A-D*#])/im.exec(body)?.[1]?.toUpperCase();
  if (type === "application/dtmf") return /^\s*([0-9A-D*#])/i.exec(body)?.[1]?.toUpperCase();
  return undefined;
}
