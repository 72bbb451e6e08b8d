import type { ClientBinding } from "../registrar/index.js";
import { newCallId } from "../shared/ids.js";
import { Dialog, newDialogTag } from "../sip/dialog/index.js";
import { Headers, SipRequest, type SipResponse } from "../sip/message/index.js";
import { newBranch } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { Call, CallLeg } from "./call.js";
import { cancelRequestFor } from "./cancel-request.js";
import { rejectingAnswer } from "./passed-sdp.js";
import type { CallRecords, Reachability, ReachableClient, Signalling } from "./ports.js";

/** What a fork uses: the SIP side, the clients' flows, the journal. */
export type ClientForkPorts = Pick<Signalling, "endpoint" | "domain" | "allow" | "send"> &
  Pick<Reachability, "clientDialogFlow"> &
  Pick<CallRecords, "note">;

/** One INVITE the fork sent to a registered client. */
export interface ClientLeg {
  readonly binding: ClientBinding;
  readonly request: SipRequest;
  readonly connection: SipConnection;
  /** This leg's entry in `call.legs`. */
  readonly journal: CallLeg;
  /** A provisional arrived: only now may a CANCEL go (RFC 3261 §9.1). */
  provisional: boolean;
  ringing: boolean;
  /** We want the leg gone: CANCEL sent, or due at its first provisional. */
  cancelling: boolean;
  cancelSent: boolean;
  /** The Reason header (RFC 3326) its CANCEL carries. */
  cancelReason?: string;
  /** Its final response arrived, or its transaction died. */
  done: boolean;
  dialog?: Dialog;
  ack?: SipRequest;
}

export interface ClientForkEvents {
  /** A leg's first 180 or 183. */
  ringing(leg: ClientLeg): void;
  /** A leg's first 2xx: true takes it (the first answer wins); false gets ACK and BYE. */
  answered(leg: ClientLeg, response: SipResponse): boolean;
  /** A leg ended without an answer, and not because we cancelled it. */
  failed(leg: ClientLeg, status: number, reason: string): void;
}

/**
 * The client side of a PBX → user call: one INVITE per registered Unify Phone client, each
 * over that client's own WebSocket (RFC 7118 §5), without SDP (late offer, RFC 3261 §13.2.1):
 * each client offers what it speaks (plain RTP or WebRTC) in its 2xx, and the winner's ACK
 * carries the connector's answer from its anchored media (client-media.ts).
 * The fork sends, cancels and acknowledges; which answer wins is its owner's choice.
 */
export class ClientFork {
  private readonly legs: ClientLeg[] = [];

  constructor(
    private readonly ctx: ClientForkPorts,
    private readonly call: Call,
    private readonly parties: { caller: string; userId: string },
    private readonly events: ClientForkEvents,
  ) {}

  /** Legs still waiting for their final response. */
  get outstanding(): number {
    return this.legs.filter((leg) => !leg.done).length;
  }

  start(clients: readonly ReachableClient[]): void {
    for (const { binding, connection } of clients) {
      const request = this.invite(binding.contact, connection);
      const journal: CallLeg = { kind: "client", callId: request.callId };
      this.call.legs.push(journal);
      const leg: ClientLeg = {
        binding,
        request,
        connection,
        journal,
        provisional: false,
        ringing: false,
        cancelling: false,
        cancelSent: false,
        done: false,
      };
      this.legs.push(leg);
      this.ctx.note(this.call, "client-invite", binding.contact);
      this.ctx.send(request, connection, {
        onResponse: (response) => this.onResponse(leg, response),
        onTimeout: () => this.end(leg, 408, "Request Timeout: the client did not answer"),
        onTransportError: () => this.end(leg, 503, "Service Unavailable: the client's connection is lost"),
      });
    }
  }

  /**
   * CANCEL every unanswered leg but `keep` (with `reason` as its Reason header); a leg with no
   * provisional yet is cancelled at its first.
   */
  cancel(keep?: ClientLeg, reason?: string): void {
    for (const leg of this.legs) {
      if (leg === keep || leg.done || leg.cancelling) continue;
      leg.cancelling = true;
      if (reason) leg.cancelReason = reason;
      if (leg.provisional) this.sendCancel(leg);
    }
  }

