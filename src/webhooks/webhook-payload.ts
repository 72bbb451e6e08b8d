import { createHmac, randomBytes } from "node:crypto";
import type { VoiceMailbox } from "../domain/index.js";
import {
  type CallSummarySource,
  type CallSummaryView,
  callSummaryView,
  type unmatchedSummary,
} from "../services/index.js";

/** What the dispatcher reads of a journal call (structurally the B2BUA's `Call`). */
export type WebhookCallSource = CallSummarySource;

/** The journal's call summary, plus where the full entry is. */
export interface WebhookCallSummary extends CallSummaryView {
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
  /** `unmatched.request`: what came and how it was answered; the full entry is at `journal`. */
  readonly unmatched?: WebhookUnmatchedSummary;
  /** `mwi.changed`: a user's voice mailbox as the PBX reports it now, and before. */
  readonly mwi?: WebhookMwiSummary;
  /** `desk-phone.state` / `desk-phone.event`: the user's desk phone (docs/cti.md). */
  readonly deskPhone?: Readonly<Record<string, unknown>>;
  /** `presence.changed`: a user's DND and busy now and before (docs/cti.md, Presence). */
  readonly presence?: Readonly<Record<string, unknown>>;
}

/** What the CTI publishes about a desk phone; everything but `type` and `at` becomes `deskPhone`. */
export interface WebhookDeskPhoneNotice {
  readonly type: "desk-phone.state" | "desk-phone.event";
  readonly at: number;
  readonly tenantId: string;
  readonly userId: string;
}

export interface WebhookMwiSummary extends VoiceMailbox {
  readonly tenantId: string;
  readonly userId: string;
  readonly previous: VoiceMailbox;
  readonly source: string;
}

export type WebhookUnmatchedSummary = ReturnType<typeof unmatchedSummary> & { readonly journal: string };

/** A unique delivery id, also sent as `x-upe-delivery`. */
export function newDeliveryId(): string {
  return `evt_${randomBytes(12).toString("hex")}`;
}

/** The call as it stands when the event happens (looked up then, not at delivery). */
export function callSummary(call: WebhookCallSource): WebhookCallSummary {
  return { ...callSummaryView(call), journal: `/api/admin/calls/${encodeURIComponent(call.id)}` };
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
