import type { PbxSystem, Trunk, User } from "../domain/index.js";
import type { MediaEngine } from "../media/index.js";
import type { Binding, ClientBinding } from "../registrar/index.js";
import type { Clock } from "../shared/clock.js";
import type { UnhandledRequestListener } from "../sip/core/index.js";
import type { Dialog, DialogFlow, LocalEndpoint } from "../sip/dialog/index.js";
import type { SipRequest, SipResponse } from "../sip/message/index.js";
import type {
  ClientTransaction,
  ClientTransactionDelegate,
  ServerTransaction,
} from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import type { Call } from "./call.js";
import type { WebRtcLegOptions } from "./client-media-webrtc.js";

/**
 * The narrow ports of the B2BUA's parts. The B2bua class implements them once over the
 * store, the registrars' bindings, the transaction layer and the media engine; each part
 * names only the members it uses, so a unit test builds it from a few fakes.
 */

/** A dialog of the B2BUA and the call it belongs to. */
export interface DialogEntry {
  readonly dialog: Dialog;
  readonly call: Call;
  readonly leg: "pbx" | "client";
  /** The other side's dialog when the call joins two real endpoints (PBX and a client). */
  peer?: DialogEntry;
}

/** The B2BUA's dialogs by dialog key. */
export interface DialogsPort {
  readonly dialogs: Map<string, DialogEntry>;
}

/** A call's life event, published for webhooks and the web UI. */
export interface CallEventNotice {
  readonly callId: string;
  readonly type: string;
  readonly at: number;
  readonly detail?: string;
}

/** The directory entries calls need: trunks, their PBX systems, users. */
export interface CallDirectory {
  trunk(id: string): Trunk | undefined;
  system(ref: string): PbxSystem | undefined;
  /** The tenant's user with exactly this phone number. */
  userByNumber(tenantId: string, phoneNumber: string): User | undefined;
  user(id: string): User | undefined;
}

/**
 * Whether a tenant's Unify Phone works at this instant. The services decide (a Unify Video
 * tenant's JWT); the B2BUA only refuses calls with the cause it is given.
 */
export interface ServiceState {
  /** Why the tenant is not functional now, or undefined when it is; asked per call, never cached. */
  tenantOutage(tenantId: string): TenantOutage | undefined;
}

export interface TenantOutage {
  /** Stable code of the cause, e.g. `jwt_expired` (the REST API's problem code). */
  readonly code: string;
  /** Short cause, e.g. "JWT expired", repeated in the SIP answer and the journal. */
  readonly cause: string;
  /** One sentence for people (the REST problem's detail). */
  readonly detail: string;
}

/** A registered client reachable now: its binding and its open connection. */
export interface ReachableClient {
  readonly binding: ClientBinding;
  readonly connection: SipConnection;
}

/** Who is registered over which connection, and where a request toward them goes now. */
export interface Reachability {
  /** Trunks registered over the connection. */
  trunksOnConnection(connectionId: string): readonly string[];
  /** Users whose clients registered over the connection. */
  usersOnConnection(connectionId: string): readonly string[];
  /** The trunk's current registered flow (see flows.ts), if its PBX is connected. */
  trunkFlow(trunkId: string): { binding: Binding; connection: SipConnection } | undefined;
  trunkDialogFlow(trunkId: string): DialogFlow;
  clientDialogFlow(userId: string, contact: string): DialogFlow;
  /** The user's registered clients whose connection is open. */
  reachableClients(userId: string): ReachableClient[];
  /** The user's client binding made over this connection. */
  clientOn(userId: string, connectionId: string): ClientBinding | undefined;
}

/** How the connector speaks SIP: its name on a connection, its domain and Allow list, requests out. */
export interface Signalling {
  readonly endpoint: LocalEndpoint;
  readonly domain: string;
  /** The Allow header value: the router's one list of methods we take. */
  allow(): string;
  /** Send a request in a new client transaction. */
  send(
    request: SipRequest,
    connection: SipConnection,
    delegate: ClientTransactionDelegate,
  ): ClientTransaction;
  /**
   * Send a 2xx to an INVITE, retransmitted until its ACK (RFC 3261 §13.3.1.4); `onAckTimeout`
   * runs when none came within 64·T1.
   */
  answerInvite(tx: ServerTransaction, response: SipResponse, onAckTimeout?: () => void): void;
  /**
   * Where a request the B2BUA does not model goes (the unmatched journal, which may let a stub
   * answer): it answers `answer` or better. Absent: the B2BUA answers `answer` itself.
   */
  readonly unmodelled?: UnhandledRequestListener;
}

/** The journal side of a call: ids, emulator time, lines, events. */
export interface CallRecords {
  nextCallId(): string;
  /** Emulator time, for journal timestamps. */
  now(): number;
  /** Enter a new call in the journal (it takes a trunk line). */
  record(call: Call): void;
  /** Lines of the trunk in use (active calls in either direction). */
  linesInUse(trunkId: string): number;
  /** Record an event in the call's journal and publish it. */
  note(call: Call, type: string, detail?: string): void;
}

/** How a call ends, and what runs then. */
export interface CallEnding {
  /** End the call once: state, times, cause, media, dialogs, lines. */
  finish(call: Call, outcome: CallOutcome): void;
  /** Run `cleanup` once the call ends, however it ends. */
  whenEnded(call: Call, cleanup: () => void): void;
  /** BYE on every dialog of the call but `except` whose connection is still open. */
  sendByes(call: Call, except?: DialogEntry): void;
}

export interface CallOutcome {
  readonly status?: number;
  readonly cause: string;
  readonly by: "pbx" | "user" | "emulator";
}

/** The published call events, for whoever follows another call (a transfer's NOTIFYs). */
export interface CallEventsPort {
  onCallEvent(listener: (event: CallEventNotice) => void): () => void;
}

/** Real time, for protocol timers and behaviour delays (ring 1 s). */
export interface TimersPort {
  readonly timers: Pick<Clock, "setTimer" | "clearTimer">;
}

/** RTP sessions of the emulator's own media (the virtual user, admin API calls). */
export interface MediaPort {
  readonly media: Pick<MediaEngine, "createSession">;
  /** Host candidates of WebRTC client legs (client-media-webrtc.ts); the gateway's defaults when absent. */
  readonly webrtc?: WebRtcLegOptions;
}
