import { isIP } from "node:net";
import type { User } from "../domain/index.js";
import type { MediaEngine, MediaMode } from "../media/index.js";
import type { BindingTable, ClientBindings } from "../registrar/index.js";
import type { Clock } from "../shared/clock.js";
import { Listeners } from "../shared/listeners.js";
import type { SipRouter, UnhandledRequestListener } from "../sip/core/index.js";
import { AcceptedInvites, dialogKeyOfIncoming } from "../sip/dialog/index.js";
import type { SipRequest } from "../sip/message/index.js";
import type { ServerTransaction, TransactionLayer } from "../sip/transaction/index.js";
import type { ConnectionTable, SipConnection } from "../sip/transport/index.js";
import type { Call } from "./call.js";
import type { UserRoutingPort } from "./call-behaviour.js";
import { CallJournal } from "./call-journal.js";
import type { RtpStreamFaults } from "./client-media-webrtc.js";
import { ClientOutbound, type ClientOutboundPorts } from "./client-outbound.js";
import { ClientConference, type ConferencePorts } from "./conference.js";
import { DialogRelay, type DialogRelayPorts } from "./dialog-relay.js";
import { RegisteredFlows } from "./flows.js";
import { InDialog, type InDialogPorts } from "./in-dialog.js";
import { type MailboxPort, MwiNotifier } from "./mwi-notifier.js";
import { ConnectorEndpoint } from "./pbx-endpoint.js";
import { PbxInbound, type PbxInboundPorts } from "./pbx-inbound.js";
import {
  type CallRefusal,
  type InboundRequestUri,
  PbxOutbound,
  type PbxOutboundPorts,
} from "./pbx-outbound.js";
import { ClientPickup, type PickupPorts } from "./pickup.js";
import type { CallDirectory, CallEventNotice, CallOutcome, DialogEntry, ServiceState } from "./ports.js";
import { type PushOutcome, PushToDesk } from "./push.js";
import { ClientTransfer, installReferNotify, type TransferPorts } from "./transfer.js";

export interface B2buaDependencies {
  /** Trunks, PBX systems and users, as calls need them. */
  readonly directory: CallDirectory;
  /** Whether a tenant is functional now (its JWT); calls of one that is not are refused. */
  readonly service: ServiceState;
  readonly bindings: BindingTable;
  /** Registered Unify Phone clients (WebSocket) per user. */
  readonly clients: ClientBindings;
  readonly connections: ConnectionTable;
  readonly transactions: TransactionLayer;
  readonly media: Pick<MediaEngine, "createSession">;
  /** Emulator time, for journal timestamps. */
  readonly clock: Clock;
  /** Real time, for protocol timers and behaviour delays (ring 1 s). */
  readonly timers: Clock;
  readonly host: string;
  /** Where media sockets bind (`--bind`); WebRTC legs bind there too, so `--host` may be an address not on this machine (NAT, container). */
  readonly bind?: string;
  readonly sipPort: number;
  readonly domain: string;
  /** Request-URI of calls toward the PBX (`--inbound-request-uri`); default "number". */
  readonly inboundRequestUri?: InboundRequestUri;
  /** The Allow header value: the router's one list of methods we take. */
  readonly allow: () => string;
  /** Requests the B2BUA does not model (REFER of a client call) go here: see Signalling.unmodelled. */
  readonly unmodelled?: UnhandledRequestListener;
  /** Users' voice mailboxes: with it, NOTIFY/SUBSCRIBE message-summary are served (mwi-notifier.ts). */
  readonly mailboxes?: MailboxPort;
  /** RTP fault rules for the media that is not the engine's (a client call's WebRTC leg). */
  readonly rtpFaults?: RtpStreamFaults;
}

/** Every port of the B2BUA's parts, implemented once here. */
type B2buaPorts = PbxInboundPorts &
  PbxOutboundPorts &
  ClientOutboundPorts &
  DialogRelayPorts &
  InDialogPorts &
  TransferPorts &
  PickupPorts &
  ConferencePorts;

/**
 * The connector's back-to-back user agent: each call has a PBX leg on the trunk and a
 * user leg — the virtual user, or a registered Unify Phone client over WebSocket. It
 * answers INVITEs from PBXs (ringing the user's clients too), places calls toward them
 * (for the admin API and for clients), handles mid-call requests and keeps the journal.
 */
export class B2bua {
  readonly journal = new CallJournal();
  readonly events = new Listeners<CallEventNotice>();
  private readonly dialogs = new Map<string, DialogEntry>();
  /** Our 2xx responses to INVITEs, retransmitted until their ACK (RFC 3261 §13.3.1.4). */
  private readonly accepted: AcceptedInvites;
  private readonly inbound: PbxInbound;
  private readonly outbound: PbxOutbound;
  private readonly clientOutbound: ClientOutbound;
  private readonly relay: DialogRelay;
  private readonly inDialog: InDialog;
  private readonly pickup: ClientPickup;
  private readonly pushes: PushToDesk;
  private readonly conference: ClientConference;
  /** Message waiting indication; undefined without a mailbox port. */
  readonly mwi: MwiNotifier | undefined;
  /** The users' presence for the routing decision of incoming calls; set by the composition. */
  routing: UserRoutingPort | undefined;
  private readonly endHooks = new Map<Call, Array<() => void>>();
  private sequence = 0;

