import { createHmac, randomBytes } from "node:crypto";

/** What the dispatcher reads of a journal call (structurally the B2BUA's `Call`). */
export interface WebhookCallSource {
  readonly id: string;
  readonly direction: string;
  readonly state: string;
  readonly tenantId: string;
  readonly trunkId: string;
  readonly trunkName: string;
  readonly userId: string | null;
  readonly from: string;
  readonly to: string;
  readonly finalStatus: number | null;
  readonly hangupCause: string | null;
}

export interface WebhookCallSummary {
  readonly id: string;
  readonly direction: string;
  readonly state: string;
  readonly tenantId: string;
  readonly trunkId: string;
  readonly trunk: string;
  readonly userId: string | null;
  readonly from: string;
  readonly to: string;
  readonly finalStatus: number | null;
  readonly hangupCause: string | null;
  /** The full journal entry on the admin API. */
  readonly journal: string;
}

export interface WebhookConnectorSummary {
  readonly tenantId: string;
  readonly trunkId: string;
  readonly status: string;
  readonly reason: string;
}

/** The JSON body of one POST (docs/webhooks.md). */
export interface WebhookPayload {
  readonly id: string;
  readonly type: string;
  /** Emulator-clock time of the event, ISO 8601. */
  readonly at: string;
  /** The same instant in ms since the epoch (as `epochMs` of GET /api/admin/clock). */
  readonly emulatorTime: number;
  readonly detail?: string;
  readonly call?: WebhookCallSummary;
  readonly connector?: WebhookConnectorSummary;
}

/** A unique delivery id, also sent as `x-upe-delivery`. */
export function newDeliveryId(): string {
  return `evt_${randomBytes(12).toString("hex")}`;
}

/** The call as it stands when the event happens (looked up then, not at delivery). */
export function callSummary(call: WebhookCallSource): WebhookCallSummary {
  return {
    id: call.id,
    direction: call.direction,
    state: call.state,
    tenantId: call.tenantId,
    trunkId: call.trunkId,
    trunk: call.trunkName,
    userId: call.userId,
    from: call.from,
    to: call.to,
    finalStatus: call.finalStatus,
    hangupCause: call.hangupCause,
    journal: `/api/admin/calls/${encodeURIComponent(call.id)}`,
  };
}

/** GitHub-style signature of the exact body bytes: `sha256=<hex HMAC-SHA256>`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** The request headers of one delivery. */
export function webhookHeaders(
  delivery: { readonly id: string; readonly type: string; readonly body: string },
  secret: string | null,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "unify-phone-emulator-webhook",
    "x-upe-event": delivery.type,
    "x-upe-delivery": delivery.id,
    ...(secret === null ? {} : { "x-upe-signature": signBody(delivery.body, secret) }),
  };
}
