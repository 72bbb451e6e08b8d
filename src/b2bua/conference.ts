import { ConferenceMixer, isMixable } from "../media/index.js";
import { Dialog, newDialogTag } from "../sip/dialog/index.js";
import { createResponse, type SipRequest } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import { offeredCodecs, restrictCodecs } from "./anchor-sdp.js";
import { Call } from "./call.js";
import { ClientMedia } from "./client-media.js";
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
import { dialogResponse } from "./sip-responses.js";
import { sendReferNotify, statusLine } from "./transfer.js";
import { dropLeg, resumeHeld } from "./transfer-bridge.js";
import { dialogNamedBy, parseReferTo } from "./transfer-target.js";

/** The conference factory URI's user part: `sip:conference@<domain>` (RFC 4579 §5.1 ad-hoc). */
export const CONFERENCE_FACTORY = "conference";

export type ConferencePorts = DialogsPort &
  Pick<CallDirectory, "user" | "trunk"> &
  Pick<Reachability, "usersOnConnection" | "clientOn" | "clientDialogFlow"> &
  Pick<CallRecords, "note" | "now" | "nextCallId"> &
  Pick<CallEnding, "finish" | "sendByes" | "whenEnded"> &
  Pick<Signalling, "endpoint" | "allow" | "send" | "answerInvite"> &
  MediaPort;

/** A conference focus: the client's dialog with it, its media, the mixer and the joined calls. */
interface Focus {
  readonly call: Call;
  readonly mixer: ConferenceMixer;
  readonly members: Set<Call>;
}

/** The mixer's id of the client's own leg to the focus. */
const CLIENT = "client";

/**
 * A 3-way (or larger) conference mixed by the emulator, RFC 4579 ad-hoc style: the client
 * INVITEs `sip:conference@<domain>` (the focus answers on an anchored client leg of its own,
 * plain RTP or WebRTC), then REFERs the
 * focus dialog once per call to bring in, with Refer-To naming that call's dialog in Replaces
 * (sip.js `session.refer(otherSession)`). Each named call's PBX leg (anchored media) is taken
 * off its relay and fed to the mixer, the client's leg of it gets BYE, and every party hears
 * the other parties (G.711 N-1 mix, 20 ms steps). Ending the focus dialog ends the joined calls.
 */
export class ClientConference {
  private readonly foci = new Map<string, Focus>();

  constructor(private readonly ctx: ConferencePorts) {}

  isFactory(request: SipRequest): boolean {
    return request.requestUri.user === CONFERENCE_FACTORY;
  }

  owns(entry: DialogEntry): boolean {
    return this.foci.has(entry.dialog.key);
  }

  async create(tx: ServerTransaction): Promise<void> {
    const { ctx } = this;
    const request = tx.request;
    const user = registeredCaller(ctx, tx);
    if (!user) return;
    // The focus's leg toward the client is an anchored client leg (plain RTP or WebRTC, as its SDP asks).
    const offer = request.body.toString("utf8");
    const codec = offer ? offeredCodecs(offer).find(isMixable) : undefined;
    if (!codec) {
      tx.respond(
        createResponse(request, 488, "Not Acceptable Here: the conference mixes G.711 (PCMU, PCMA) only"),
      );
      return;
    }
    let media: ClientMedia;
    try {
      media = await ClientMedia.open(ctx);
    } catch (error) {
      tx.respond(
        createResponse(request, 503, `Service Unavailable: no media port free (${(error as Error).message})`),
      );
      return;
    }
    const opened = await media.openClientLeg(offer, [codec]);
    const answered = opened.ok ? opened.leg.answer(restrictCodecs(offer, [codec])) : opened;
    if (!answered.ok) {
      media.close();
      tx.respond(createResponse(request, answered.status, answered.reason));
      return;
    }
    const trunk = user.trunkId ? ctx.trunk(user.trunkId) : undefined;
    const call = new Call(
      ctx.nextCallId(),
      "user-to-pbx",
      user.tenantId,
      trunk?.id ?? "",
      trunk?.name ?? "",
      user.id,
      user.phoneNumber ?? user.callno ?? user.emailAddress,
      CONFERENCE_FACTORY,
      ctx.now(),
      "echo",
    );
    call.legs.push({ kind: "client", callId: request.callId, status: 200, reason: "OK" });
    media.bind(call);
    call.state = "answered";
    call.answeredAt = ctx.now();
    const localTag = newDialogTag();
    const dialog = Dialog.asUas(request, localTag, tx.connection, ctx.endpoint, "confirmed");
    const binding = ctx.clientOn(user.id, tx.connection.id);
    if (binding) dialog.followFlow(ctx.clientDialogFlow(binding.userId, binding.contact));
    ctx.dialogs.set(dialog.key, { dialog, call, leg: "client" });

    const mixer = new ConferenceMixer();
    const focus: Focus = { call, mixer, members: new Set() };
    this.foci.set(dialog.key, focus);
    media.relaying = false;
    media.onAudio((audio) => {
      // Audio frames only: telephone-event payloads are 4 octets.
      if (audio.side === "client" && audio.payload.length >= 80) mixer.push(CLIENT, audio.payload);
    });
    mixer.add(CLIENT, { codec, send: (payload) => void media.sendAudio("client", payload) });
    ctx.whenEnded(call, () => {
      this.end(dialog.key, focus);
      media.close();
    });
    const ok = dialogResponse(ctx, request, tx.connection, 200, localTag, { sdp: answered.sdp });
    // RFC 4579 §5.1: the focus says it is one.
    ok.headers.set("contact", `<${ctx.endpoint.contact(tx.connection, CONFERENCE_FACTORY)}>;isfocus`);
    ctx.answerInvite(tx, ok);
  }

