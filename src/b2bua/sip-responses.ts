import { copyRecordRoute } from "../sip/dialog/index.js";
import { createResponse, type SipRequest, type SipResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { Call } from "./call.js";
import type { Signalling, TenantOutage } from "./ports.js";

/**
 * A response inside (or creating) a dialog: our To tag and Contact, the Record-Route of an
 * INVITE (RFC 3261 §12.1.1), the one Allow list on a 2xx, optional SDP.
 */
export function dialogResponse(
  sip: Pick<Signalling, "endpoint" | "allow">,
  request: SipRequest,
  connection: SipConnection,
  status: number,
  localTag: string,
  options: { reason?: string; sdp?: string; headers?: Record<string, string> } = {},
): SipResponse {
  const response = createResponse(request, status, options.reason, localTag);
  if (status < 300 || status >= 400) {
    if (status !== 100) response.headers.set("contact", `<${sip.endpoint.contact(connection)}>`);
  }
  if (request.method === "INVITE") copyRecordRoute(request, response);
  if (status >= 200 && status < 300) response.headers.set("allow", sip.allow());
  for (const [name, value] of Object.entries(options.headers ?? {})) response.headers.set(name, value);
  if (options.sdp !== undefined) {
    response.headers.set("content-type", "application/sdp");
    response.body = Buffer.from(options.sdp);
  }
  return response;
}

/**
 * Answer an in-dialog request; a 2xx to a re-INVITE is retransmitted until its ACK like any
 * 2xx to INVITE (RFC 3261 §13.3.1.4) — the session existed before, so no ACK only stops it.
 */
export function respondInDialog(
  sip: Pick<Signalling, "answerInvite">,
  tx: ServerTransaction,
  response: SipResponse,
): void {
  if (tx.request.method === "INVITE" && response.status >= 200 && response.status < 300) {
    sip.answerInvite(tx, response);
  } else {
    tx.respond(response);
  }
}

/** The 302 of the "forward" behaviour: the target in Contact, the dialed user in Diversion. */
export function forwardHeaders(domain: string, call: Call, to: string): Record<string, string> {
  return {
    contact: `<sip:${to}@${domain}>`,
    diversion: `<sip:${call.to}@${domain}>;reason=unconditional`,
  };
}

/**
 * The one SIP answer to a call of a tenant that is not functional (its JWT not set, invalid
 * or expired): 480 Temporarily Unavailable, the cause in the reason phrase and in a
 * `Warning: 399` (RFC 3261 §20.43, miscellaneous warning) that PBX traces show as is.
 */
export function notFunctionalResponse(
  request: SipRequest,
  outage: TenantOutage,
  warnAgent: string,
  localTag: string,
): SipResponse {
  const text = notFunctionalText(outage);
  const response = createResponse(request, 480, `Temporarily Unavailable: ${text}`, localTag);
  response.headers.set("warning", `399 ${warnAgent} "${text}"`);
  return response;
}

/** "Unify Phone not functional: JWT expired": the journal's cause and the Warning text. */
export function notFunctionalText(outage: TenantOutage): string {
  return `Unify Phone not functional: ${outage.cause}`;
}