  /** ACK the taken leg's 2xx; `sdp` answers an offer the client made in it (late offer). */
  acknowledge(leg: ClientLeg, sdp?: string): void {
    if (!leg.dialog || leg.ack) return;
    leg.ack = leg.dialog.createAck(leg.request.cseq.seq);
    if (sdp) {
      leg.ack.headers.set("content-type", "application/sdp");
      leg.ack.body = Buffer.from(sdp);
    }
    leg.dialog.sendStateless(leg.ack);
  }

  private onResponse(leg: ClientLeg, response: SipResponse): void {
    const status = response.status;
    if (status < 200) {
      if (!leg.provisional) {
        leg.provisional = true;
        if (leg.cancelling) this.sendCancel(leg);
      }
      if (status >= 180 && !leg.ringing && !leg.cancelling) {
        leg.ringing = true;
        this.events.ringing(leg);
      }
      return;
    }
    if (status >= 300) {
      this.end(leg, status, response.reason);
      return;
    }
    // 2xx, first or retransmitted (RFC 6026 §8.4): each retransmission gets the same ACK.
    if (leg.dialog) {
      if (leg.ack) leg.dialog.sendStateless(leg.ack);
      return;
    }
    leg.done = true;
    leg.journal.status = status;
    leg.journal.reason = response.reason;
    leg.dialog = Dialog.asUac(leg.request, response, leg.connection, this.ctx.endpoint);
    leg.dialog.followFlow(this.ctx.clientDialogFlow(this.parties.userId, leg.binding.contact));
    // The client offered in its 2xx (late offer): the winner's ACK waits for the anchored answer.
    if (!leg.cancelling && this.events.answered(leg, response)) return;
    // RFC 3261 §15: a 2xx that crossed our CANCEL, or lost the race, still makes a dialog;
    // confirm it and end it at once.
    this.reject(leg, response, "client-late-answer");
  }

  /**
   * End an answered leg at once: ACK with an answer that rejects its offer (RFC 3261
   * §13.2.2.4: the ACK must answer an offer made in a 2xx), then BYE.
   */
  reject(leg: ClientLeg, response: SipResponse, why: string): void {
    if (!leg.dialog) return;
    const offer = response.body.toString("utf8");
    this.acknowledge(leg, offer ? rejectingAnswer(offer) : undefined);
    const bye = leg.dialog.createRequest("BYE");
    this.ctx.send(bye, leg.dialog.connection, { onResponse: () => {} });
    this.ctx.note(this.call, why, `${leg.binding.contact}: ACK and BYE`);
  }

  private end(leg: ClientLeg, status: number, reason: string): void {
    if (leg.done) return;
    leg.done = true;
    leg.journal.status = status;
    leg.journal.reason = reason;
    if (leg.cancelling) return;
    this.ctx.note(this.call, "client-failed", `${leg.binding.contact}: ${status} ${reason}`);
    this.events.failed(leg, status, reason);
  }

  private sendCancel(leg: ClientLeg): void {
    if (leg.cancelSent || leg.done) return;
    leg.cancelSent = true;
    this.ctx.send(cancelRequestFor(leg.request, leg.cancelReason), leg.connection, {
      onResponse: () => {},
    });
    this.ctx.note(this.call, "client-cancel", leg.binding.contact);
  }

  private invite(contact: string, connection: SipConnection): SipRequest {
    const { ctx } = this;
    const headers = new Headers();
    headers.append("via", `${ctx.endpoint.via(connection)};branch=${newBranch()}`);
    headers.append("max-forwards", "70");
    headers.append("from", `<sip:${this.parties.caller}@${ctx.domain}>;tag=${newDialogTag()}`);
    headers.append("to", `<sip:${this.parties.userId}@${ctx.domain}>`);
    headers.append("call-id", newCallId());
    headers.append("cseq", "1 INVITE");
    headers.append("contact", `<${ctx.endpoint.contact(connection)}>`);
    headers.append("allow", ctx.allow());
    return new SipRequest("INVITE", contact, headers);
  }
}