  /** REFER to the focus: bring in the call its Refer-To's Replaces names. */
  refer(tx: ServerTransaction, entry: DialogEntry): void {
    const { ctx } = this;
    const focus = this.foci.get(entry.dialog.key)!;
    const target = parseReferTo(tx.request.headers.getAll("refer-to"));
    if (!target.ok || !target.replaces) {
      const reason = target.ok
        ? "Bad Request: a REFER to the conference needs Replaces naming one of your calls"
        : target.reason;
      tx.respond(createResponse(tx.request, 400, reason));
      return;
    }
    tx.respond(createResponse(tx.request, 202, "Accepted", entry.dialog.localTag));
    sendReferNotify(ctx, entry, statusLine(100), false);
    const member = dialogNamedBy(ctx.dialogs, target.replaces);
    const anchored = member?.call.anchoredMedia;
    const codec = anchored?.pbx.codec;
    if (
      member?.leg !== "client" ||
      member.call.userId !== focus.call.userId ||
      !member.call.active ||
      !anchored
    ) {
      sendReferNotify(ctx, entry, statusLine(481), true);
      ctx.note(focus.call, "conference-refused", "the Replaces names no anchored call of this user");
      return;
    }
    if (!codec || !isMixable(codec.name)) {
      sendReferNotify(ctx, entry, statusLine(488), true);
      ctx.note(
        member.call,
        "conference-refused",
        `its codec ${codec?.name ?? "none"} cannot be mixed (G.711 only)`,
      );
      return;
    }
    const call = member.call;
    anchored.relaying = false;
    const off = anchored.onAudio((audio) => {
      // Audio frames only: telephone-event payloads are 4 octets.
      if (audio.side === "pbx" && audio.payload.length >= 80) focus.mixer.push(call.id, audio.payload);
    });
    focus.mixer.add(call.id, {
      codec: codec.name,
      send: (payload) => void anchored.sendAudio("pbx", payload),
    });
    focus.members.add(call);
    // The focus replaces the client's leg of that call (RFC 3891 semantics of the Refer-To);
    // a PBX leg the client held comes off hold to be heard.
    if (member.peer) {
      void resumeHeld(ctx, member.peer);
      member.peer.peer = undefined;
    }
    dropLeg(ctx, member);
    ctx.whenEnded(call, () => {
      off();
      focus.mixer.remove(call.id);
      focus.members.delete(call);
    });
    ctx.note(call, "conference", `joined conference ${focus.call.id}, mixed by the emulator`);
    ctx.note(
      focus.call,
      "conference",
      `${call.id} (${call.direction === "user-to-pbx" ? call.to : call.from}) joined`,
    );
    sendReferNotify(ctx, entry, statusLine(200), true);
  }

  /** The focus dialog ended: every joined call ends with it. */
  private end(key: string, focus: Focus): void {
    this.foci.delete(key);
    focus.mixer.close();
    for (const call of focus.members) {
      if (!call.active) continue;
      this.ctx.sendByes(call);
      this.ctx.finish(call, { cause: `the conference ${focus.call.id} ended`, by: "user" });
    }
  }
}
