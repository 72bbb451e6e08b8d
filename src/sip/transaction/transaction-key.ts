import type { SipRequest, SipResponse } from "../message/index.js";
import { isRfc3261Branch } from "./branch.js";

type Via = SipRequest["topVia"];

/** True when the request's top Via carries a usable RFC 3261 branch (§17.2.3). */
export function hasRfc3261Branch(request: SipRequest): boolean {
  return isRfc3261Branch(request.topVia.branch);
}

/**
 * The key a request is matched on at the server (RFC 3261 §17.2.3); `method` is the
 * method of the transaction sought (ACK and CANCEL look up their INVITE with "INVITE").
 */
export function serverKey(request: SipRequest, method: string): string {
  const via = request.topVia;
  // RFC 3261 §17.2.3: branch, sent-by and method identify the transaction.
  if (isRfc3261Branch(via.branch)) return branchKey(method, via.branch, via);
  // RFC 3261 §17.2.3, RFC 2543 compatibility: Request-URI, From tag, Call-ID, CSeq number and
  // top Via. The To tag is checked by the caller, as an ACK carries the response's To tag.
  // "|" is no token character, so these keys never collide with branch keys.
  const fromTag = request.from.params.tag ?? "";
  return `${method} | ${request.uri} ${fromTag} ${request.callId} ${request.cseq.seq} ${viaIdentity(via)}`;
}

/** The §17.2.3 key of a request whose top Via (`via`, its branch aside) carries the RFC 3261 `branch`. */
export function branchKey(method: string, branch: string, via: Via): string {
  return `${method} ${branch} ${sentBy(via)}`;
}

/** RFC 3261 §17.1.3: a response matches the client transaction of its top Via branch and CSeq method. */
export function clientKeyOfResponse(response: SipResponse): string | undefined {
  const branch = response.topVia.branch;
  return branch === undefined ? undefined : clientKey(response.cseq.method, branch);
}

export function clientKey(method: string, branch: string): string {
  return `${method} ${branch}`;
}

/** RFC 3261 §8.2.2.2: requests without a To tag are merged when these are equal. */
export function mergeKey(request: SipRequest): string {
  const cseq = request.cseq;
  return mergeKeyOf(request.from.params.tag ?? "", request.callId, cseq.seq, cseq.method);
}

/** The §8.2.2.2 merge key of a request with this From tag ("" when none), Call-ID and CSeq. */
export function mergeKeyOf(fromTag: string, callId: string, seq: number, method: string): string {
  return `${fromTag} ${callId} ${seq} ${method}`;
}

function sentBy(via: Via): string {
  const host = via.host.toLowerCase();
  return via.port === undefined ? host : `${host}:${via.port}`;
}

function viaIdentity(via: Via): string {
  return `${via.transport.toUpperCase()}/${sentBy(via)};${via.branch ?? ""}`;
}
