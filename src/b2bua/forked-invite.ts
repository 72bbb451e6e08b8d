import { createResponse, type SipResponse } from "../sip/message/index.js";
import { refusalOf, type VirtualBehaviour } from "./call-behaviour.js";
import { ClientFork, type ClientForkPorts, type ClientLeg } from "./client-fork.js";
import { ClientMedia, type Refusal } from "./client-media.js";
import type { PendingInvite } from "./pbx-inbound.js";
import type {
  CallEnding,
  CallRecords,
  DialogEntry,
  DialogsPort,
  MediaPort,
  ReachableClient,
  TimersPort,
} from "./ports.js";
import { bestFinalResponse } from "./response-selection.js";
import { dialogResponse, forwardHeaders } from "./sip-responses.js";
import { virtualMedia } from "./virtual-media.js";

/** What a forked INVITE uses besides its fork's ports. */
export type ForkedInvitePorts = ClientForkPorts &
  Pick<CallRecords, "now"> &
  Pick<CallEnding, "finish" | "whenEnded"> &
  DialogsPort &
  TimersPort &
  MediaPort;

/** What the PBX INVITE's owner does for a forked call. */
export interface ForkHost {
  /** Answer the PBX with 200 (and wait for its ACK). */
  answer(pending: PendingInvite, sdp: string | undefined, what: string): void;
  /** The INVITE got its final non-2xx: forget it. */
  forget(pending: PendingInvite): void;
}

/** How one branch (the virtual user, or a client) failed, as the PBX would be told. */
interface BranchFailure {
  readonly status: number;
  readonly reason: string;
  readonly cause: string;
  readonly by: "user" | "emulator";
  readonly headers?: Readonly<Record<string, string>>;
}

/** RFC 3326 Reason of the CANCEL to clients when another branch answered. */
const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';

/**
 * A PBX → user INVITE that rings the user's clients, in parallel with the virtual
 * behaviour unless the routing is "clients-only". The first 2xx wins: the other branches
 * are cancelled (the virtual user's timer and media too). When every branch failed, the
 * PBX gets the best final response, chosen as a forking proxy would (RFC 3261 §16.7).
 */
export class ForkedInvite {
  private readonly fork: ClientFork;
  private readonly failures: BranchFailure[] = [];
  private readonly offer: string | null;
  private virtualPending: boolean;
  private started = false;
  private settled = false;
  private ringingSent = false;

  constructor(
    private readonly ctx: ForkedInvitePorts,
    private readonly pending: PendingInvite,
    /** The virtual behaviour ringing in parallel; null for "clients-only". */
    private readonly virtual: VirtualBehaviour | null,
    private readonly host: ForkHost,
  ) {
    const { call, tx } = pending;
    this.offer = tx.request.body.length > 0 ? tx.request.body.toString("utf8") : null;
    this.virtualPending = virtual !== null;
    this.fork = new ClientFork(
      ctx,
      call,
      { caller: call.from, userId: call.userId ?? "" },
      {
        ringing: (leg) => this.ring(`client ${leg.binding.contact}`),
        answered: (leg, response) => this.clientAnswered(leg, response),
        failed: (leg, status, reason) =>
          this.failed({
            status,
            reason,
            cause: `client ${leg.binding.contact}: ${status} ${reason}`,
            by: "user",
          }),
      },
    );
  }

  async start(clients: readonly ReachableClient[]): Promise<void> {
    // However the call ends (PBX CANCEL, hang-up over the API, lost connection), ringing clients get CANCEL.
    this.ctx.whenEnded(this.pending.call, () => {
      this.settled = true;
      this.fork.cancel(undefined, this.pending.cancelReason);
    });
    this.fork.start(clients);
    this.started = true;
    if (this.virtual) await this.startVirtual(this.virtual);
    else this.settleIfAllFailed();
  }

  private async startVirtual(behaviour: VirtualBehaviour): Promise<void> {
    const { ctx, pending } = this;
    const { call, tx } = pending;
    const refusal = refusalOf(behaviour);
    if (refusal) {
      this.virtualFailed({ ...refusal, by: "user" });
      return;
    }
    if (behaviour.mode === "forward") {
      const headers = forwardHeaders(ctx.domain, call, behaviour.to);
      const cause = `forwarded to ${behaviour.to}`;
      this.virtualFailed({ status: 302, reason: "Moved Temporarily", cause, by: "user", headers });
      return;
    }
    const prepared = await virtualMedia(ctx, call, tx.request);
    if (!prepared.ok || this.settled || !call.active) {
      // A client answered (or the call ended) while the port was being bound.
      this.dropVirtualMedia();
      if (!prepared.ok) this.virtualFailed({ ...prepared, by: "emulator" });
      return;
    }
    this.ring("virtual user");
    const ringMs = "ringMs" in behaviour ? behaviour.ringMs : 0;
    pending.timer = ctx.timers.setTimer(ringMs, () => {
      if (this.settled || !call.active) return;
      if (behaviour.mode === "no-answer") {
        this.dropVirtualMedia();
        this.virtualFailed({
          status: 480,
          reason: "Temporarily Unavailable: no answer",
          cause: "no answer",
          by: "user",
        });
        return;
      }
      this.settled = true;
      this.fork.cancel(undefined, COMPLETED_ELSEWHERE);
      pending.media = prepared.media;
      pending.offeredInAnswer = prepared.offeredInAnswer;
      this.host.answer(
        pending,
        prepared.sdp,
        behaviour.mode === "voicemail" ? "answered by voicemail" : "answered",
      );
    });
  }

