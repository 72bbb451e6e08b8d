import type { SipRequest } from "../sip/message/index.js";

/** RFC 4730-style `application/dtmf-relay` bodies ("Signal=5\r\nDuration=160") and bare `application/dtmf`. */
export function dtmfFromInfo(request: SipRequest): string | undefined {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const body = request.body.toString("utf8");
  if (type === "application/dtmf-relay")
    return /^\s*Signal\s*=\s*([0-9A-D*#])/im.exec(body)?.[1]?.toUpperCase();
  if (type === "application/dtmf") return /^\s*([0-9A-D*#])/i.exec(body)?.[1]?.toUpperCase();
  return undefined;
}
