import { createResponse, type SipRequest, type SipResponse } from "../sip/message/index.js";
import type { MockPbxUser } from "./pbx-users.js";

/** How the PBX refuses a call of a user who fails a check (docs/mock-osbiz.md lists them). */
export interface PbxRefusal {
  readonly status: number;
  readonly reason: string;
  /** The Warning text: which user and why. */
  readonly warning: string;
}

/** The checks in the order the PBX makes them: licence first, then the station type, then the route. */
export function refusalFor(user: MockPbxUser): PbxRefusal | undefined {
  const who = `user ${user.callno}`;
  if (user.licence === "none")
    return {
      status: 403,
      reason: "Unify Phone licence missing",
      warning: `${who} has no Unify Phone licence`,
    };
  if (user.licence === "expired")
    return {
      status: 403,
      reason: "Unify Phone licence expired",
      warning: `${who}: the Unify Phone licence has expired`,
    };
  if (!user.trustedExternal)
    return {
      status: 403,
      reason: "Not a Trusted External User",
      warning: `${who} is not a Trusted External User`,
    };
  if (!user.unifyPhoneRoute)
    return {
      status: 404,
      reason: "No route to Unify Phone",
      warning: `${who}: the Unify Phone route flag is off`,
    };
  return undefined;
}

/** The RTP pool is empty: the PBX's own 503. */
export function rtpExhausted(total: number): PbxRefusal {
  return {
    status: 503,
    reason: "RTP proxy channels exhausted",
    warning: `all ${total} RTP proxy channels are in use (ITSP, Device@Home and Unify Phone calls)`,
  };
}

/** A call the mock was asked to place and refused itself, as the PBX would: no INVITE went out. */
export class PbxRefusedError extends Error {
  override readonly name = "PbxRefusedError";

  constructor(readonly refusal: PbxRefusal) {
    super(`the PBX refuses the call: ${refusal.status} ${refusal.reason} (${refusal.warning})`);
  }

  get status(): number {
    return this.refusal.status;
  }
}

/**
 * The PBX's own refusal of an INVITE: its status and reason, and a `Warning: 399` (RFC 3261
 * §20.43) naming the PBX as warn-agent, so the cloud side tells it apart from its own answers.
 */
export function refusalResponse(
  request: SipRequest,
  refusal: PbxRefusal,
  agent: string,
  toTag: string,
): SipResponse {
  const response = createResponse(request, refusal.status, refusal.reason, toTag);
  response.headers.set("warning", `399 ${agent} "${refusal.warning.replace(/["\\]/g, "'")}"`);
  return response;
}

/** RFC 3261 §20.43: the warn-agent is a host or a pseudonym token; the system id when it is one. */
export function warnAgent(systemId: string): string {
  return /^[A-Za-z0-9.!%*_+`'~-]{1,64}$/.test(systemId) ? systemId : "osbiz";
}