  constructor(private readonly deps: B2buaDependencies) {
    // 2xx retransmission runs on the transaction layer's protocol clock and T1/T2.
    this.accepted = new AcceptedInvites(deps.transactions.clock, deps.transactions.timers);
    const { directory, transactions, clock } = deps;
    const reach = new RegisteredFlows(deps.bindings, deps.clients, deps.connections);
    const endpoint = new ConnectorEndpoint(deps.host, deps.sipPort);
    const ports: B2buaPorts = {
      trunk: (id) => directory.trunk(id),
      system: (ref) => directory.system(ref),
      userByNumber: (tenantId, number) => directory.userByNumber(tenantId, number),
      user: (id) => directory.user(id),
      tenantOutage: (tenantId) => deps.service.tenantOutage(tenantId),
      trunksOnConnection: (id) => reach.trunksOnConnection(id),
      usersOnConnection: (id) => reach.usersOnConnection(id),
      trunkFlow: (trunkId) => reach.trunkFlow(trunkId),
      trunkDialogFlow: (trunkId) => reach.trunkDialogFlow(trunkId),
      clientDialogFlow: (userId, contact) => reach.clientDialogFlow(userId, contact),
      reachableClients: (userId) => reach.reachableClients(userId),
      clientOn: (userId, connectionId) => reach.clientOn(userId, connectionId),
      endpoint,
      domain: deps.domain,
      allow: deps.allow,
      ...(deps.unmodelled ? { unmodelled: deps.unmodelled } : {}),
      send: (request, connection, delegate) => transactions.sendRequest(request, connection, delegate),
      answerInvite: (tx, response, onAckTimeout) => this.accepted.answer(tx, response, onAckTimeout),
      nextCallId: () => `call-${(++this.sequence).toString().padStart(6, "0")}`,
      now: () => clock.now(),
      record: (call) => this.journal.add(call),
      linesInUse: (trunkId) => this.journal.linesInUse(trunkId),
      note: (call, type, detail) => this.note(call, type, detail),
      finish: (call, outcome) => this.finish(call, outcome),
      whenEnded: (call, cleanup) => {
        if (!call.active) cleanup();
        else this.endHooks.set(call, [...(this.endHooks.get(call) ?? []), cleanup]);
      },
      sendByes: (call, except) => this.sendByes(call, except),
      onCallEvent: (listener) => this.events.on(listener),
      dialogs: this.dialogs,
      userPresence: (tenantId, userId) => this.routing?.presence(tenantId, userId),
      lastDeskEntry: (userId) => this.journal.lastDeskEntry(userId),
      timers: deps.timers,
      media: deps.media,
      // WebRTC client legs gather host candidates on the advertised address when it is an IP;
      // RTP fault rules apply to them as to the engine's sessions.
      webrtc: {
        ...(isIP(deps.host) ? { addresses: [deps.host] } : {}),
        ...(deps.bind && isIP(deps.host) ? { bind: deps.bind } : {}),
        ...(deps.rtpFaults ? { faults: deps.rtpFaults } : {}),
      },
    };
    this.inbound = new PbxInbound(ports);
    this.outbound = new PbxOutbound(ports, deps.inboundRequestUri ?? "number");
    this.clientOutbound = new ClientOutbound(ports, this.outbound);
    this.relay = new DialogRelay(ports);
    this.conference = new ClientConference(ports);
    const transfers = new ClientTransfer(ports, this.outbound);
    this.inDialog = new InDialog(ports, this.outbound, this.relay, transfers, this.conference);
    this.pickup = new ClientPickup(ports);
    this.pushes = new PushToDesk(ports);
    this.mwi =
      deps.mailboxes && new MwiNotifier({ ...ports, timers: deps.timers, mailboxes: deps.mailboxes });
  }

  /** Register the call methods on the SIP router. */
  install(router: SipRouter): void {
    router.on("INVITE", (tx) => this.invite(tx), {
      acceptBody: ["application/sdp"],
      answers: "application/sdp",
      onCancel: (tx, cancel) => {
        if (!this.clientOutbound.cancelled(tx)) this.inbound.cancelled(tx, cancel.headers.get("reason"));
      },
    });
    router.on("UPDATE", (tx) => this.inDialog.renegotiate(tx), {
      acceptBody: ["application/sdp"],
      answers: "application/sdp",
    });
    router.on("BYE", (tx) => this.inDialog.bye(tx));
    router.on("INFO", (tx) => this.inDialog.info(tx), {
      acceptBody: ["application/dtmf-relay", "application/dtmf"],
    });
    router.on("REFER", (tx) => this.inDialog.refer(tx));
    router.onAckFor((ack) => this.onAck(ack));
    this.mwi?.install(router);
    installReferNotify(router, (tx) => {
      const entry = this.dialogs.get(dialogKeyOfIncoming(tx.request) ?? "");
      if (!this.pushes.notify(tx, entry)) this.inDialog.referNotify(tx);
    });
  }

