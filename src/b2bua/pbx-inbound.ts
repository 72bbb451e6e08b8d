import type { Trunk } from "../domain/index.js";
import type { MediaSession } from "../media/index.js";
import { Dialog, dialogKeyOfIncoming, newDialogTag } from "../sip/dialog/index.js";
import { createResponse, type SipRequest } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import { Call } from "./call.js";
import {
  behaviourOf,
  type RoutingDecision,
  refusalOf,
  routingDecision,
  type UserRoutingPort,
  type VirtualBehaviour,
} from "./call-behaviour.js";
import { ForkedInvite, type ForkedInvitePorts } from "./forked-invite.js";
import { findUserByNumber, numberingMismatch } from "./number-plan.js";
import { passThroughProblem } from "./passed-sdp.js";
import type {
  CallDirectory,
  CallEnding,
  CallRecords,
  Reachability,
  ReachableClient,
  ServiceState,
  Signalling,
  TimersPort,
} from "./ports.js";
import { dialogResponse, forwardHeaders, notFunctionalResponse, notFunctionalText } from "./sip-responses.js";
import { virtualMedia } from "./virtual-media.js";

/** A PBX→user INVITE waiting for the user's answer, so CANCEL and ACK can find it. */
export interface PendingInvite {
  readonly call: Call;
  readonly tx: ServerTransaction;
  readonly dialog: Dialog;
  /** The virtual user's media; null when a client answers (its media is not anchored). */
  media: MediaSession | null;
  /** Set when the 200 carried an SDP offer (the INVITE had none): the ACK answers it. */
  offeredInAnswer: boolean;
  /** Passes the PBX's ACK body on to the client that answered (its late offer). */
  relayAck?: (sdp: string | undefined) => void;
  /** The virtual user's ring timer (ringMs), until it answers or refuses. */
  timer?: ReturnType<TimersPort["timers"]["setTimer"]>;
  answered: boolean;
  /** The Reason header (RFC 3326) of the PBX's CANCEL, passed on to ringing clients. */
  cancelReason?: string;
}

/** What the PBX → user side uses. */
export type PbxInboundPorts = ForkedInvitePorts &
  Pick<CallDirectory, "trunk" | "system" | "userByNumber"> &
  Pick<Reachability, "trunksOnConnection" | "trunkDialogFlow" | "reachableClients"> &
  CallRecords &
  CallEnding &
  ServiceState &
  Pick<Signalling, "answerInvite" | "domain"> & {
    /** The user's DND and busy now (presence); undefined without a presence service. */
    /** The journal entry the user's desk phone was last in (a pulled call's origin). */
    lastDeskEntry?: (userId: string) => string | undefined;
    userPresence?: (
      ...args: Parameters<UserRoutingPort["presence"]>
    ) => ReturnType<UserRoutingPort["presence"]> | undefined;
  };

/**
 * PBX → Unify Phone user (SPEC §3.3): the INVITE must come over a registered trunk's
 * TLS connection, within the trunk's line limit, to a number of the tenant's plan; the
 * user's virtual behaviour answers it, or one of the user's registered clients, per the
 * behaviour's `routing`.
 */
export class PbxInbound {
  /** Pending INVITEs by server-transaction id. */
  readonly pending = new Map<string, PendingInvite>();

  constructor(private readonly ctx: PbxInboundPorts) {}

