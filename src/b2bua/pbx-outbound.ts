import type { User } from "../domain/index.js";
import type { MediaMode, MediaSession } from "../media/index.js";
import { newCallId } from "../shared/ids.js";
import { Dialog, newDialogTag } from "../sip/dialog/index.js";
import { Headers, SipRequest, type SipResponse } from "../sip/message/index.js";
import { type ClientTransaction, newBranch } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import { Call } from "./call.js";
import { cancelRequestFor } from "./cancel-request.js";
import { rejectingAnswer } from "./passed-sdp.js";
import type {
  CallDirectory,
  CallEnding,
  CallRecords,
  DialogEntry,
  DialogsPort,
  MediaPort,
  Reachability,
  ServiceState,
  Signalling,
  TenantOutage,
} from "./ports.js";
import { notFunctionalText } from "./sip-responses.js";

/** What the user → PBX side uses. */
export type PbxOutboundPorts = Pick<CallDirectory, "trunk" | "system"> &
  CallRecords &
  Pick<CallEnding, "finish"> &
  Pick<Reachability, "trunkFlow" | "trunkDialogFlow"> &
  Pick<Signalling, "endpoint" | "domain" | "allow" | "send"> &
  MediaPort &
  DialogsPort &
  ServiceState;

/**
 * The Request-URI of an INVITE toward the PBX: `number` — the dialled number as user part of
 * the registered Contact (`sip:+4930123456@203.0.113.5:5061;transport=tls`), what OSBiz
 * expects; `contact` — the registered Contact URI unchanged, the number only in To, what
 * UAs and PBX trunk profiles routing on To expect (baresip answers anything else with 404).
 */
export type InboundRequestUri = "number" | "contact";

export type CallRefusal =
  | { kind: "user_not_found"; detail: string }
  | { kind: "user_not_assigned"; detail: string }
  /** The tenant's Unify Phone is not functional (its JWT); `call` is in the journal when the user has a trunk. */
  | { kind: "tenant_not_functional"; detail: string; outage: TenantOutage; call?: Call }
  | { kind: "trunk_not_registered"; detail: string; call: Call }
  | { kind: "trunk_lines_busy"; detail: string; call: Call };

/**
 * A call a Unify Phone client places: its SDP goes to the PBX unchanged (the emulator does
 * not anchor client media) and the PBX's responses come back to the client's INVITE.
 */
export interface OutboundRelay {
  /** The client's SDP offer; null when it made none (it then answers in its ACK). */
  readonly offer: string | null;
  /** Call-ID of the client's leg, for the journal. */
  readonly clientCallId: string;
  provisional(response: SipResponse): void;
  /**
   * The PBX answered; its dialog is `pbx`. With an offer the 2xx is already ACKed;
   * without one, `ack` sends the ACK with the client's answer.
   */
  answered(response: SipResponse, pbx: DialogEntry, ack: (sdp: string | undefined) => void): void;
  /** The INVITE failed: the PBX's final status, or ours (timeout, lost connection). */
  failed(status: number, reason: string): void;
}

/** An INVITE we sent to a PBX, until its final response. */
interface OutgoingInvite {
  readonly call: Call;
  readonly request: SipRequest;
  readonly tx: ClientTransaction;
  readonly connection: SipConnection;
  readonly relay: OutboundRelay | undefined;
  dialog?: Dialog;
  ack?: SipRequest;
  /** A provisional arrived: only now may the CANCEL go (RFC 3261 §9.1). */
  provisional: boolean;
  cancelled: boolean;
}

/**
 * Unify Phone user → PBX (SPEC §3.3): an INVITE toward the trunk's registered contact,
 * over the TLS connection that registration came on (the PBX is behind NAT), From the
 * user's number in the tenant's numbering plan. The media is the emulator's own (admin
 * API, transfers) or, for a client's call, the client's, relayed (OutboundRelay).
 */
export class PbxOutbound {
  private readonly outgoing = new Map<string, OutgoingInvite>();

  constructor(
    private readonly ctx: PbxOutboundPorts,
    private readonly requestUri: InboundRequestUri,
  ) {}

