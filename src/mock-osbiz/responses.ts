import { createResponse, type SipRequest, type SipResponse } from "../sip/message/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { MockEndpoint } from "./mock-endpoint.js";

/** Methods the mock PBX handles. */
export const ALLOWED_METHODS = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY";

/**
 * A response that makes or lives in a dialog: our To tag, our Contact (RFC 3261 §12.1.1),
 * Allow, and an SDP body when given.
 */
export function dialogResponse(
  request: SipRequest,
  status: number,
  toTag: string,
  at: { endpoint: MockEndpoint; connection: SipConnection },
  sdp?: string,
): SipResponse {
  const response = createResponse(request, status, undefined, toTag);
  response.headers.append("contact", `<${at.endpoint.contact(at.connection)}>`);
  response.headers.append("allow", ALLOWED_METHODS);
  if (sdp !== undefined) withSdp(response, sdp);
  return response;
}

/** Put an SDP body on a message. */
export function withSdp<T extends SipRequest | SipResponse>(message: T, sdp: string): T {
  message.headers.set("content-type", "application/sdp");
  message.body = Buffer.from(sdp);
  return message;
}
