import type { Trunk } from "../domain/index.js";
import type { MediaSession } from "../media/index.js";
import { Dialog, newDialogTag } from "../sip/dialog/index.js";
import { createResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { B2buaContext } from "./b2bua-context.js";
import { Call } from "./call.js";
import { behaviourOf, type VirtualBehaviour } from "./call-behaviour.js";
import { findUserByNumber, numberingMismatch } from "./number-plan.js";
import { dialogResponse } from "./sip-responses.js";

/** RFC 3261 §13.3.1.4: without an ACK for 64·T1 the UAS gives up on the 2xx and hangs up. */
const ACK_TIMEOUT_MS = 32_000;

/** A PBX→user INVITE waiting for the user's answer, so CANCEL and ACK can find it. */
export interface PendingInvite {
  readonly call: Call;
  readonly tx: ServerTransaction;
  readonly dialog: Dialog;
  readonly media: MediaSession;
  /** Set when we sent an SDP offer in the 200 (the INVITE had none): the ACK answers it. */
  offeredInAnswer: boolean;
  timer?: ReturnType<B2buaContext["timers"]["setTimer"]>;
  answered: boolean;
}

/**
 * PBX → Unify Phone user (SPEC §3.3): the INVITE must come over a registered trunk's
 * TLS connection, within the trunk's line limit, to a number of the tenant's plan;
 * the user's virtual behaviour answers it.
 */
export class PbxInbound {
  /** Pending INVITEs by server-transaction id. */
  readonly pending = new Map<string, PendingInvite>();

  constructor(private readonly ctx: B2buaContext) {}

  handle(tx: ServerTransaction): void {
    const ctx = this.ctx;
    const request = tx.request;
    const trunk = this.trunkOf(tx);
    if (!trunk) {
      tx.respond(createResponse(request, 403, "Forbidden: INVITE not from a registered trunk connection"));
      return;
    }
    const system = ctx.store.systems.get(trunk.systemRef);
    const dialed = request.requestUri.user ?? "";
    const caller = request.from.uri.user ?? "anonymous";
    const call = new Call(
      ctx.nextCallId(),
      "pbx-to-user",
      trunk.tenantId,
      trunk.id,
      trunk.name,
      null,
      caller,
      dialed,
      ctx.clock.now(),
      "echo",
    );
    call.legs.push({ kind: "pbx", callId: request.callId });
    const limit = system?.simultaneousCalls ?? 0;
    if (ctx.journal.linesInUse(trunk.id) >= limit) {
      this.refuse(
        tx,
        call,
        503,
        `Service Unavailable: all trunk lines busy (${limit}/${limit})`,
        "all trunk lines busy",
      );
      return;
    }
    const user = findUserByNumber(dialed, (n) => ctx.store.users.getByPhoneNumber(trunk.tenantId, n));
    if (!user) {
      this.refuse(
        tx,
        call,
        404,
        `Not Found: ${numberingMismatch(dialed, system?.numbering)}`,
        "number not in the numbering plan",
      );
      return;
    }
    const behaviour = behaviourOf(user.callBehaviour);
    const answered = new Call(
      call.id,
      call.direction,
      call.tenantId,
      call.trunkId,
      call.trunkName,
      user.id,
      caller,
      dialed,
      call.createdAt,
      behaviour.mode === "answer" ? behaviour.media : behaviour.mode === "voicemail" ? "tone" : "echo",
    );
    answered.legs.push(...call.legs, { kind: "virtual-user", callId: request.callId });
    ctx.journal.add(answered);
    ctx.note(answered, "invite", `from ${caller} to ${dialed} (${user.emailAddress}) on ${trunk.name}`);
    void this.start(tx, answered, behaviour);
  }

  /** ACK for our 2xx (RFC 3261 §13.3.1.4): the dialog is confirmed. */
  acknowledged(pending: PendingInvite, sdp: string | undefined): void {
    if (pending.timer) this.ctx.timers.clearTimer(pending.timer);
    this.pending.delete(pending.tx.id);
    pending.dialog.state = "confirmed";
    if (pending.offeredInAnswer && sdp) {
      const result = pending.media.applyAnswer(sdp);
      if (!result.ok) this.ctx.note(pending.call, "media-error", result.reason);
    }
    this.ctx.note(pending.call, "ack");
  }

  /** CANCEL matched the INVITE (the transaction layer answered the CANCEL with 200). */
  cancelled(tx: ServerTransaction): void {
    const pending = this.pending.get(tx.id);
    if (!pending || pending.answered) return;
    this.pending.delete(tx.id);
    if (pending.timer) this.ctx.timers.clearTimer(pending.timer);
    tx.respond(createResponse(tx.request, 487, "Request Terminated", pending.dialog.localTag));
    this.ctx.finish(pending.call, { status: 487, cause: "cancelled by the PBX", by: "pbx" });
  }

  /** The user hangs up (API) before answering: decline the INVITE. */
  decline(call: Call): boolean {
    for (const pending of this.pending.values()) {
      if (pending.call !== call || pending.answered) continue;
      this.pending.delete(pending.tx.id);
      if (pending.timer) this.ctx.timers.clearTimer(pending.timer);
      pending.tx.respond(createResponse(pending.tx.request, 603, "Decline", pending.dialog.localTag));
      this.ctx.finish(call, { status: 603, cause: "declined by the user", by: "user" });
      return true;
    }
    return false;
  }

  private async start(tx: ServerTransaction, call: Call, behaviour: VirtualBehaviour): Promise<void> {
    const ctx = this.ctx;
    const request = tx.request;
    const localTag = newDialogTag();
    // Refusals need no media.
    const refusal = refusalOf(behaviour);
    if (refusal) {
      tx.respond(createResponse(request, refusal.status, refusal.reason, localTag));
      ctx.finish(call, { status: refusal.status, cause: refusal.cause, by: "user" });
      return;
    }
    if (behaviour.mode === "forward") {
      const response = createResponse(request, 302, "Moved Temporarily", localTag);
      response.headers.set("contact", `<sip:${behaviour.to}@${ctx.domain}>`);
      response.headers.set("diversion", `<sip:${call.to}@${ctx.domain}>;reason=unconditional`);
      tx.respond(response);
      ctx.finish(call, { status: 302, cause: `forwarded to ${behaviour.to}`, by: "user" });
      return;
    }
    let media: MediaSession;
    try {
      media = await ctx.media.createSession({ mode: call.mediaMode });
    } catch (err) {
      tx.respond(createResponse(request, 503, "Service Unavailable: no media port free"));
      ctx.finish(call, { status: 503, cause: `no media port: ${(err as Error).message}`, by: "emulator" });
      return;
    }
    call.media = media;
    media.onDtmf((digit) => {
      call.dtmf.push({ digit, via: "rfc4733", at: ctx.clock.now() });
      ctx.note(call, "dtmf", `${digit} (RFC 4733)`);
    });
    let answerSdp: string;
    let offeredInAnswer = false;
    if (request.body.length > 0) {
      const result = media.answer(request.body.toString("utf8"));
      if (!result.ok) {
        tx.respond(createResponse(request, result.status, result.reason, localTag));
        ctx.finish(call, { status: result.status, cause: result.reason, by: "emulator" });
        return;
      }
      answerSdp = result.sdp;
      ctx.note(call, "media", `${result.codec.name} ${result.direction}`);
    } else {
      // Late offer (RFC 3261 §13.2.1): we offer in the 2xx, the ACK carries the answer.
      answerSdp = media.offer();
      offeredInAnswer = true;
    }
    const dialog = Dialog.asUas(request, localTag, tx.connection, ctx.endpoint);
    const pending: PendingInvite = { call, tx, dialog, media, offeredInAnswer, answered: false };
    this.pending.set(tx.id, pending);
    ctx.dialogs.set(dialog.key, { dialog, call, leg: "pbx" });
    tx.respond(dialogResponse(ctx, request, tx.connection, 180, localTag));
    call.state = "ringing";
    call.ringingAt = ctx.clock.now();
    ctx.note(call, "ringing");
    const ringMs = "ringMs" in behaviour ? behaviour.ringMs : 0;
    pending.timer = ctx.timers.setTimer(ringMs, () => {
      if (!this.pending.has(tx.id) || !call.active) return;
      if (behaviour.mode === "no-answer") {
        this.pending.delete(tx.id);
        tx.respond(createResponse(request, 480, "Temporarily Unavailable: no answer", localTag));
        ctx.finish(call, { status: 480, cause: "no answer", by: "user" });
        return;
      }
      this.answer(pending, answerSdp, behaviour.mode === "voicemail" ? "answered by voicemail" : "answered");
    });
  }

  private answer(pending: PendingInvite, sdp: string, what: string): void {
    const ctx = this.ctx;
    const { call, tx, dialog } = pending;
    pending.answered = true;
    tx.respond(dialogResponse(ctx, tx.request, tx.connection, 200, dialog.localTag, { sdp }));
    call.state = "answered";
    call.answeredAt = ctx.clock.now();
    call.finalStatus = 200;
    ctx.note(call, "answered", what);
    pending.timer = ctx.timers.setTimer(ACK_TIMEOUT_MS, () => {
      if (!this.pending.has(tx.id)) return;
      this.pending.delete(tx.id);
      ctx.note(call, "ack-timeout", "no ACK for the 200 OK within 64·T1");
      // RFC 3261 §13.3.1.4: confirm the dialog, then end the session with BYE.
      const bye = dialog.createRequest("BYE");
      ctx.transactions.sendRequest(bye, dialog.connection, { onResponse: () => {} });
      ctx.finish(call, { cause: "no ACK from the PBX", by: "emulator" });
    });
  }

  private refuse(tx: ServerTransaction, call: Call, status: number, reason: string, cause: string): void {
    this.ctx.journal.add(call);
    this.ctx.note(call, "invite", `from ${call.from} to ${call.to} on ${call.trunkName}`);
    tx.respond(createResponse(tx.request, status, reason, newDialogTag()));
    this.ctx.finish(call, { status, cause, by: "emulator" });
  }

  /** The trunk registered over the connection this INVITE came on. */
  private trunkOf(tx: ServerTransaction): Trunk | undefined {
    for (const trunkId of this.ctx.bindings.trunksOnConnection(tx.connection.id)) {
      const trunk = this.ctx.store.trunks.get(trunkId);
      if (trunk) return trunk;
    }
    return undefined;
  }
}

function refusalOf(b: VirtualBehaviour): { status: number; reason: string; cause: string } | undefined {
  switch (b.mode) {
    case "busy":
      return { status: 486, reason: "Busy Here", cause: "user busy" };
    case "reject":
      return { status: 603, reason: "Decline", cause: "rejected by the user" };
    case "unavailable":
      return { status: 480, reason: "Temporarily Unavailable", cause: "user unavailable" };
    default:
      return undefined;
  }
}