  /** A Unify Phone user calls a number through their trunk (POST /api/admin/calls). */
  startCall(user: User, to: string, options: { media?: MediaMode } = {}): Promise<Call | CallRefusal> {
    return this.outbound.start(user, to, options);
  }

  /** Push an answered app call to the user's desk phone: REFER on its PBX leg (push.ts). */
  push(call: Call): Promise<PushOutcome> {
    return this.pushes.push(call);
  }

  /** Hang up from the user's side: CANCEL, decline or BYE, whichever fits the call's state. */
  hangup(call: Call): void {
    if (!call.active) return;
    if (this.inbound.decline(call) || this.outbound.cancel(call)) return;
    this.sendByes(call);
    this.finish(call, { cause: "hung up by the user", by: "user" });
  }

  /**
   * A PBX's TLS connection or a client's WebSocket dropped: the calls whose flow it was
   * cannot go on (SPEC §1, connection reuse); the other side of a client call hears BYE.
   * A dialog whose peer re-registered on another connection already moved there and lives on.
   */
  connectionClosed(connection: SipConnection, reason: string): void {
    this.clientOutbound.connectionClosed(connection);
    for (const entry of [...this.dialogs.values()]) {
      if (!entry.dialog.connection.open && entry.call.active) {
        this.sendByes(entry.call, entry);
        const side = entry.leg === "pbx" ? "PBX" : "client";
        this.finish(entry.call, { cause: `${side} connection lost: ${reason}`, by: "emulator" });
      }
    }
    for (const pending of [...this.inbound.pending.values()]) {
      if (pending.tx.connection === connection && pending.call.active) {
        this.finish(pending.call, { cause: `PBX connection lost: ${reason}`, by: "emulator" });
      }
    }
  }

  /** Hang up everything (shutdown). */
  async close(): Promise<void> {
    for (const call of this.journal.activeCalls()) this.hangup(call);
    this.mwi?.close();
    this.accepted.close();
  }

  /** A new INVITE from a client's WebSocket is a call toward the PBX; from a trunk, one to a user. */
  private invite(tx: ServerTransaction): void {
    if (tx.request.to.params.tag) this.inDialog.renegotiate(tx);
    else if (!this.clientOutbound.fromClientSide(tx.connection)) this.inbound.handle(tx);
    else if (tx.request.headers.has("replaces")) void this.pickup.handle(tx);
    else if (this.conference.isFactory(tx.request)) void this.conference.create(tx);
    else void this.clientOutbound.handle(tx);
  }

  /**
   * An ACK for one of our 2xx (RFC 3261 §13.3.1.4): matched by dialog (Call-ID and tags) and
   * CSeq, whatever connection carries it — a record-routing proxy may use another one.
   */
  private onAck(ack: SipRequest): void {
    this.accepted.acknowledge(ack);
    if (this.inbound.acknowledged(ack)) return;
    if (this.clientOutbound.acknowledged(ack) || this.relay.acknowledged(ack)) return;
    // Otherwise the ACK of a re-INVITE's 2xx, or a late one: nothing more to do.
  }

  private note(call: Call, type: string, detail?: string): void {
    const at = this.deps.clock.now();
    call.event(at, type, detail);
    this.events.emit({ callId: call.id, type, at, ...(detail === undefined ? {} : { detail }) });
  }

  private sendByes(call: Call, except?: DialogEntry): void {
    for (const entry of this.dialogs.values()) {
      if (entry.call !== call || entry === except || !entry.dialog.connection.open) continue;
      const bye = entry.dialog.createRequest("BYE");
      this.deps.transactions.sendRequest(bye, entry.dialog.connection, { onResponse: () => {} });
    }
  }

  private finish(call: Call, outcome: CallOutcome): void {
    if (!call.active) return;
    call.state = "ended";
    call.endedAt = this.deps.clock.now();
    if (outcome.status !== undefined && call.finalStatus === null) call.finalStatus = outcome.status;
    call.hangupCause = outcome.cause;
    call.endedBy = outcome.by;
    const hooks = this.endHooks.get(call) ?? [];
    this.endHooks.delete(call);
    for (const hook of hooks) hook();
    this.pushes.forget(call);
    call.media?.close();
    for (const [key, entry] of this.dialogs) {
      if (entry.call === call) {
        entry.dialog.state = "terminated";
        this.accepted.forget(key);
        this.dialogs.delete(key);
      }
    }
    this.note(call, "ended", outcome.cause);
    this.journal.end(call);
  }
}