  async start(
    user: User,
    to: string,
    options: { media?: MediaMode; replaces?: string; relay?: OutboundRelay } = {},
  ): Promise<Call | CallRefusal> {
    const ctx = this.ctx;
    const trunk = user.trunkId ? ctx.trunk(user.trunkId) : undefined;
    const outage = ctx.tenantOutage(user.tenantId);
    if (!trunk) {
      if (outage) return { kind: "tenant_not_functional", detail: outage.detail, outage };
      return { kind: "user_not_assigned", detail: `${user.emailAddress} is not assigned to a trunk` };
    }
    const system = ctx.system(trunk.systemRef);
    const from = user.phoneNumber ?? user.callno ?? user.emailAddress;
    const call = new Call(
      ctx.nextCallId(),
      "user-to-pbx",
      trunk.tenantId,
      trunk.id,
      trunk.name,
      user.id,
      from,
      to,
      ctx.now(),
      options.media ?? "echo",
    );
    const sipCallId = newCallId();
    const relay = options.relay;
    call.legs.push(
      relay ? { kind: "client", callId: relay.clientCallId } : { kind: "virtual-user", callId: sipCallId },
      { kind: "pbx", callId: sipCallId },
    );
    ctx.record(call);
    ctx.note(call, "invite", `from ${from} (${user.emailAddress}) to ${to} on ${trunk.name}`);
    if (outage) {
      ctx.finish(call, { status: 480, cause: notFunctionalText(outage), by: "emulator" });
      return { kind: "tenant_not_functional", detail: outage.detail, outage, call };
    }

    const flow = ctx.trunkFlow(trunk.id);
    if (!flow) {
      const detail = `trunk ${trunk.name} is not registered: the PBX has no connection to the connector`;
      ctx.finish(call, { cause: detail, by: "emulator" });
      return { kind: "trunk_not_registered", detail, call };
    }
    const limit = system?.simultaneousCalls ?? 0;
    if (ctx.linesInUse(trunk.id) > limit) {
      const detail = `all trunk lines busy (${limit}/${limit})`;
      call.refusedBy = "connector";
      ctx.finish(call, { status: 503, cause: detail, by: "emulator" });
      return { kind: "trunk_lines_busy", detail, call };
    }
    let offer: string | null;
    if (relay) offer = relay.offer;
    else {
      const media = await this.mediaFor(call);
      if (!media) return call;
      offer = media.offer();
    }
    const { binding, connection } = flow;
    const request = this.invite(sipCallId, from, to, binding.contact, connection, offer, options.replaces);
    const entry = {} as OutgoingInvite;
    const tx = ctx.send(request, connection, {
      onResponse: (response) => this.onResponse(entry, response),
      onTimeout: () => this.fail(entry, 408, "no answer from the PBX (timeout)"),
      onTransportError: () => this.fail(entry, 503, "PBX connection lost while calling"),
    });
    Object.assign(entry, { call, request, tx, connection, relay, provisional: false, cancelled: false });
    this.outgoing.set(call.id, entry);
    return call;
  }

  /** Hang up a call that is not answered yet: CANCEL (RFC 3261 §9.1), once a provisional came. */
  cancel(call: Call): boolean {
    const entry = this.outgoing.get(call.id);
    if (!entry || entry.cancelled || call.state === "answered") return false;
    entry.cancelled = true;
    if (entry.provisional) this.sendCancel(entry);
    this.ctx.note(call, "cancel", "the user hung up before the PBX answered");
    return true;
  }

  private sendCancel(entry: OutgoingInvite): void {
    this.ctx.send(cancelRequestFor(entry.request), entry.connection, {
      onResponse: () => {},
    });
  }

  /** The emulator's own media for a call of the admin API (or a transfer): echo, tone or silence. */
  private async mediaFor(call: Call): Promise<MediaSession | undefined> {
    const ctx = this.ctx;
    let media: MediaSession;
    try {
      media = await ctx.media.createSession({ mode: call.mediaMode });
    } catch (err) {
      ctx.finish(call, { cause: `no media port: ${(err as Error).message}`, by: "emulator" });
      return undefined;
    }
    call.media = media;
    media.onDtmf((digit) => {
      call.dtmf.push({ digit, via: "rfc4733", at: ctx.now() });
      ctx.note(call, "dtmf", `${digit} (RFC 4733)`);
    });
    return media;
  }

  private invite(
    callId: string,
    from: string,
    to: string,
    contact: string,
    connection: SipConnection,
    sdp: string | null,
    replaces?: string,
  ): SipRequest {
    const ctx = this.ctx;
    const headers = new Headers();
    headers.append("via", `${ctx.endpoint.via(connection)};branch=${newBranch()}`);
    headers.append("max-forwards", "70");
    headers.append("from", `<sip:${from}@${ctx.domain}>;tag=${newDialogTag()}`);
    headers.append("to", `<sip:${to}@${ctx.domain}>`);
    headers.append("call-id", callId);
    headers.append("cseq", "1 INVITE");
    headers.append("contact", `<${ctx.endpoint.contact(connection)}>`);
    headers.append("allow", ctx.allow());
    if (replaces) headers.append("replaces", replaces);
    const uri = this.requestUri === "contact" ? contact : targetUri(contact, to);
    if (sdp === null) return new SipRequest("INVITE", uri, headers);
    headers.append("content-type", "application/sdp");
    return new SipRequest("INVITE", uri, headers, Buffer.from(sdp));
  }

