import { Dialog, newDialogTag } from "../sip/dialog/index.js";
import { createResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import { offeredCodecs, restrictCodecs } from "./anchor-sdp.js";
import type { Call } from "./call.js";
import type {
  CallDirectory,
  CallRecords,
  DialogEntry,
  DialogsPort,
  Reachability,
  Signalling,
} from "./ports.js";
import { registeredCaller } from "./registered-caller.js";
import { dialogResponse } from "./sip-responses.js";
import { dropLeg } from "./transfer-bridge.js";
import { dialogNamedBy, parseReplaces } from "./transfer-target.js";

/** What taking over a call uses. */
export type PickupPorts = DialogsPort &
  Pick<Reachability, "usersOnConnection" | "clientOn" | "clientDialogFlow"> &
  Pick<CallRecords, "note"> &
  Pick<CallDirectory, "user"> &
  Pick<Signalling, "endpoint" | "allow" | "send" | "answerInvite">;

/**
 * Pickup from another device (RFC 3891): a client INVITEs with `Replaces` naming the dialog
 * another client of the same user has with the connector. The call's anchored media gets a new
 * client leg for it (the old one closes), the first client's leg gets BYE; the PBX keeps its
 * dialog and media port and sees nothing.
 */
export class ClientPickup {
  constructor(private readonly ctx: PickupPorts) {}

  async handle(tx: ServerTransaction): Promise<void> {
    const { ctx } = this;
    const request = tx.request;
    const values = request.headers.getAll("replaces");
    const replaces = values.length === 1 ? parseReplaces(values[0]!) : undefined;
    if (!replaces) {
      tx.respond(
        createResponse(request, 400, "Bad Request: one Replaces header (callid;to-tag;from-tag) expected"),
      );
      return;
    }
    const caller = registeredCaller(ctx, tx)?.id;
    if (caller === undefined) return;
    const taken = dialogNamedBy(ctx.dialogs, replaces);
    const pbx = taken?.peer;
    if (!taken || !pbx || taken.leg !== "client" || taken.call.userId !== caller || !taken.call.active) {
      // RFC 3891 §3: no dialog matches.
      tx.respond(
        createResponse(request, 481, "Call/Transaction Does Not Exist: Replaces names no call of this user"),
      );
      return;
    }
    if (replaces.earlyOnly && taken.call.state === "answered") {
      tx.respond(createResponse(request, 486, "Busy Here: the call is already answered (early-only)"));
      return;
    }
    if (request.body.length === 0) {
      tx.respond(
        createResponse(request, 488, "Not Acceptable Here: an INVITE with Replaces needs an SDP offer"),
      );
      return;
    }
    const { call } = taken;
    const answered = await this.answerOffer(call, request.body.toString("utf8"));
    if (!answered.ok) {
      tx.respond(createResponse(request, answered.status, answered.reason));
      ctx.note(call, "pickup-failed", `${answered.status} ${answered.reason}`);
      return;
    }
    const localTag = newDialogTag();
    const dialog = Dialog.asUas(request, localTag, tx.connection, ctx.endpoint, "confirmed");
    const binding = ctx.clientOn(caller, tx.connection.id);
    if (binding) dialog.followFlow(ctx.clientDialogFlow(binding.userId, binding.contact));
    const entry: DialogEntry = { dialog, call, leg: "client", peer: pbx };
    pbx.peer = entry;
    ctx.dialogs.set(dialog.key, entry);
    ctx.answerInvite(tx, dialogResponse(ctx, request, tx.connection, 200, localTag, { sdp: answered.sdp }));
    dropLeg(ctx, taken);
    call.legs.push({ kind: "client", callId: request.callId, status: 200, reason: "OK" });
    ctx.note(call, "pickup", `taken over by client ${binding?.contact ?? caller}; the other device got BYE`);
  }

  /**
   * The answer to the new device's offer: a new client leg on the connector's anchored media
   * replaces the old one, in the PBX leg's codec — the PBX sees nothing.
   */
  private async answerOffer(
    call: Call,
    offer: string,
  ): Promise<{ ok: true; sdp: string } | { ok: false; status: number; reason: string }> {
    const anchored = call.anchoredMedia;
    const codec = anchored?.pbx.codec?.name;
    if (!anchored || !codec) {
      return { ok: false, status: 500, reason: "Server Internal Error: the call has no anchored media" };
    }
    if (!offeredCodecs(offer).includes(codec)) {
      return {
        ok: false,
        status: 488,
        reason: `Not Acceptable Here: the call's codec ${codec} is not offered`,
      };
    }
    const opened = await anchored.openClientLeg(offer);
    if (!opened.ok) return opened;
    const result = opened.leg.answer(restrictCodecs(offer, [codec]));
    return result.ok ? { ok: true, sdp: result.sdp } : result;
  }
}
