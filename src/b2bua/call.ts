import type { MediaMode, MediaSession } from "../media/index.js";
import type { ClientMedia } from "./client-media.js";

export type CallState = "setup" | "ringing" | "answered" | "ended";
export type CallDirection = "pbx-to-user" | "user-to-pbx";

export interface CallEvent {
  readonly at: number;
  readonly type: string;
  readonly detail?: string;
}

export interface DtmfDigit {
  readonly digit: string;
  readonly via: "rfc4733" | "info";
  readonly at: number;
}

/** One CSTA message about a call, as the journal lists it (`cti` of a journal entry). */
export interface CtiJournalEntry {
  readonly at: number;
  /** out: connector → PBX (requests); in: PBX → connector (responses, events). */
  readonly direction: "in" | "out";
  /** The ECMA-323 root element, e.g. DeliveredEvent, ClearConnection, CSTAErrorCode. */
  readonly type: string;
  readonly invokeID?: string;
  /** The PBX's CSTA callID. */
  readonly cstaCallId?: string;
  /** The desk phone (the user's callno). */
  readonly device: string;
}

/** One leg of a call: the PBX side on the trunk, or the Unify Phone user side. */
export interface CallLeg {
  readonly kind: "pbx" | "virtual-user" | "client" | "desk-phone";
  readonly callId: string;
  /** Final SIP status of the INVITE on this leg, once known. */
  status?: number;
  reason?: string;
}

/**
 * A call through the connector and its journal entry (CDR): every time comes from the
 * emulator clock, every event is kept in order.
 */
export class Call {
  state: CallState = "setup";
  readonly events: CallEvent[] = [];
  readonly dtmf: DtmfDigit[] = [];
  readonly legs: CallLeg[] = [];
  ringingAt: number | null = null;
  answeredAt: number | null = null;
  endedAt: number | null = null;
  finalStatus: number | null = null;
  hangupCause: string | null = null;
  endedBy: "pbx" | "user" | "emulator" | null = null;
  /** Who refused the call before an answer: the PBX's final response, or the connector's own. */
  refusedBy: "pbx" | "connector" | null = null;
  /** The refusing side's `Warning` text (RFC 3261 §20.43), when it sent one. */
  warning: string | null = null;
  onHold = false;
  /** connector: a call through the connector (SIP); desk-phone: a call only the desk phone had (CSTA). */
  kind: "connector" | "desk-phone" = "connector";
  /** The CSTA messages about this call (call-cti.ts), oldest first. */
  readonly cti: CtiJournalEntry[] = [];
  /** A pulled call: the journal entry of the desk-phone call it came from. */
  pulledFrom: string | null = null;
  media: MediaSession | null = null;
  /** A client call's media, anchored in the connector (client-media.ts); null for virtual users. */
  anchoredMedia: ClientMedia | null = null;
  mediaMode: MediaMode;

  constructor(
    readonly id: string,
    readonly direction: CallDirection,
    readonly tenantId: string,
    readonly trunkId: string,
    readonly trunkName: string,
    readonly userId: string | null,
    /** Caller and callee numbers as signalled. */
    readonly from: string,
    readonly to: string,
    readonly createdAt: number,
    mediaMode: MediaMode,
  ) {
    this.mediaMode = mediaMode;
  }

  get active(): boolean {
    return this.state !== "ended";
  }

  event(at: number, type: string, detail?: string): void {
    this.events.push(detail === undefined ? { at, type } : { at, type, detail });
  }
}
