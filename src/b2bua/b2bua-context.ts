import type { Logger } from "pino";
import type { MediaEngine } from "../media/index.js";
import type { BindingTable, ClientBindings } from "../registrar/index.js";
import type { Clock } from "../shared/clock.js";
import type { Listeners } from "../shared/listeners.js";
import type { AcceptedInvites, Dialog, LocalEndpoint } from "../sip/dialog/index.js";
import type { TransactionLayer } from "../sip/transaction/index.js";
import type { ConnectionTable } from "../sip/transport/index.js";
import type { Store } from "../store/index.js";
import type { Call } from "./call.js";
import type { CallJournal } from "./call-journal.js";

/** A dialog of the B2BUA and the call it belongs to. */
export interface DialogEntry {
  readonly dialog: Dialog;
  readonly call: Call;
  readonly leg: "pbx" | "client";
  /** The other side's dialog when the call joins two real endpoints (PBX and a client). */
  peer?: DialogEntry;
}

/** A call's life event, published for webhooks and the web UI. */
export interface CallEventNotice {
  readonly callId: string;
  readonly type: string;
  readonly at: number;
  readonly detail?: string;
}

/** What the parts of the B2BUA share; built once by the B2bua class. */
export interface B2buaContext {
  readonly store: Store;
  readonly bindings: BindingTable;
  readonly clients: ClientBindings;
  readonly connections: ConnectionTable;
  readonly transactions: TransactionLayer;
  readonly media: MediaEngine;
  readonly journal: CallJournal;
  /** Emulator time, for journal timestamps. */
  readonly clock: Clock;
  /** Real time, for protocol timers and behaviour delays (ring 1 s). */
  readonly timers: Clock;
  readonly endpoint: LocalEndpoint;
  /** Our 2xx responses to INVITEs, retransmitted until their ACK (RFC 3261 §13.3.1.4). */
  readonly accepted: AcceptedInvites;
  /** The Allow header value: the router's one list of methods we take. */
  allow(): string;
  readonly domain: string;
  readonly log: Logger;
  readonly dialogs: Map<string, DialogEntry>;
  readonly events: Listeners<CallEventNotice>;
  /** Record an event in the call's journal and publish it. */
  note(call: Call, type: string, detail?: string): void;
  /** End the call once: state, times, cause, media, dialogs, lines. */
  finish(call: Call, outcome: { status?: number; cause: string; by: "pbx" | "user" | "emulator" }): void;
  /** Run `cleanup` once the call ends, however it ends. */
  whenEnded(call: Call, cleanup: () => void): void;
  /** BYE on every dialog of the call but `except` whose connection is still open. */
  sendByes(call: Call, except?: DialogEntry): void;
  nextCallId(): string;
}
