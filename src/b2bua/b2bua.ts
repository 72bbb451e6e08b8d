import type { Logger } from "pino";
import type { User } from "../domain/index.js";
import type { MediaEngine, MediaMode } from "../media/index.js";
import type { BindingTable, ClientBindings } from "../registrar/index.js";
import type { Clock } from "../shared/clock.js";
import { Listeners } from "../shared/listeners.js";
import type { SipRouter } from "../sip/core/index.js";
import type { SipRequest } from "../sip/message/index.js";
import type { TransactionLayer } from "../sip/transaction/index.js";
import type { ConnectionTable, SipConnection } from "../sip/transport/index.js";
import type { Store } from "../store/index.js";
import type { B2buaContext, CallEventNotice, DialogEntry } from "./b2bua-context.js";
import type { Call } from "./call.js";
import { CallJournal } from "./call-journal.js";
import { InDialog } from "./in-dialog.js";
import { ConnectorEndpoint } from "./pbx-endpoint.js";
import { PbxInbound } from "./pbx-inbound.js";
import { type CallRefusal, PbxOutbound } from "./pbx-outbound.js";

export interface B2buaDependencies {
  readonly store: Store;
  readonly bindings: BindingTable;
  /** Registered Unify Phone clients (WebSocket) per user. */
  readonly clients: ClientBindings;
  readonly connections: ConnectionTable;
  readonly transactions: TransactionLayer;
  readonly media: MediaEngine;
  readonly clock: Clock;
  readonly timers: Clock;
  readonly host: string;
  readonly sipPort: number;
  readonly domain: string;
  readonly log: Logger;
}

/**
 * The connector's back-to-back user agent: each call has a PBX leg on the trunk and a
 * user leg (a virtual user here). It answers INVITEs from PBXs, places calls toward
 * them, handles mid-call requests and keeps the call journal.
 */
export class B2bua {
  readonly journal = new CallJournal();
  readonly events = new Listeners<CallEventNotice>();
  private readonly ctx: B2buaContext;
  private readonly inbound: PbxInbound;
  private readonly outbound: PbxOutbound;
  private readonly inDialog: InDialog;
  private sequence = 0;

  constructor(deps: B2buaDependencies) {
    const dialogs = new Map<string, DialogEntry>();
    const ctx: B2buaContext = {
      ...deps,
      endpoint: new ConnectorEndpoint(deps.host, deps.sipPort),
      journal: this.journal,
      dialogs,
      events: this.events,
      note: (call, type, detail) => {
        const at = deps.clock.now();
        call.event(at, type, detail);
        this.events.emit({ callId: call.id, type, at, ...(detail === undefined ? {} : { detail }) });
      },
      finish: (call, outcome) => this.finish(call, outcome),
      nextCallId: () => `call-${(++this.sequence).toString().padStart(6, "0")}`,
    };
    this.ctx = ctx;
    this.inbound = new PbxInbound(ctx);
    this.outbound = new PbxOutbound(ctx);
    this.inDialog = new InDialog(ctx, this.outbound);
  }

  /** Register the call methods on the SIP router. */
  install(router: SipRouter): void {
    router.on(
      "INVITE",
      (tx) => (tx.request.to.params.tag ? this.inDialog.renegotiate(tx) : this.inbound.handle(tx)),
      {
        acceptBody: ["application/sdp"],
        answers: "application/sdp",
        onCancel: (tx) => this.inbound.cancelled(tx),
      },
    );
    router.on("UPDATE", (tx) => this.inDialog.renegotiate(tx), {
      acceptBody: ["application/sdp"],
      answers: "application/sdp",
    });
    router.on("BYE", (tx) => this.inDialog.bye(tx));
    router.on("INFO", (tx) => this.inDialog.info(tx), {
      acceptBody: ["application/dtmf-relay", "application/dtmf"],
    });
    router.on("REFER", (tx) => this.inDialog.refer(tx));
    router.onAckFor((ack, connection) => this.onAck(ack, connection));
  }

  /** A Unify Phone user calls a number through their trunk (POST /api/admin/calls). */
  startCall(user: User, to: string, options: { media?: MediaMode } = {}): Promise<Call | CallRefusal> {
    return this.outbound.start(user, to, options);
  }

  /** Hang up from the user's side: CANCEL, decline or BYE, whichever fits the call's state. */
  hangup(call: Call): void {
    if (!call.active) return;
    if (this.inbound.decline(call) || this.outbound.cancel(call)) return;
    for (const entry of this.ctx.dialogs.values()) {
      if (entry.call !== call) continue;
      const bye = entry.dialog.createRequest("BYE");
      this.ctx.transactions.sendRequest(bye, entry.dialog.connection, { onResponse: () => {} });
    }
    this.finish(call, { cause: "hung up by the user", by: "user" });
  }

  /** The PBX's TLS connection dropped: its calls cannot go on (SPEC §1, connection reuse). */
  connectionClosed(connection: SipConnection, reason: string): void {
    for (const entry of [...this.ctx.dialogs.values()]) {
      if (entry.dialog.connection === connection && entry.call.active) {
        this.finish(entry.call, { cause: `PBX connection lost: ${reason}`, by: "emulator" });
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
  }

  private onAck(ack: SipRequest, connection: SipConnection): void {
    for (const pending of this.inbound.pending.values()) {
      if (
        pending.answered &&
        pending.tx.request.callId === ack.callId &&
        pending.tx.connection === connection
      ) {
        this.inbound.acknowledged(pending, ack.body.length > 0 ? ack.body.toString("utf8") : undefined);
        return;
      }
    }
    // Otherwise the ACK of a re-INVITE's 2xx, or a late one: nothing more to do.
  }

  private finish(
    call: Call,
    outcome: { status?: number; cause: string; by: "pbx" | "user" | "emulator" },
  ): void {
    if (!call.active) return;
    const ctx = this.ctx;
    call.state = "ended";
    call.endedAt = ctx.clock.now();
    if (outcome.status !== undefined && call.finalStatus === null) call.finalStatus = outcome.status;
    call.hangupCause = outcome.cause;
    call.endedBy = outcome.by;
    call.media?.close();
    for (const [key, entry] of ctx.dialogs) {
      if (entry.call === call) {
        entry.dialog.state = "terminated";
        ctx.dialogs.delete(key);
      }
    }
    ctx.note(call, "ended", outcome.cause);
    this.journal.end(call);
  }
}
