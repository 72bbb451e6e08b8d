import { Headers, SipRequest, type SipResponse } from "../message/index.js";

/**
 * RFC 3261 §17.1.1.3: the ACK an INVITE client transaction sends for a 300-699 response:
 * Request-URI, Call-ID and From of the INVITE, its top Via only (same branch), its Route
 * header fields, the To of the response (with its tag) and CSeq "<INVITE number> ACK".
 */
export function buildNonSuccessAck(invite: SipRequest, response: SipResponse): SipRequest {
  const original = invite.headers;
  const headers = new Headers();
  headers.append("Via", original.get("Via") ?? "");
  for (const route of original.getAll("Route")) headers.append("Route", route);
  headers.append("Max-Forwards", original.get("Max-Forwards") ?? "70");
  headers.append("From", original.get("From") ?? "");
  headers.append("To", response.headers.get("To") ?? "");
  headers.append("Call-ID", invite.callId);
  headers.append("CSeq", `${invite.cseq.seq} ACK`);
  return new SipRequest("ACK", invite.uri, headers);
}