  private onResponse(entry: OutgoingInvite, response: SipResponse): void {
    const ctx = this.ctx;
    const { call, relay } = entry;
    const status = response.status;
    if (status < 200) {
      if (!entry.provisional) {
        entry.provisional = true;
        if (entry.cancelled) this.sendCancel(entry);
      }
      if (status >= 180 && call.state === "setup") {
        call.state = "ringing";
        call.ringingAt = ctx.now();
        ctx.note(call, "ringing", `${status} ${response.reason}`);
      }
      if (!entry.cancelled) relay?.provisional(response);
      return;
    }
    if (status >= 300) {
      this.outgoing.delete(call.id);
      const cause =
        entry.cancelled && status === 487 ? "cancelled by the user" : `${status} ${response.reason}`;
      relay?.failed(status, response.reason);
      if (!entry.cancelled) {
        call.refusedBy = "pbx";
        call.warning = warningText(response.headers.get("warning"));
      }
      ctx.finish(call, { status, cause, by: entry.cancelled ? "user" : "pbx" });
      return;
    }
    // 2xx, first or retransmitted (RFC 6026): each gets the ACK.
    if (entry.dialog) {
      if (entry.ack) entry.dialog.sendStateless(entry.ack);
      return;
    }
    const dialog = Dialog.asUac(entry.request, response, entry.connection, ctx.endpoint);
    dialog.followFlow(ctx.trunkDialogFlow(call.trunkId));
    entry.dialog = dialog;
    const pbx: DialogEntry = { dialog, call, leg: "pbx" };
    ctx.dialogs.set(dialog.key, pbx);
    const ack = (sdp: string | undefined) => {
      if (entry.ack) return;
      entry.ack = dialog.createAck(entry.request.cseq.seq);
      if (sdp) {
        entry.ack.headers.set("content-type", "application/sdp");
        entry.ack.body = Buffer.from(sdp);
      }
      dialog.sendStateless(entry.ack);
    };
    // Without an offer of ours the 2xx carries the PBX's: the ACK must answer it (RFC 3261
    // §13.2.2.4), with the client's answer from its own ACK, or refusing when the call is over.
    const offerless = relay !== undefined && relay.offer === null;
    if (!offerless) ack(undefined);
    else if (entry.cancelled || !call.active) ack(rejectingAnswer(response.body.toString("utf8")));
    if (!call.active) return;
    this.outgoing.delete(call.id);
    if (response.body.length > 0 && call.media) {
      const result = call.media.applyAnswer(response.body.toString("utf8"));
      if (!result.ok) ctx.note(call, "media-error", result.reason);
      else ctx.note(call, "media", `${result.codec.name} ${result.direction}`);
    }
    call.state = "answered";
    call.answeredAt = ctx.now();
    call.finalStatus = status;
    ctx.note(call, "answered", `${status} ${response.reason}`);
    if (entry.cancelled) {
      // CANCEL crossed the 2xx: the call exists, so end it with BYE (RFC 3261 §9.1).
      const bye = dialog.createRequest("BYE");
      ctx.send(bye, dialog.connection, { onResponse: () => {} });
      ctx.finish(call, { cause: "hung up by the user (CANCEL crossed the 200 OK)", by: "user" });
      return;
    }
    relay?.answered(response, pbx, ack);
  }

  private fail(entry: OutgoingInvite, status: number, cause: string): void {
    if (!entry.call) return;
    this.outgoing.delete(entry.call.id);
    entry.relay?.failed(status, cause);
    this.ctx.finish(entry.call, { status, cause, by: "emulator" });
  }
}

/** The text of a `Warning: 399 agent "text"` header (the whole value when it has no quoted text). */
function warningText(value: string | undefined): string | null {
  if (value === undefined) return null;
  const quoted = /"((?:[^"\\]|\\.)*)"/.exec(value);
  return quoted ? quoted[1]!.replace(/\\(.)/g, "$1") : value;
}

/** Request-URI toward a registered trunk contact: the contact with the dialed number as user. */
function targetUri(contact: string, number: string): string {
  const m = /^(sips?):(?:[^@;?]*@)?(.*)$/i.exec(contact);
  return m ? `${m[1]}:${number}@${m[2]}` : contact;
}