  /** The first 180/183 of any branch rings the PBX; later ones add nothing. */
  private ring(who: string): void {
    if (this.ringingSent || this.settled || !this.pending.call.active) return;
    this.ringingSent = true;
    const { ctx } = this;
    const { call, tx, dialog } = this.pending;
    tx.respond(dialogResponse(ctx, tx.request, tx.connection, 180, dialog.localTag));
    call.state = "ringing";
    call.ringingAt = ctx.now();
    ctx.note(call, "ringing", who);
  }

  private clientAnswered(leg: ClientLeg, response: SipResponse): boolean {
    const { ctx, pending } = this;
    const { call } = pending;
    if (this.settled || !call.active || !leg.dialog) return false;
    this.settled = true;
    if (pending.timer) ctx.timers.clearTimer(pending.timer);
    this.dropVirtualMedia();
    this.fork.cancel(leg, COMPLETED_ELSEWHERE);
    void this.anchor(leg, response);
    return true;
  }

  /**
   * The winning client offered in its 2xx: its media and the PBX's meet on the connector's
   * ports (client-media.ts). The client's ACK gets our answer, the PBX our 200 with the
   * connector's address; without a codec both speak, the client is ended and the PBX gets 488.
   */
  private async anchor(leg: ClientLeg, response: SipResponse): Promise<void> {
    const { ctx, pending } = this;
    const { call, tx, dialog } = pending;
    const clientOffer = response.body.toString("utf8");
    let media: ClientMedia | undefined;
    let outcome: { ok: true; clientAnswer: string; pbxSdp: string } | Refusal;
    if (!clientOffer) {
      outcome = { ok: false, status: 488, reason: "Not Acceptable Here: the client's 2xx has no SDP offer" };
    } else {
      try {
        media = await ClientMedia.open(ctx);
        media.bind(call);
        outcome = await media.acceptClientOffer(clientOffer, this.offer);
      } catch (error) {
        outcome = {
          ok: false,
          status: 503,
          reason: `Service Unavailable: no media port free (${(error as Error).message})`,
        };
      }
    }
    if (!outcome.ok || !call.active || !leg.dialog) {
      media?.close();
      call.anchoredMedia = null;
      this.fork.reject(leg, response, "client-refused");
      if (!outcome.ok && call.active) {
        ctx.note(call, "media-error", outcome.reason);
        this.host.forget(pending);
        tx.respond(createResponse(tx.request, outcome.status, outcome.reason, dialog.localTag));
        ctx.finish(call, { status: outcome.status, cause: outcome.reason, by: "emulator" });
      }
      return;
    }
    const anchored = media!;
    anchored.onDigit((digit, side) => {
      call.dtmf.push({ digit, via: "rfc4733", at: ctx.now() });
      ctx.note(call, "dtmf", `${digit} (RFC 4733 from the ${side === "pbx" ? "PBX" : "client"})`);
    });
    ctx.whenEnded(call, () => {
      ctx.note(call, "media-summary", anchored.summary());
      anchored.close();
    });
    // The two dialogs are joined: what comes on one is relayed to the other.
    const pbx = ctx.dialogs.get(dialog.key);
    const client: DialogEntry = { dialog: leg.dialog, call, leg: "client", ...(pbx ? { peer: pbx } : {}) };
    if (pbx) pbx.peer = client;
    ctx.dialogs.set(leg.dialog.key, client);
    this.fork.acknowledge(leg, outcome.clientAnswer);
    if (this.offer === null) {
      // The PBX made no offer: our 200 offers, its ACK answers.
      pending.offeredInAnswer = true;
      pending.relayAck = (sdp) => {
        const applied = sdp ? anchored.applyPbxAnswer(sdp) : undefined;
        if (!applied?.ok)
          ctx.note(call, "media-error", applied ? applied.reason : "the PBX's ACK has no SDP answer");
      };
    }
    const { pbx: pbxLeg, client: clientLeg } = anchored.views();
    ctx.note(
      call,
      "media",
      `anchored: PBX leg port ${pbxLeg.localPort}, client leg ${clientLeg?.kind} port ${clientLeg?.localPort}, ${clientLeg?.codec}`,
    );
    this.host.answer(pending, outcome.pbxSdp, `answered by client ${leg.binding.contact}`);
  }

  private virtualFailed(failure: BranchFailure): void {
    this.virtualPending = false;
    this.failed(failure);
  }

  private failed(failure: BranchFailure): void {
    this.failures.push(failure);
    this.settleIfAllFailed();
  }

  private settleIfAllFailed(): void {
    const { ctx, pending } = this;
    const { call, tx, dialog } = pending;
    if (!this.started || this.settled || !call.active) return;
    if (this.virtualPending || this.fork.outstanding > 0) return;
    this.settled = true;
    const best = this.failures[bestFinalResponse(this.failures.map((f) => f.status))] ?? {
      status: 480,
      reason: "Temporarily Unavailable",
      cause: "nobody answered",
      by: "emulator",
    };
    // RFC 3261 §16.7: a 503 of one branch is not passed on, or the PBX would take the connector for unavailable.
    const status = best.status === 503 ? 500 : best.status;
    const response = createResponse(
      tx.request,
      status,
      status === best.status ? best.reason : "Server Internal Error",
      dialog.localTag,
    );
    for (const [name, value] of Object.entries(best.headers ?? {})) response.headers.set(name, value);
    this.host.forget(pending);
    tx.respond(response);
    ctx.finish(call, { status, cause: best.cause, by: best.by });
  }

  /** The virtual user's media is no longer the call's: a client's media flows end to end. */
  private dropVirtualMedia(): void {
    const call = this.pending.call;
    call.media?.close();
    call.media = null;
  }
}
