import { Dialog, dialogKeyOfIncoming, newDialogTag } from "../sip/dialog/index.js";
import { createResponse, type SipRequest, type SipResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import { legKindOf } from "./anchor-sdp.js";
import type { Call } from "./call.js";
import { ClientMedia } from "./client-media.js";
import type { CallRefusal, OutboundRelay, PbxOutbound } from "./pbx-outbound.js";
import type {
  CallDirectory,
  CallEnding,
  CallRecords,
  DialogEntry,
  DialogsPort,
  MediaPort,
  Reachability,
  Signalling,
} from "./ports.js";
import { registeredCaller } from "./registered-caller.js";
import { dialogResponse, notFunctionalResponse } from "./sip-responses.js";

/** What the client → PBX side uses (the call itself goes through PbxOutbound). */
export type ClientOutboundPorts = Pick<CallDirectory, "user"> &
  Pick<Reachability, "trunksOnConnection" | "usersOnConnection" | "clientOn" | "clientDialogFlow"> &
  Pick<CallRecords, "note" | "now"> &
  CallEnding &
  Pick<Signalling, "endpoint" | "allow" | "answerInvite" | "domain"> &
  DialogsPort &
  MediaPort;

/** A client's INVITE toward the PBX, until we sent it a final response. */
interface ClientInvite {
  readonly tx: ServerTransaction;
  readonly localTag: string;
  call?: Call;
  cancelled: boolean;
}

/** Our 2xx to a client, until its ACK. */
interface AwaitedAck {
  readonly call: Call;
  readonly dialog: Dialog;
  /** Set when the client made no offer: its ACK brings the answer for the PBX's ACK. */
  readonly relayAck?: (sdp: string | undefined) => void;
}

/** What an offerless client INVITE gets toward it: a plain RTP leg (its ACK answers our offer). */
const PLAIN_RTP =
  "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 8 9\r\n";

/**
 * Unify Phone client → PBX (issue 4 §3): an INVITE without To tag from a WebSocket on which
 * the calling user's client registered goes to the user's trunk as a user → PBX call (the
 * same path as the admin API's). The media is anchored (client-media.ts): the PBX gets the
 * connector's offer, the client the connector's answer; the PBX's 18x and final response
 * come back to the client's INVITE.
 */
export class ClientOutbound {
  private readonly invites = new Map<string, ClientInvite>();
  private readonly acks = new Map<string, AwaitedAck>();

  constructor(
    private readonly ctx: ClientOutboundPorts,
    private readonly outbound: Pick<PbxOutbound, "start" | "cancel">,
  ) {}

  /**
   * Does an INVITE on this connection come from the client side? A WebSocket (a client's,
   * registered or not) or a connection a client registered on — never one of a trunk.
   */
  fromClientSide(connection: SipConnection): boolean {
    if (this.ctx.trunksOnConnection(connection.id).length > 0) return false;
    return (
      connection.protocol === "WS" ||
      connection.protocol === "WSS" ||
      this.ctx.usersOnConnection(connection.id).length > 0
    );
  }

  async handle(tx: ServerTransaction): Promise<void> {
    const ctx = this.ctx;
    const request = tx.request;
    const users = ctx.usersOnConnection(tx.connection.id);
    if (users.length === 0) {
      tx.respond(
        createResponse(request, 403, "Forbidden: no Unify Phone client is registered on this connection"),
      );
      return;
    }
    const user = registeredCaller(ctx, tx, users);
    if (!user) return;
    const dialed = request.requestUri.user;
    if (!dialed) {
      tx.respond(createResponse(request, 404, "Not Found: the Request-URI has no number to call"));
      return;
    }
    const invite: ClientInvite = { tx, localTag: newDialogTag(), cancelled: false };
    this.invites.set(tx.id, invite);
    const anchored = await this.anchor(invite);
    if (!anchored) return;
    const { media, pbxOffer } = anchored;
    if (invite.cancelled || !tx.connection.open) {
      media.close();
      this.invites.delete(tx.id);
      return;
    }
    const started = await this.outbound.start(user, dialed, {
      relay: this.relayFor(invite, media, pbxOffer),
    });
    if (!("id" in started)) {
      media.close();
      this.refuse(invite, started);
      return;
    }
    invite.call = started;
    media.bind(started);
    media.onDigit((digit, side) => {
      started.dtmf.push({ digit, via: "rfc4733", at: this.ctx.now() });
      this.ctx.note(started, "dtmf", `${digit} (RFC 4733 from the ${side === "pbx" ? "PBX" : "client"})`);
    });
    this.ctx.whenEnded(started, () => {
      this.invites.delete(tx.id);
      if (started.answeredAt !== null) this.ctx.note(started, "media-summary", media.summary());
      media.close();
    });
    if (invite.cancelled) this.outbound.cancel(started);
  }

  /**
   * The call's anchored media (client-media.ts): a client leg of the kind the client's offer
   * asks for and a PBX leg whose offer lists only the codecs the client offered. Answers the
   * client itself (488, 503) and gives undefined when that cannot be.
   */
  private async anchor(invite: ClientInvite): Promise<{ media: ClientMedia; pbxOffer: string } | undefined> {
    const request = invite.tx.request;
    const clientOffer = request.body.length > 0 ? request.body.toString("utf8") : null;
    let media: ClientMedia;
    try {
      media = await ClientMedia.open(this.ctx);
    } catch (error) {
      this.answerClient(invite, 503, `Service Unavailable: no media port free (${(error as Error).message})`);
      return undefined;
    }
    const kind = clientOffer === null ? "rtp" : legKindOf(clientOffer);
    // A browser's leg opens on the PBX's answer: the gateway's answer must name the PBX's codec.
    const opened =
      kind === "webrtc"
        ? ({ ok: true } as const)
        : kind === "rtp"
          ? await media.openClientLeg(clientOffer ?? PLAIN_RTP)
          : ({
              ok: false,
              status: 488,
              reason: "Not Acceptable Here: no RTP/AVP or WebRTC audio stream",
            } as const);
    const offer = opened.ok ? media.offerToPbx(clientOffer) : opened;
    if (!offer.ok) {
      media.close();
      this.answerClient(invite, offer.status, offer.reason);
      return undefined;
    }
    return { media, pbxOffer: offer.sdp };
  }

  /** CANCEL from the client (the transaction layer answered it 200): 487, and CANCEL toward the PBX. */
  cancelled(tx: ServerTransaction): boolean {
    const invite = this.invites.get(tx.id);
    if (!invite) return false;
    this.answerClient(invite, 487, "Request Terminated");
    invite.cancelled = true;
    if (invite.call) this.outbound.cancel(invite.call);
    return true;
  }

  /** The client's ACK for our 2xx (RFC 3261 §13.3.1.4); false when it is not one of ours. */
  acknowledged(ack: SipRequest): boolean {
    const key = dialogKeyOfIncoming(ack);
    const awaited = key ? this.acks.get(key) : undefined;
    if (!key || !awaited) return false;
    this.acks.delete(key);
    awaited.dialog.state = "confirmed";
    awaited.relayAck?.(ack.body.length > 0 ? ack.body.toString("utf8") : undefined);
    this.ctx.note(awaited.call, "ack", "from the client");
    return true;
  }

  /** A client's WebSocket closed: its unanswered calls are cancelled toward the PBX. */
  connectionClosed(connection: SipConnection): void {
    for (const invite of this.invites.values()) {
      if (invite.tx.connection !== connection || invite.cancelled) continue;
      invite.cancelled = true;
      if (invite.call) this.outbound.cancel(invite.call);
    }
  }

  private relayFor(invite: ClientInvite, media: ClientMedia, pbxOffer: string): OutboundRelay {
    const request = invite.tx.request;
    const clientOffer = request.body.length > 0 ? request.body.toString("utf8") : null;
    return {
      offer: pbxOffer,
      clientCallId: request.callId,
      provisional: (response) => void this.provisional(invite, response, media, clientOffer),
      answered: (response, pbx) => void this.answered(invite, response, pbx, media, clientOffer),
      failed: (status, reason) => this.answerClient(invite, status, reason),
    };
  }

  /** 18x to the client; one with the PBX's (early) answer carries the client leg's answer. */
  private async provisional(
    invite: ClientInvite,
    response: SipResponse,
    media: ClientMedia,
    clientOffer: string | null,
  ): Promise<void> {
    const { tx, localTag } = invite;
    if (response.status === 100 || !pending(tx)) return;
    let sdp: string | undefined;
    if (response.body.length > 0 && clientOffer !== null) {
      const answered = await media.pbxAnswer(response.body.toString("utf8"), clientOffer);
      if (answered.ok) sdp = answered.clientSdp;
      else if (invite.call) this.ctx.note(invite.call, "media-error", answered.reason);
      if (!pending(tx)) return;
    }
    tx.respond(
      dialogResponse(this.ctx, tx.request, tx.connection, response.status, localTag, {
        reason: response.reason,
        ...(sdp === undefined ? {} : { sdp }),
      }),
    );
  }

  private async answered(
    invite: ClientInvite,
    response: SipResponse,
    pbx: DialogEntry,
    media: ClientMedia,
    clientOffer: string | null,
  ): Promise<void> {
    const ctx = this.ctx;
    const { tx, localTag } = invite;
    const call = pbx.call;
    this.invites.delete(tx.id);
    if (!pending(tx) || !tx.connection.open) {
      // The client is gone: the PBX's call ends at once.
      ctx.sendByes(call);
      ctx.finish(call, { cause: "the calling client is gone", by: "emulator" });
      return;
    }
    const negotiated = await media.pbxAnswer(response.body.toString("utf8"), clientOffer);
    if (!call.active) return;
    if (!pending(tx) || !tx.connection.open) {
      ctx.sendByes(call);
      ctx.finish(call, { cause: "the calling client is gone", by: "emulator" });
      return;
    }
    if (!negotiated.ok) {
      ctx.note(call, "media-error", negotiated.reason);
      this.answerClient(invite, negotiated.status, negotiated.reason);
      ctx.sendByes(call);
      ctx.finish(call, { status: negotiated.status, cause: negotiated.reason, by: "emulator" });
      return;
    }
    const dialog = Dialog.asUas(tx.request, localTag, tx.connection, ctx.endpoint);
    const binding = ctx.clientOn(call.userId ?? "", tx.connection.id);
    if (binding) dialog.followFlow(ctx.clientDialogFlow(binding.userId, binding.contact));
    const client: DialogEntry = { dialog, call, leg: "client", peer: pbx };
    pbx.peer = client;
    ctx.dialogs.set(dialog.key, client);
    // A client that made no offer gets ours in the 200; its ACK answers it.
    const relayAck =
      clientOffer === null
        ? (sdp: string | undefined) => {
            const applied = sdp ? media.applyClientAnswer(sdp) : undefined;
            if (!applied?.ok)
              ctx.note(call, "media-error", applied ? applied.reason : "the client's ACK has no SDP answer");
          }
        : undefined;
    this.acks.set(dialog.key, { call, dialog, ...(relayAck ? { relayAck } : {}) });
    ctx.whenEnded(call, () => this.acks.delete(dialog.key));
    const { pbx: pbxLeg, client: clientLeg } = media.views();
    ctx.note(
      call,
      "media",
      `anchored: PBX leg port ${pbxLeg.localPort}, client leg ${clientLeg?.kind} port ${clientLeg?.localPort}, ${pbxLeg.codec}`,
    );
    // Retransmitted until the client's ACK (RFC 3261 §13.3.1.4); without one for 64·T1, BYE.
    const ok = dialogResponse(ctx, tx.request, tx.connection, 200, localTag, { sdp: negotiated.clientSdp });
    ctx.answerInvite(tx, ok, () => {
      if (!this.acks.delete(dialog.key)) return;
      ctx.note(call, "ack-timeout", "no ACK from the client for the 200 OK within 64·T1");
      ctx.sendByes(call);
      ctx.finish(call, { cause: "no ACK from the client", by: "emulator" });
    });
    setLegStatus(call, 200, "OK");
  }

  private refuse(invite: ClientInvite, refusal: CallRefusal): void {
    if ("call" in refusal) invite.call = refusal.call;
    switch (refusal.kind) {
      case "user_not_found":
        this.answerClient(invite, 404, `Not Found: ${refusal.detail}`);
        return;
      case "user_not_assigned":
        this.answerClient(invite, 403, `Forbidden: ${refusal.detail}`);
        return;
      case "trunk_not_registered":
        refusal.call.finalStatus ??= 480;
        this.answerClient(invite, 480, `Temporarily Unavailable: ${refusal.detail}`);
        return;
      case "trunk_lines_busy":
        this.answerClient(invite, 503, `Service Unavailable: ${refusal.detail}`);
        return;
      case "tenant_not_functional": {
        // The same answer a PBX gets calling a user of this tenant (docs/jwt.md).
        const response = notFunctionalResponse(
          invite.tx.request,
          refusal.outage,
          this.ctx.domain,
          invite.localTag,
        );
        this.answerClient(invite, response.status, response.reason, response);
        return;
      }
    }
  }

  /** A final non-2xx to the client's INVITE, unless it already has one. */
  private answerClient(invite: ClientInvite, status: number, reason: string, response?: SipResponse): void {
    const { tx, localTag } = invite;
    this.invites.delete(tx.id);
    if (!pending(tx)) return;
    tx.respond(response ?? createResponse(tx.request, status, reason, localTag));
    if (invite.call) setLegStatus(invite.call, status, reason);
  }
}

function pending(tx: ServerTransaction): boolean {
  return tx.state === "trying" || tx.state === "proceeding";
}

function setLegStatus(call: Call, status: number, reason: string): void {
  const leg = call.legs.find((l) => l.kind === "client");
  if (leg) {
    leg.status = status;
    leg.reason = reason;
  }
}
