import { Headers, SipRequest } from "../sip/message/index.js";

/**
 * RFC 3261 §9.1: the CANCEL for an INVITE we sent: same Request-URI, Call-ID, From, To,
 * Route and top Via (so it reaches the same transaction), CSeq number with method CANCEL;
 * `reason` goes in a Reason header (RFC 3326), e.g. why the caller's side gave up.
 */
export function cancelRequestFor(invite: SipRequest, reason?: string): SipRequest {
  const headers = new Headers();
  headers.append("via", invite.headers.get("via")!);
  headers.append("max-forwards", "70");
  for (const name of ["from", "to", "call-id"]) headers.append(name, invite.headers.get(name)!);
  headers.append("cseq", `${invite.cseq.seq} CANCEL`);
  for (const route of invite.headers.getAll("route")) headers.append("route", route);
  if (reason) headers.append("reason", reason);
  return new SipRequest("CANCEL", invite.uri, headers);
}
