import { createResponse, type SipRequest, type SipResponse } from "../sip/message/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { MockEndpoint } from "./mock-endpoint.js";

/** Methods the mock PBX handles. */
export const ALLOWED_METHODS = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, NOTIFY, REFER";

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

/**
 * The answer to a request that starts no call: OPTIONS and NOTIFY 200 (keep-alive probes,
 * unsolicited notifications), in-dialog methods 481 (no such call), anything else 501
 * (RFC 3261 §8.2.1).
 */
export function outsideDialogResponse(request: SipRequest): SipResponse {
  switch (request.method) {
    case "OPTIONS": {
      const response = createResponse(request, 200, "OK");
      response.headers.append("allow", ALLOWED_METHODS);
      response.headers.append("accept", "application/sdp");
      return response;
    }
    case "NOTIFY":
      return createResponse(request, 200, "OK");
    case "BYE":
    case "INFO":
    case "UPDATE":
    case "REFER":
      return createResponse(request, 481, "Call/Transaction Does Not Exist");
    default: {
      const response = createResponse(request, 501, "Not Implemented");
      response.headers.append("allow", ALLOWED_METHODS);
      return response;
    }
  }
}
