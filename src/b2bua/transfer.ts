import type { RequestHandler, SipRouter } from "../sip/core/index.js";
import { createResponse, reasonPhrase, type SipResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import { ClientMedia } from "./client-media.js";
import type { PbxOutbound } from "./pbx-outbound.js";
import type {
  CallDirectory,
  CallEnding,
  CallRecords,
  DialogEntry,
  DialogsPort,
  MediaPort,
  Signalling,
} from "./ports.js";
import { dropLeg, joinLegs, linkBridged, relayBetween, resumeHeld } from "./transfer-bridge.js";
import { dialogNamedBy, parseReferTo, type ReplacesId, replacesOf } from "./transfer-target.js";

/** What a client's transfer uses; the local bridge's new call goes through PbxOutbound. */
export type TransferPorts = DialogsPort &
  Pick<CallDirectory, "user"> &
  Pick<CallRecords, "note"> &
  Pick<CallEnding, "finish" | "sendByes" | "whenEnded"> &
  Pick<Signalling, "send" | "domain"> &
  MediaPort;

/** A transfer in progress on a PBX leg: who asked (the client leg) and what for. */
interface PendingTransfer {
  readonly client: DialogEntry;
  readonly pbx: DialogEntry;
  readonly what: string;
  /** The consultation call of an attended transfer. */
  readonly consult?: DialogEntry;
}

/**
 * Transfer requested by a Unify Phone client (RFC 3515 REFER in its call, RFC 5589): the
 * connector transfers on the PBX side. First with REFER on the PBX leg (Refer-To the target
 * in the PBX's numbering, Referred-By the user; for an attended transfer Replaces naming the
 * consultation call's PBX-side dialog) and the PBX's NOTIFY progress relayed to the client.
 * When the PBX refuses that REFER (a 4xx–6xx, or no answer), the connector bridges locally:
 * it calls the target itself (blind) or takes the consultation call's PBX leg (attended) and
 * joins the two PBX legs (RFC 3725 third-party call control). Either way the client's legs
 * end once the transfer succeeded.
 */
export class ClientTransfer {
  /** Transfers waiting for the PBX's NOTIFYs, by the PBX leg's dialog key. */
  private readonly pending = new Map<string, PendingTransfer>();

  constructor(
    private readonly ctx: TransferPorts,
    private readonly outbound: Pick<PbxOutbound, "start">,
  ) {}

  /** REFER from a client leg (its peer is the PBX leg). */
  refer(tx: ServerTransaction, client: DialogEntry, pbx: DialogEntry): void {
    const { call } = client;
    const target = parseReferTo(tx.request.headers.getAll("refer-to"));
    if (!target.ok) {
      tx.respond(createResponse(tx.request, 400, target.reason));
      this.ctx.note(call, "refer-refused", target.reason);
      return;
    }
    if (this.pending.has(pbx.dialog.key)) {
      tx.respond(createResponse(tx.request, 491, "Request Pending: a transfer of this call is under way"));
      return;
    }
    if (call.state !== "answered") {
      tx.respond(createResponse(tx.request, 403, "Forbidden: the call is not answered yet"));
      return;
    }
    tx.respond(createResponse(tx.request, 202, "Accepted", client.dialog.localTag));
    sendReferNotify(this.ctx, client, statusLine(100), false);
    if (target.replaces) {
      this.attended(client, pbx, target.replaces);
      return;
    }
    const number = target.number!;
    this.ctx.note(call, "refer", `blind transfer to ${number} requested by the client`);
    const referTo = `${number}@${this.ctx.domain}`;
    this.viaPbx({ client, pbx, what: number }, referTo, () => void this.bridgeBlind(client, pbx, number));
  }

  /** NOTIFY (Event: refer) on a PBX leg: the PBX's progress of our REFER, relayed to the client. */
  notify(tx: ServerTransaction, pbx: DialogEntry): void {
    const transfer = this.pending.get(pbx.dialog.key);
    if (!transfer) {
      tx.respond(
        createResponse(tx.request, 481, "Subscription Does Not Exist: no REFER of ours in this dialog"),
      );
      return;
    }
    tx.respond(createResponse(tx.request, 200, "OK"));
    const line = tx.request.body.toString("utf8").split(/\r?\n/)[0]?.trim() ?? "";
    const status = Number(/^SIP\/2\.0\s+(\d{3})/.exec(line)?.[1] ?? 0);
    const terminated = /^\s*terminated/i.test(tx.request.headers.get("subscription-state") ?? "");
    const final = status >= 200 || terminated;
    sendReferNotify(this.ctx, transfer.client, status > 0 ? statusLine(status) : line, final);
    if (!final) return;
    this.pending.delete(pbx.dialog.key);
    if (status >= 200 && status < 300) this.succeeded(transfer, "by REFER on the PBX leg");
    else this.ctx.note(transfer.client.call, "transfer-failed", `the PBX reported ${line || "no status"}`);
  }

  private attended(client: DialogEntry, pbx: DialogEntry, replaces: ReplacesId): void {
    const { call } = client;
    const consult = dialogNamedBy(this.ctx.dialogs, replaces);
    const consultPbx = consult?.peer;
    if (
      !consult ||
      !consultPbx ||
      consult.leg !== "client" ||
      consult.call === call ||
      consult.call.userId !== call.userId ||
      consult.call.state !== "answered"
    ) {
      sendReferNotify(this.ctx, client, statusLine(481), true);
      this.ctx.note(call, "transfer-failed", "the Replaces in Refer-To names no answered call of this user");
      return;
    }
    const party = consult.call.direction === "user-to-pbx" ? consult.call.to : consult.call.from;
    const what = `${party} (attended, replacing ${consult.call.id})`;
    this.ctx.note(call, "refer", `attended transfer to ${what} requested by the client`);
    const referTo = `${party}@${this.ctx.domain}?Replaces=${replacesOf(consultPbx)}`;
    this.viaPbx(
      { client, pbx, what, consult },
      referTo,
      () => void this.bridgeAttended(client, pbx, consult),
    );
  }

  /** REFER on the PBX leg; `fallback` runs when the PBX does not take it. */
  private viaPbx(transfer: PendingTransfer, referTo: string, fallback: () => void): void {
    const { client, pbx } = transfer;
    const user = client.call.userId ? this.ctx.user(client.call.userId) : undefined;
    const referrer = user?.phoneNumber ?? user?.callno ?? client.call.from;
    const refer = pbx.dialog.createRequest("REFER", {
      headers: {
        "refer-to": `<sip:${referTo}>`,
        "referred-by": `<sip:${referrer}@${this.ctx.domain}>`,
      },
    });
    this.pending.set(pbx.dialog.key, transfer);
    this.ctx.whenEnded(pbx.call, () => this.pending.delete(pbx.dialog.key));
    const refused = (status: number, reason: string) => {
      if (this.pending.get(pbx.dialog.key) !== transfer) return;
      this.pending.delete(pbx.dialog.key);
      if (!pbx.call.active) return;
      this.ctx.note(client.call, "refer-refused-by-pbx", `${status} ${reason}: bridging locally`);
      fallback();
    };
    this.ctx.send(refer, pbx.dialog.connection, {
      onResponse: (response: SipResponse) => {
        if (response.status < 200) return;
        if (response.status >= 300) refused(response.status, response.reason);
        else this.ctx.note(client.call, "refer-accepted", `the PBX took the transfer to ${transfer.what}`);
      },
      onTimeout: () => refused(408, "Request Timeout"),
      onTransportError: () => refused(503, "Service Unavailable: the PBX connection is lost"),
    });
  }

  /**
   * Local bridge of a blind transfer: the connector calls the target itself, offering from an
   * anchored port of its own, and relays the transferee's PBX leg to it (the PBX sees a new
   * call and nothing else).
   */
  private async bridgeBlind(client: DialogEntry, pbx: DialogEntry, number: string): Promise<void> {
    const { call } = client;
    const user = call.userId ? this.ctx.user(call.userId) : undefined;
    const transferee = call.anchoredMedia;
    if (!user || !transferee) {
      this.failed(client, 500, "the call has no user or no anchored media to bridge");
      return;
    }
    let media: ClientMedia;
    try {
      media = await ClientMedia.open(this.ctx);
    } catch (error) {
      this.failed(client, 503, `no media port for the target's leg: ${(error as Error).message}`);
      return;
    }
    const offer = media.offerToPbx(null);
    if (!offer.ok) {
      media.close();
      this.failed(client, offer.status, offer.reason);
      return;
    }
    const started = await this.outbound.start(user, number, {
      relay: {
        offer: offer.sdp,
        clientCallId: pbx.dialog.callId,
        provisional: (response) => {
          if (response.status >= 180) sendReferNotify(this.ctx, client, statusLine(180), false);
        },
        failed: (status) => this.failed(client, status, `the target ${number} answered ${status}`),
        answered: (response, target) => {
          const applied = media.applyPbxAnswer(response.body.toString("utf8"));
          const stop = applied.ok ? relayBetween(transferee, media) : undefined;
          if (!stop || !pbx.call.active) {
            this.ctx.sendByes(target.call);
            this.ctx.finish(target.call, { cause: "the target's media cannot be bridged", by: "emulator" });
            this.failed(client, 488, "the target's media cannot be bridged");
            return;
          }
          this.ctx.whenEnded(pbx.call, stop);
          void resumeHeld(this.ctx, pbx);
          this.bridged({ client, pbx, what: number }, target, false);
        },
      },
    });
    if (!("id" in started)) {
      media.close();
      this.failed(client, 503, `the target ${number} cannot be called: ${started.detail}`);
      return;
    }
    media.bind(started);
    this.ctx.whenEnded(started, () => media.close());
    started.legs.splice(0, 1, { kind: "pbx", callId: pbx.dialog.callId });
    this.ctx.note(
      started,
      "transfer",
      `local bridge: ${client.call.id}'s PBX leg is relayed to this call by the connector`,
    );
  }

  /** Local bridge of an attended transfer: the two PBX legs are joined to each other. */
  private async bridgeAttended(client: DialogEntry, pbx: DialogEntry, consult: DialogEntry): Promise<void> {
    const consultPbx = consult.peer;
    if (!consultPbx || !consult.call.active || !pbx.call.active) {
      this.failed(client, 481, "the consultation call has ended");
      return;
    }
    // Anchored calls are bridged in the connector's media; others joined by 3pcc re-INVITEs.
    const a = pbx.call.anchoredMedia;
    const b = consult.call.anchoredMedia;
    const stop = a && b ? relayBetween(a, b) : undefined;
    if (stop) {
      this.ctx.whenEnded(pbx.call, stop);
      await Promise.all([resumeHeld(this.ctx, pbx), resumeHeld(this.ctx, consultPbx)]);
    } else {
      const joined = await joinLegs(this.ctx, pbx, consultPbx);
      if (!joined.ok) {
        this.failed(client, joined.status, `the PBX legs could not be joined: ${joined.reason}`);
        return;
      }
    }
    dropLeg(this.ctx, consult);
    this.ctx.note(
      consult.call,
      "transferred",
      `joined with ${client.call.id}'s PBX leg (attended, local bridge)`,
    );
    this.bridged({ client, pbx, what: `${consult.call.id}'s party`, consult }, consultPbx, !stop);
  }

  private bridged(transfer: PendingTransfer, other: DialogEntry, relaySignalling: boolean): void {
    const { client, pbx } = transfer;
    linkBridged(this.ctx, pbx, other, relaySignalling);
    sendReferNotify(this.ctx, client, statusLine(200), true);
    dropLeg(this.ctx, client);
    this.ctx.note(client.call, "transferred", `to ${transfer.what} by a local bridge with ${other.call.id}`);
  }

  /** The PBX transferred the call: the client's legs are over (RFC 5589 §6: the transferor hangs up). */
  private succeeded(transfer: PendingTransfer, how: string): void {
    const { client, consult } = transfer;
    const { call } = client;
    this.ctx.note(call, "transferred", `to ${transfer.what} ${how}`);
    this.ctx.sendByes(call);
    this.ctx.finish(call, { cause: `transferred to ${transfer.what}`, by: "user" });
    // An attended transfer's consultation call ends when the PBX BYEs its replaced leg (RFC 3891 §3).
    if (consult) this.ctx.note(consult.call, "replacing", `the PBX joins its party to ${call.id}'s`);
  }

  private failed(client: DialogEntry, status: number, why: string): void {
    sendReferNotify(this.ctx, client, statusLine(status), true);
    this.ctx.note(client.call, "transfer-failed", why);
  }
}

/** RFC 3515 §2.4.5: progress of a referred call as message/sipfrag, in the REFER's dialog. */
export function sendReferNotify(
  ctx: Pick<Signalling, "send">,
  entry: DialogEntry,
  sipfrag: string,
  final: boolean,
): void {
  if (entry.dialog.state === "terminated" || !entry.dialog.connection.open) return;
  const notify = entry.dialog.createRequest("NOTIFY", {
    body: `${sipfrag}\r\n`,
    contentType: "message/sipfrag;version=2.0",
    headers: {
      event: "refer",
      "subscription-state": final ? "terminated;reason=noresource" : "active;expires=60",
    },
  });
  ctx.send(notify, entry.dialog.connection, { onResponse: () => {} });
}

/**
 * The sipfrag of a NOTIFY (RFC 3515 §2.4.5): one status line, one reason phrase. The call's
 * hang-up cause already names the status ("486 Busy here"), so it is not the reason here.
 */
export function statusLine(status: number): string {
  return `SIP/2.0 ${status} ${reasonPhrase(status)}`;
}

/**
 * NOTIFY is one route shared by event packages: message-summary (MWI) may have it already;
 * `refer` NOTIFYs (the PBX's progress of our REFER) go to `handler`, the others where they went.
 */
export function installReferNotify(router: SipRouter, handler: RequestHandler): void {
  const before = router.routeOf("NOTIFY");
  router.on(
    "NOTIFY",
    (tx) => {
      const event = (tx.request.headers.get("event") ?? "").split(";")[0]!.trim().toLowerCase();
      if (event === "refer" || !before) handler(tx);
      else before.handler(tx);
    },
    {
      acceptBody: [...(before?.acceptBody ?? []), "message/sipfrag"],
      events: [...(before?.events ?? []), "refer"],
    },
  );
}
