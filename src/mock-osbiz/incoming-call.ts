import type { MediaMode, MediaSession } from "../media/index.js";
import { Dialog, newDialogTag } from "../sip/dialog/index.js";
import { createResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import { type CallContext, MockCall } from "./mock-call.js";
import type { ResolvedMockOptions } from "./mock-options.js";
import { type PbxRefusal, refusalResponse } from "./pbx-refusal.js";
import { dialogResponse } from "./responses.js";

export interface IncomingCallContext extends CallContext {
  readonly createMedia: (mode: MediaMode) => Promise<MediaSession>;
  /** A new incoming call, before the behaviour acts on it. */
  readonly incoming: (call: MockCall) => void;
}

/** An INVITE being answered: CANCEL (RFC 3261 §9.2) finds it by its server transaction. */
export interface PendingInvite {
  readonly call: MockCall;
  /** The transaction layer matched a CANCEL and answered it 200: end with 487. */
  cancelled(): void;
  /** Refuse the INVITE now (the callee's desk phone is busy, declined…), unless answered. */
  decline(status: number, reason: string, cause: string): void;
  /** Answer now (the callee's desk phone took the call); false unless ringing. */
  answer(): boolean;
}

/** How the callee's desk phone takes part (twinning, docs/mock-osbiz.md). */
export interface DeskHooks {
  /** The INVITE got 180: the desk phone rings. */
  ringing(): void;
  /** The behaviour answered after ringMs: the desk phone is answered. */
  answered(): void;
}

/**
 * The connector calls a PBX user (RFC 3261 §13.3): answer per the mock's behaviour —
 * busy 486, reject 603, otherwise 180 Ringing and (answer mode) 200 with an SDP answer from a
 * new media session after `ringMs`; no-answer rings until cancelled.
 */
export function receiveInvite(
  ctx: IncomingCallContext,
  tx: ServerTransaction,
  id: string,
  behaviour: ResolvedMockOptions["behaviour"],
  desk?: DeskHooks,
): PendingInvite {
  const request = tx.request;
  const from = request.from.uri.user ?? "anonymous";
  const to = request.requestUri.user ?? request.to.uri.user ?? "";
  const call = new MockCall(ctx, id, "incoming", from, to, request.callId);
  const localTag = newDialogTag();
  let ringTimer: ReturnType<typeof ctx.timers.setTimer> | undefined;
  const refuse = (status: number, reason: string, cause: string, by: "local" | "remote") => {
    if (!call.active || call.state === "answered") return;
    if (ringTimer) ctx.timers.clearTimer(ringTimer);
    tx.respond(createResponse(request, status, reason, localTag));
    call.end(cause, by, status, reason);
  };
  let answerNow: () => boolean = () => false;
  const pending: PendingInvite = {
    call,
    cancelled: () => refuse(487, "Request Terminated", "cancelled by the caller", "remote"),
    decline: (status, reason, cause) => refuse(status, reason, cause, "local"),
    answer: () => answerNow(),
  };
  call.beforeAnswer(() => refuse(603, "Decline", "declined by the mock PBX", "local"));
  ctx.log(`incoming call ${id} from ${from} to ${to}`);
  ctx.incoming(call);

  if (behaviour.mode === "busy" || behaviour.mode === "reject") {
    const [status, reason] = behaviour.mode === "busy" ? [486, "Busy Here"] : [603, "Decline"];
    refuse(status, reason, `${status} ${reason} (behaviour ${behaviour.mode})`, "local");
    return pending;
  }
  void (async () => {
    let media: MediaSession;
    try {
      media = await ctx.createMedia(behaviour.media);
    } catch (error) {
      refuse(503, "Service Unavailable", `no RTP port: ${(error as Error).message}`, "local");
      return;
    }
    if (!call.active) {
      media.close();
      return;
    }
    call.attachMedia(media);
    let sdp: string;
    const offered = request.body.length > 0;
    if (offered) {
      const result = media.answer(request.body.toString("utf8"));
      if (!result.ok) {
        refuse(result.status, result.reason, result.reason, "local");
        return;
      }
      sdp = result.sdp;
    } else {
      // RFC 3261 §13.2.1: no offer in the INVITE: we offer in the 2xx, the ACK answers.
      sdp = media.offer();
    }
    const dialog = Dialog.asUas(request, localTag, tx.connection, ctx.endpoint);
    call.attachDialog(dialog);
    tx.respond(dialogResponse(request, 180, localTag, { endpoint: ctx.endpoint, connection: tx.connection }));
    call.markRinging();
    answerNow = () => {
      if (call.state !== "ringing") return false;
      if (ringTimer) ctx.timers.clearTimer(ringTimer);
      tx.respond(
        dialogResponse(request, 200, localTag, { endpoint: ctx.endpoint, connection: tx.connection }, sdp),
      );
      dialog.state = "confirmed";
      call.markAnswered(200, "OK", !offered);
      ctx.log(`call ${id} answered (${media.mode} media)`);
      return true;
    };
    desk?.ringing();
    if (!call.active || call.state !== "ringing") return;
    if (behaviour.mode === "no-answer") {
      ctx.log(`call ${id} ringing (not answering)`);
      return;
    }
    ctx.log(`call ${id} ringing, answering in ${behaviour.ringMs} ms`);
    ringTimer = ctx.timers.setTimer(behaviour.ringMs, () => {
      if (answerNow()) desk?.answered();
    });
  })();
  return pending;
}

/**
 * The PBX refuses the connector's INVITE itself (a user check, no RTP channel): its status,
 * reason and Warning; the call is listed, then ended.
 */
export function refuseInvite(
  ctx: CallContext,
  tx: ServerTransaction,
  id: string,
  refusal: PbxRefusal,
  warnAgent: string,
  /** Lists the call before it ends (the mock's `calls`). */
  track: (call: MockCall) => void,
): void {
  const request = tx.request;
  const from = request.from.uri.user ?? "anonymous";
  const to = request.requestUri.user ?? request.to.uri.user ?? "";
  const call = new MockCall(ctx, id, "incoming", from, to, request.callId);
  track(call);
  tx.respond(refusalResponse(request, refusal, warnAgent, newDialogTag()));
  const { status, reason, warning } = refusal;
  ctx.log(`incoming call ${id} from ${from} to ${to} refused: ${status} ${reason} (${warning})`);
  call.end(`refused by the PBX: ${warning}`, "local", status, reason);
}
