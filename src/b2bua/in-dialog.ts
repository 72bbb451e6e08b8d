import { dialogKeyOfIncoming } from "../sip/dialog/index.js";
import { createResponse, dtmfFromInfo, parseUri } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { Call } from "./call.js";
import type { ClientConference } from "./conference.js";
import type { DialogRelay } from "./dialog-relay.js";
import type { PbxOutbound } from "./pbx-outbound.js";
import type {
  CallDirectory,
  CallEnding,
  CallEventsPort,
  CallRecords,
  DialogEntry,
  DialogsPort,
  Signalling,
} from "./ports.js";
import { dialogResponse, respondInDialog } from "./sip-responses.js";
import { type ClientTransfer, sendReferNotify, statusLine } from "./transfer.js";

/** What in-dialog requests use; a transfer's new call goes through PbxOutbound. */
export type InDialogPorts = DialogsPort &
  Pick<CallDirectory, "user"> &
  Pick<CallRecords, "now" | "note"> &
  Pick<CallEnding, "finish"> &
  CallEventsPort &
  Pick<Signalling, "endpoint" | "allow" | "send" | "answerInvite">;

/**
 * Requests inside an established call (RFC 3261 §12.2.2): BYE, re-INVITE and UPDATE
 * (hold / retrieve, RFC 3264 §8.4), INFO DTMF, and REFER (blind transfer, RFC 3515,
 * with Replaces for an attended one, RFC 3891). A call joining the PBX and a client
 * passes them on to the other side (DialogRelay).
 */
export class InDialog {
  constructor(
    private readonly ctx: InDialogPorts,
    private readonly outbound: Pick<PbxOutbound, "start">,
    private readonly relay: DialogRelay,
    private readonly transfers: ClientTransfer,
    private readonly conferences: ClientConference,
  ) {}

  /** The dialog of an in-dialog request, or undefined after answering 481/500. */
  entryFor(tx: ServerTransaction): DialogEntry | undefined {
    const key = dialogKeyOfIncoming(tx.request);
    const entry = key ? this.ctx.dialogs.get(key) : undefined;
    if (!entry) {
      tx.respond(createResponse(tx.request, 481, "Call/Transaction Does Not Exist"));
      return undefined;
    }
    if (!entry.dialog.acceptIncoming(tx.request)) {
      tx.respond(
        createResponse(tx.request, 500, "Server Internal Error: CSeq lower than the last one in this dialog"),
      );
      return undefined;
    }
    // The answer goes back on tx.connection; our own requests keep to the dialog's flow.
    return entry;
  }

  bye(tx: ServerTransaction): void {
    const entry = this.entryFor(tx);
    if (!entry) return;
    if (entry.peer) {
      this.relay.bye(tx, entry);
      return;
    }
    tx.respond(createResponse(tx.request, 200, "OK"));
    // A call with one leg: the PBX's with the virtual user, or a client's with a conference focus.
    const by = entry.leg === "pbx" ? "pbx" : "user";
    this.ctx.finish(entry.call, { cause: `BYE from the ${entry.leg === "pbx" ? "PBX" : "client"}`, by });
  }

  /** re-INVITE or UPDATE with an SDP offer: renegotiate, and notice hold and retrieve. */
  renegotiate(tx: ServerTransaction): void {
    const entry = this.entryFor(tx);
    if (!entry) return;
    if (entry.peer) {
      this.relay.renegotiate(tx, entry, entry.peer);
      return;
    }
    const { call, dialog } = entry;
    const offer = tx.request.body.toString("utf8");
    // A leg left alone in the connector (a bridged or conference PBX leg, a conference focus's
    // client leg) answers from its anchored port.
    const media =
      call.media ?? (entry.leg === "pbx" ? call.anchoredMedia?.pbx : call.anchoredMedia?.client) ?? null;
    if (!media && offer.length > 0) {
      // A client is being rung with the PBX's offer: no session of ours to renegotiate yet.
      const response = createResponse(
        tx.request,
        500,
        "Server Internal Error: no session to renegotiate yet",
      );
      response.headers.set("retry-after", "1");
      tx.respond(response);
      return;
    }
    if (!media || offer.length === 0) {
      // No new offer: answer with our current session description.
      respondInDialog(
        this.ctx,
        tx,
        dialogResponse(
          this.ctx,
          tx.request,
          tx.connection,
          200,
          dialog.localTag,
          media ? { sdp: media.offer(media.direction) } : {},
        ),
      );
      return;
    }
    const result = media.answer(offer);
    if (!result.ok) {
      tx.respond(createResponse(tx.request, result.status, result.reason));
      this.ctx.note(call, "media-error", result.reason);
      return;
    }
    respondInDialog(
      this.ctx,
      tx,
      dialogResponse(this.ctx, tx.request, tx.connection, 200, dialog.localTag, { sdp: result.sdp }),
    );
    const held = result.direction === "recvonly" || result.direction === "inactive";
    if (held !== call.onHold) {
      call.onHold = held;
      this.ctx.note(call, held ? "hold" : "retrieve", `${tx.request.method}: we are now ${result.direction}`);
    } else {
      this.ctx.note(call, "renegotiated", `${tx.request.method}: ${result.codec.name} ${result.direction}`);
    }
  }

