import { createResponse, type SipRequest, type SipResponse } from "../sip/message/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { B2buaContext } from "./b2bua-context.js";
import type { Call } from "./call.js";

/** Methods a call leg accepts, advertised in Allow. */
export const CALL_METHODS = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY";

/** A response inside (or creating) a dialog: our To tag and Contact, optional SDP. */
export function dialogResponse(
  ctx: B2buaContext,
  request: SipRequest,
  connection: SipConnection,
  status: number,
  localTag: string,
  options: { reason?: string; sdp?: string; headers?: Record<string, string> } = {},
): SipResponse {
  const response = createResponse(request, status, options.reason, localTag);
  if (status < 300 || status >= 400) {
    if (status !== 100) response.headers.set("contact", `<${ctx.endpoint.contact(connection)}>`);
  }
  if (status >= 200 && status < 300) response.headers.set("allow", CALL_METHODS);
  for (const [name, value] of Object.entries(options.headers ?? {})) response.headers.set(name, value);
  if (options.sdp !== undefined) {
    response.headers.set("content-type", "application/sdp");
    response.body = Buffer.from(options.sdp);
  }
  return response;
}

/** The 302 of the "forward" behaviour: the target in Contact, the dialed user in Diversion. */
export function forwardHeaders(ctx: B2buaContext, call: Call, to: string): Record<string, string> {
  return {
    contact: `<sip:${to}@${ctx.domain}>`,
    diversion: `<sip:${call.to}@${ctx.domain}>;reason=unconditional`,
  };
}
