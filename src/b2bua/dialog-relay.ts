import { randomInt } from "node:crypto";
import { dialogKeyOfIncoming } from "../sip/dialog/index.js";
import { createResponse, dtmfFromInfo, type SipRequest, type SipResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { Call } from "./call.js";
import type { OfferTranslation } from "./client-media.js";
import { holds, offeredDirection, rejectingAnswer } from "./passed-sdp.js";
import type { CallEnding, CallRecords, DialogEntry, Signalling } from "./ports.js";

/** What relaying between the two sides uses. */
export type DialogRelayPorts = Pick<CallRecords, "now" | "note"> &
  Pick<CallEnding, "finish" | "sendByes"> &
  Pick<Signalling, "endpoint" | "allow" | "send" | "answerInvite" | "unmodelled">;

import { dialogResponse, respondInDialog } from "./sip-responses.js";

/**
 * In-dialog requests of a call that joins the PBX and a Unify Phone client (issue 4 §8):
 * the B2BUA passes each on to the other side and answers the asker with what that side
 * answered — BYE, re-INVITE/UPDATE (hold and retrieve noted in the journal), INFO (DTMF
 * noted). Transfer (REFER) of such calls is not emulated.
 */
export class DialogRelay {
  /** Calls with a relayed re-INVITE or UPDATE in flight, and the side that sent it. */
  private readonly renegotiating = new Map<Call, DialogEntry>();
  /** ACKs owed to the far side of an offerless re-INVITE, by the asker's dialog key and CSeq. */
  private readonly owedAcks = new Map<string, (sdp: string | undefined) => void>();

  constructor(private readonly ctx: DialogRelayPorts) {}

  bye(tx: ServerTransaction, entry: DialogEntry): void {
    tx.respond(createResponse(tx.request, 200, "OK"));
    this.ctx.sendByes(entry.call, entry);
    const by = entry.leg === "pbx" ? "pbx" : "user";
    this.ctx.finish(entry.call, { cause: `BYE from the ${sideOf(entry)}`, by });
  }

  /** re-INVITE or UPDATE: forwarded with its offer; the answer goes back to the asker. */
  renegotiate(tx: ServerTransaction, entry: DialogEntry, peer: DialogEntry): void {
    const { call } = entry;
    const request = tx.request;
    const inFlight = this.renegotiating.get(call);
    if (inFlight === entry) {
      // RFC 3261 §14.2, RFC 3311 §5.2: the asker's previous one is not answered yet.
      const response = createResponse(request, 500, "Server Internal Error: the previous offer is pending");
      response.headers.set("retry-after", String(randomInt(0, 11)));
      tx.respond(response);
      return;
    }
    if (inFlight) {
      // RFC 3261 §14.2 (glare): we are waiting for this side's answer to the other side's offer.
      tx.respond(createResponse(request, 491, "Request Pending"));
      return;
    }
    const offer = request.body.length > 0 ? request.body.toString("utf8") : undefined;
    // Anchored media (client-media.ts): the asker's leg answers, the other leg offers the same direction.
    const anchored = call.anchoredMedia;
    let translated: OfferTranslation | undefined;
    if (anchored && offer !== undefined) {
      translated = anchored.translateOffer(entry.leg, offer);
      if (!translated.ok) {
        tx.respond(createResponse(request, translated.status, translated.reason, entry.dialog.localTag));
        return;
      }
    }
    const outgoing = translated?.ok ? translated.forward : offer;
    const forwarded = peer.dialog.createRequest(
      request.method,
      outgoing === undefined ? {} : { body: outgoing, contentType: "application/sdp" },
    );
    const isInvite = request.method === "INVITE";
    let settled = false;
    let ack: SipRequest | undefined;
    const sendAck = (sdp: string | undefined) => {
      ack = peer.dialog.createAck(forwarded.cseq.seq);
      if (sdp) {
        ack.headers.set("content-type", "application/sdp");
        ack.body = Buffer.from(sdp);
      }
      peer.dialog.sendStateless(ack);
    };
    const settle = (response: SipResponse | { status: number; reason: string }) => {
      settled = true;
      this.renegotiating.delete(call);
      if (!pending(tx)) return;
      if (response.status >= 300 || !("body" in response)) {
        tx.respond(createResponse(request, response.status, response.reason, entry.dialog.localTag));
        return;
      }
      let sdp = response.body.length > 0 ? response.body.toString("utf8") : undefined;
      if (anchored && translated?.ok) {
        // The other leg's answer stays with the connector; the asker gets its own leg's answer.
        const applied = sdp && offer !== undefined ? anchored.translateAnswer(peer.leg, sdp) : undefined;
        if (applied && !applied.ok) this.ctx.note(call, "media-error", applied.reason);
        sdp = translated.answerBack;
      }
      respondInDialog(
        this.ctx,
        tx,
        dialogResponse(this.ctx, request, tx.connection, response.status, entry.dialog.localTag, {
          ...(sdp === undefined ? {} : { sdp }),
        }),
      );
      this.noteHold(entry, request.method, offer);
    };
    this.renegotiating.set(call, entry);
    this.ctx.send(forwarded, peer.dialog.connection, {
      onResponse: (response) => {
        const { status } = response;
        if (status < 200) return;
        if (isInvite && status < 300) {
          // RFC 6026 §8.4: every 2xx of the forwarded re-INVITE gets the (same) ACK.
          if (ack) peer.dialog.sendStateless(ack);
          else if (!settled) {
            // No offer from the asker: the 2xx has the other side's, the asker's ACK the answer.
            const peerOffer = response.body.length > 0 ? response.body.toString("utf8") : undefined;
            if (offer === undefined && anchored && peerOffer !== undefined) {
              // Anchored: the other leg answers at once; the asker gets its own leg's offer.
              translated = anchored.translateOffer(peer.leg, peerOffer);
              sendAck(translated.ok ? translated.answerBack : rejectingAnswer(peerOffer));
              if (translated.ok) {
                const answerBack = translated.answerBack;
                translated = { ok: true, forward: answerBack, answerBack: translated.forward };
                this.owedAcks.set(ackKey(entry, request), (sdp) => {
                  const applied = sdp ? anchored.translateAnswer(entry.leg, sdp) : undefined;
                  if (applied && !applied.ok) this.ctx.note(call, "media-error", applied.reason);
                });
              }
            } else if (offer === undefined) this.owedAcks.set(ackKey(entry, request), sendAck);
            else sendAck(undefined);
          }
        }
        if (!settled) settle(response);
      },
      onTimeout: () => settle({ status: 408, reason: `Request Timeout: the ${sideOf(peer)} did not answer` }),
      onTransportError: () =>
        settle({ status: 503, reason: `Service Unavailable: the ${sideOf(peer)}'s connection is lost` }),
    });
  }

  /** The asker's ACK for a relayed re-INVITE's 2xx: it may carry the answer the far side waits for. */
  acknowledged(ack: SipRequest): boolean {
    const key = dialogKeyOfIncoming(ack);
    const owed = key ? this.owedAcks.get(`${key}\u0000${ack.cseq.seq}`) : undefined;
    if (!owed) return false;
    this.owedAcks.delete(`${key}\u0000${ack.cseq.seq}`);
    owed(ack.body.length > 0 ? ack.body.toString("utf8") : undefined);
    return true;
  }

  /** INFO (DTMF as application/dtmf-relay): journal, pass on, answer with the other side's status. */
  info(tx: ServerTransaction, entry: DialogEntry, peer: DialogEntry): void {
    const { call } = entry;
    const request = tx.request;
    const digit = dtmfFromInfo(request);
    if (digit) {
      call.dtmf.push({ digit, via: "info", at: this.ctx.now() });
      this.ctx.note(call, "dtmf", `${digit} (SIP INFO from the ${sideOf(entry)})`);
    }
    const contentType = request.headers.get("content-type");
    const forwarded = peer.dialog.createRequest(
      "INFO",
      contentType ? { body: request.body, contentType } : {},
    );
    const answer = (status: number, reason: string) => {
      if (pending(tx)) tx.respond(createResponse(request, status, reason));
    };
    this.ctx.send(forwarded, peer.dialog.connection, {
      onResponse: (response) => {
        if (response.status >= 200) answer(response.status, response.reason);
      },
      onTimeout: () => answer(408, `Request Timeout: the ${sideOf(peer)} did not answer`),
      onTransportError: () => answer(503, `Service Unavailable: the ${sideOf(peer)}'s connection is lost`),
    });
  }

  refer(tx: ServerTransaction, entry: DialogEntry): void {
    const what = entry.call.direction === "pbx-to-user" ? "answered" : "placed";
    const answer = {
      status: 501,
      reason: `Not Implemented: transfer of calls ${what} by a client is not emulated`,
    };
    if (this.ctx.unmodelled) this.ctx.unmodelled(tx, answer);
    else tx.respond(createResponse(tx.request, answer.status, answer.reason));
    this.ctx.note(entry.call, "refer-refused", `from the ${sideOf(entry)}: not emulated for client calls`);
  }

  private noteHold(entry: DialogEntry, method: string, offer: string | undefined): void {
    const direction = offer === undefined ? undefined : offeredDirection(offer);
    const { call } = entry;
    const detail = `${method} from the ${sideOf(entry)}, relayed`;
    if (!direction) {
      this.ctx.note(call, "renegotiated", detail);
      return;
    }
    const held = holds(direction);
    if (held !== call.onHold) {
      call.onHold = held;
      this.ctx.note(call, held ? "hold" : "retrieve", `${detail}: a=${direction}`);
    } else {
      this.ctx.note(call, "renegotiated", `${detail}: a=${direction}`);
    }
  }
}

function sideOf(entry: DialogEntry): string {
  return entry.leg === "pbx" ? "PBX" : "client";
}

function ackKey(entry: DialogEntry, request: SipRequest): string {
  return `${entry.dialog.key}\u0000${request.cseq.seq}`;
}

function pending(tx: ServerTransaction): boolean {
  return tx.state === "trying" || tx.state === "proceeding";
}