  info(tx: ServerTransaction): void {
    const entry = this.entryFor(tx);
    if (!entry) return;
    if (entry.peer) {
      this.relay.info(tx, entry, entry.peer);
      return;
    }
    const digit = dtmfFromInfo(tx.request);
    tx.respond(createResponse(tx.request, 200, "OK"));
    if (digit) {
      entry.call.dtmf.push({ digit, via: "info", at: this.ctx.now() });
      this.ctx.note(entry.call, "dtmf", `${digit} (SIP INFO)`);
    }
  }

  /** NOTIFY of a REFER's implicit subscription (RFC 3515 §2.4.4): the PBX's progress of our transfer. */
  referNotify(tx: ServerTransaction): void {
    const entry = this.entryFor(tx);
    if (!entry) return;
    if (entry.leg === "pbx") this.transfers.notify(tx, entry);
    else
      tx.respond(
        createResponse(tx.request, 481, "Subscription Does Not Exist: we sent no REFER to a client"),
      );
  }

  /** REFER from the PBX: the user's side calls the Refer-To target and reports in NOTIFYs. */
  refer(tx: ServerTransaction): void {
    const entry = this.entryFor(tx);
    if (!entry) return;
    if (this.conferences.owns(entry)) {
      this.conferences.refer(tx, entry);
      return;
    }
    if (entry.peer) {
      if (entry.leg === "client") this.transfers.refer(tx, entry, entry.peer);
      else this.relay.refer(tx, entry);
      return;
    }
    const { call } = entry;
    const referTo = tx.request.headers.get("refer-to");
    let target: { number: string; replaces?: string };
    try {
      const raw = referTo ?? "";
      const uri = parseUri(
        raw.includes("<") ? raw.slice(raw.indexOf("<") + 1, raw.lastIndexOf(">")) : raw.trim(),
      );
      if (!uri.user) throw new Error("no user part");
      target = { number: uri.user, ...(uri.headers.replaces ? { replaces: uri.headers.replaces } : {}) };
    } catch {
      tx.respond(
        createResponse(tx.request, 400, "Bad Request: Refer-To is missing or not a SIP URI with a number"),
      );
      return;
    }
    const user = call.userId ? this.ctx.user(call.userId) : undefined;
    if (!user) {
      tx.respond(createResponse(tx.request, 403, "Forbidden: the referred party is not a Unify Phone user"));
      return;
    }
    tx.respond(createResponse(tx.request, 202, "Accepted", entry.dialog.localTag));
    this.ctx.note(
      call,
      "refer",
      `transfer to ${target.number}${target.replaces ? " (attended, Replaces)" : ""}`,
    );
    sendReferNotify(this.ctx, entry, statusLine(100), false);
    void this.transfer(entry, user, target);
  }

  private async transfer(
    entry: DialogEntry,
    user: Parameters<PbxOutbound["start"]>[0],
    target: { number: string; replaces?: string },
  ): Promise<void> {
    const started = await this.outbound.start(user, target.number, {
      media: entry.call.mediaMode,
      ...(target.replaces ? { replaces: target.replaces } : {}),
    });
    if (!("id" in started)) {
      sendReferNotify(this.ctx, entry, statusLine(503), true);
      this.ctx.note(entry.call, "transfer-failed", started.detail);
      return;
    }
    const newCall: Call = started;
    if (!newCall.active) {
      sendReferNotify(this.ctx, entry, statusLine(newCall.finalStatus ?? 503), true);
      return;
    }
    const off = this.ctx.onCallEvent((e) => {
      if (e.callId !== newCall.id) return;
      if (e.type === "ringing") sendReferNotify(this.ctx, entry, statusLine(180), false);
      if (e.type === "answered") {
        sendReferNotify(this.ctx, entry, statusLine(200), true);
        this.ctx.note(entry.call, "transferred", `to ${target.number} as call ${newCall.id}`);
        off();
      }
      if (e.type === "ended" && newCall.answeredAt === null) {
        sendReferNotify(this.ctx, entry, statusLine(newCall.finalStatus ?? 487), true);
        off();
      }
    });
  }
}
