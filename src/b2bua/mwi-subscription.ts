import type { TimerHandle } from "../shared/clock.js";
import type { Dialog } from "../sip/dialog/index.js";
import type { SipRequest } from "../sip/message/index.js";

/** RFC 3842 §4.2: the default duration of a message-summary subscription is one hour. */
export const DEFAULT_MWI_EXPIRES = 3600;
/** Shorter subscriptions than this are refused 423 (RFC 6665 §4.2.1.1), except 0 (unsubscribe / fetch). */
export const MIN_MWI_EXPIRES = 60;

/** One message-summary subscription we are the notifier of: a PBX's or a client's, for one user. */
export interface MwiSubscription {
  readonly dialog: Dialog;
  readonly userId: string;
  readonly tenantId: string;
  /** "pbx" (over a trunk) or "client" (a Unify Phone client's WebSocket). */
  readonly side: "pbx" | "client";
  /** Message-Account of our NOTIFY bodies: the subscribed URI. */
  readonly account: string;
  expiresAt: number;
  timer?: TimerHandle;
}

/** The Expires a SUBSCRIBE asks (header, default one hour), or an error reason for a 400. */
export function requestedExpires(request: SipRequest): number | string {
  const raw = request.headers.get("expires");
  if (raw === undefined) return DEFAULT_MWI_EXPIRES;
  const value = raw.trim();
  if (!/^\d{1,10}$/.test(value))
    return `Bad Request: Expires "${value.slice(0, 20)}" is not a number of seconds`;
  return Number(value);
}