  handle(tx: ServerTransaction): void {
    const ctx = this.ctx;
    const request = tx.request;
    const trunk = this.trunkOf(tx);
    if (!trunk) {
      tx.respond(createResponse(request, 403, "Forbidden: INVITE not from a registered trunk connection"));
      return;
    }
    const system = ctx.system(trunk.systemRef);
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
      ctx.now(),
      "echo",
    );
    call.legs.push({ kind: "pbx", callId: request.callId });
    // The trunk may be registered and the connector Available while the tenant is not
    // functional (its JWT): the cause comes first, before lines or numbers are looked at.
    const outage = ctx.tenantOutage(trunk.tenantId);
    if (outage) {
      ctx.record(call);
      ctx.note(call, "invite", `from ${call.from} to ${call.to} on ${call.trunkName}`);
      tx.respond(notFunctionalResponse(request, outage, ctx.domain, newDialogTag()));
      ctx.finish(call, { status: 480, cause: notFunctionalText(outage), by: "emulator" });
      return;
    }
    const limit = system?.simultaneousCalls ?? 0;
    if (ctx.linesInUse(trunk.id) >= limit) {
      this.refuse(
        tx,
        call,
        503,
        `Service Unavailable: all trunk lines busy (${limit}/${limit})`,
        "all trunk lines busy",
      );
      return;
    }
    const user = findUserByNumber(dialed, (n) => ctx.userByNumber(trunk.tenantId, n));
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
    // A call the user pulled from their desk phone (Referred-By their own callno) alerts whatever
    // the routing, DND or busy say: the user asked for it. Otherwise those decide before any leg
    // alerts; presence is read before this call counts.
    const pulled = user.callno !== undefined && referredBy(request) === user.callno;
    const decision: RoutingDecision = pulled
      ? { kind: "alert" }
      : routingDecision(user, ctx.userPresence?.(trunk.tenantId, user.id));
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
    answered.legs.push(...call.legs);
    if (pulled) answered.pulledFrom = ctx.lastDeskEntry?.(user.id) ?? null;
    // The virtual user takes part unless only the clients may answer.
    if (behaviour.routing !== "clients-only")
      answered.legs.push({ kind: "virtual-user", callId: request.callId });
    ctx.record(answered);
    ctx.note(answered, "invite", `from ${caller} to ${dialed} (${user.emailAddress}) on ${trunk.name}`);
    if (pulled)
      ctx.note(
        answered,
        "pulled",
        `from the desk phone${answered.pulledFrom ? ` (${answered.pulledFrom})` : ""}`,
      );
    if (decision.kind !== "alert") {
      this.route(tx, answered, decision);
      return;
    }
    const clients = behaviour.routing === "virtual-only" ? [] : ctx.reachableClients(user.id);
    if (clients.length > 0) {
      this.startForked(tx, answered, behaviour, clients);
    } else if (behaviour.routing === "clients-only") {
      const reason = "no client of the user is registered";
      tx.respond(createResponse(request, 480, `Temporarily Unavailable: ${reason}`, newDialogTag()));
      ctx.finish(answered, { status: 480, cause: reason, by: "emulator" });
    } else {
      void this.start(tx, answered, behaviour);
    }
  }

  /** The user's routing settings answer the INVITE themselves: no leg alerts (docs/cti.md, Routing). */
  private route(
    tx: ServerTransaction,
    call: Call,
    decision: Exclude<RoutingDecision, { kind: "alert" }>,
  ): void {
    const localTag = newDialogTag();
    call.refusedBy = "connector";
    if (decision.kind === "refuse") {
      tx.respond(createResponse(tx.request, decision.status, decision.reason, localTag));
      this.ctx.finish(call, { status: decision.status, cause: decision.cause, by: "user" });
      return;
    }
    const response = createResponse(tx.request, 302, "Moved Temporarily", localTag);
    for (const [name, value] of Object.entries(forwardHeaders(this.ctx.domain, call, decision.to)))
      response.headers.set(name, value);
    tx.respond(response);
    this.ctx.finish(call, { status: 302, cause: decision.cause, by: "user" });
  }

  /**
   * ACK for our 2xx (RFC 3261 §13.3.1.4), matched by dialog and CSeq: the dialog is
   * confirmed. False when the ACK is not for an answered INVITE of ours.
   */
  acknowledged(ack: SipRequest): boolean {
    const key = dialogKeyOfIncoming(ack);
    for (const pending of this.pending.values()) {
      if (pending.answered && pending.dialog.key === key && pending.tx.request.cseq.seq === ack.cseq.seq) {
        this.confirm(pending, ack.body.length > 0 ? ack.body.toString("utf8") : undefined);
        return true;
      }
    }
    return false;
  }

  private confirm(pending: PendingInvite, sdp: string | undefined): void {
    this.pending.delete(pending.tx.id);
    pending.dialog.state = "confirmed";
    pending.relayAck?.(sdp);
    if (pending.offeredInAnswer && sdp && pending.media) {
      const result = pending.media.applyAnswer(sdp);
      if (!result.ok) this.ctx.note(pending.call, "media-error", result.reason);
    }
    this.ctx.note(pending.call, "ack");
  }

  /** CANCEL matched the INVITE (the transaction layer answered the CANCEL with 200). */
  cancelled(tx: ServerTransaction, reason?: string): void {
    const pending = this.pending.get(tx.id);
    if (!pending || pending.answered) return;
    if (reason) pending.cancelReason = reason;
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
      for (const [name, value] of Object.entries(forwardHeaders(ctx.domain, call, behaviour.to)))
        response.headers.set(name, value);
      tx.respond(response);
      ctx.finish(call, { status: 302, cause: `forwarded to ${behaviour.to}`, by: "user" });
      return;
    }
    const prepared = await virtualMedia(ctx, call, request);
    if (!prepared.ok) {
      tx.respond(createResponse(request, prepared.status, prepared.reason, localTag));
      ctx.finish(call, { status: prepared.status, cause: prepared.cause, by: "emulator" });
      return;
    }
    const { media, sdp: answerSdp, offeredInAnswer } = prepared;
    const dialog = Dialog.asUas(request, localTag, tx.connection, ctx.endpoint);
    dialog.followFlow(ctx.trunkDialogFlow(call.trunkId));
    const pending: PendingInvite = { call, tx, dialog, media, offeredInAnswer, answered: false };
    this.pending.set(tx.id, pending);
    ctx.dialogs.set(dialog.key, { dialog, call, leg: "pbx" });
    tx.respond(dialogResponse(ctx, request, tx.connection, 180, localTag));
    call.state = "ringing";
    call.ringingAt = ctx.now();
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

  /** The user's clients ring too (or alone): the first answer wins (issue 4 §2). */
  private startForked(
    tx: ServerTransaction,
    call: Call,
    behaviour: VirtualBehaviour,
    clients: readonly ReachableClient[],
  ): void {
    const ctx = this.ctx;
    const request = tx.request;
    const localTag = newDialogTag();
    const problem = request.body.length > 0 ? passThroughProblem(request.body.toString("utf8")) : undefined;
    if (problem) {
      tx.respond(createResponse(request, 488, `Not Acceptable Here: ${problem}`, localTag));
      ctx.finish(call, { status: 488, cause: problem, by: "emulator" });
      return;
    }
    const dialog = Dialog.asUas(request, localTag, tx.connection, ctx.endpoint);
    dialog.followFlow(ctx.trunkDialogFlow(call.trunkId));
    const pending: PendingInvite = { call, tx, dialog, media: null, offeredInAnswer: false, answered: false };
    this.pending.set(tx.id, pending);
    ctx.dialogs.set(dialog.key, { dialog, call, leg: "pbx" });
    const forked = new ForkedInvite(ctx, pending, behaviour.routing === "clients-only" ? null : behaviour, {
      answer: (p, sdp, what) => this.answer(p, sdp, what),
      forget: (p) => this.pending.delete(p.tx.id),
    });
    void forked.start(clients);
  }

  private answer(pending: PendingInvite, sdp: string | undefined, what: string): void {
    const ctx = this.ctx;
    const { call, tx, dialog } = pending;
    pending.answered = true;
    const response = dialogResponse(
      ctx,
      tx.request,
      tx.connection,
      200,
      dialog.localTag,
      sdp === undefined ? {} : { sdp },
    );
    call.state = "answered";
    call.answeredAt = ctx.now();
    call.finalStatus = 200;
    // Retransmitted until the ACK; after 64·T1 without one, RFC 3261 §13.3.1.4: confirm the
    // dialog, then end the session with BYE (a client too).
    ctx.answerInvite(tx, response, () => {
      if (!this.pending.delete(tx.id)) return;
      ctx.note(call, "ack-timeout", "no ACK for the 200 OK within 64·T1");
      ctx.sendByes(call);
      ctx.finish(call, { cause: "no ACK from the PBX", by: "emulator" });
    });
    ctx.note(call, "answered", what);
  }

  private refuse(tx: ServerTransaction, call: Call, status: number, reason: string, cause: string): void {
    this.ctx.record(call);
    this.ctx.note(call, "invite", `from ${call.from} to ${call.to} on ${call.trunkName}`);
    tx.respond(createResponse(tx.request, status, reason, newDialogTag()));
    call.refusedBy = "connector";
    this.ctx.finish(call, { status, cause, by: "emulator" });
  }

  /** The trunk registered over the connection this INVITE came on. */
  private trunkOf(tx: ServerTransaction): Trunk | undefined {
    for (const trunkId of this.ctx.trunksOnConnection(tx.connection.id)) {
      const trunk = this.ctx.trunk(trunkId);
      if (trunk) return trunk;
    }
    return undefined;
  }
}

/** The user part of `Referred-By` (RFC 3892): the mock OSBiz names the desk phone a call was pulled from. */
function referredBy(request: SipRequest): string | undefined {
  const value = request.headers.get("referred-by");
  return value ? /sips?:([^@;>]+)@/.exec(value)?.[1] : undefined;
}
