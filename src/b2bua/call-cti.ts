import { EvictionCursor } from "../shared/eviction-cursor.js";
import { Call, type CtiJournalEntry } from "./call.js";

/** A CSTA message the CTI tied to a user's desk phone (cti/cti-service.ts publishes these). */
export interface CtiCallNote extends CtiJournalEntry {
  readonly tenantId: string;
  readonly userId: string;
  readonly trunkId: string;
  readonly trunkName: string;
  /** For events: the call's parties as the event names them. */
  readonly calling?: string;
  readonly called?: string;
  /** For events: the desk phone's connection state after it (alerting, connected, hold, null). */
  readonly local?: string;
}

/** A journal entry holds at most this many CSTA messages (a long call must not grow without end). */
export const CTI_ENTRIES_PER_CALL = 200;

/** Events that name a call's parties: without a connector call to join, they open a desk-phone entry. */
const STARTS = new Set(["DeliveredEvent", "OriginatedEvent", "EstablishedEvent"]);
/** CSTA calls seen before their parties (ServiceInitiated, MakeCall…) whose notes wait; at most this many. */
const MAX_EARLY_CALLS = 100;
/** Events after which the desk phone is out of the call. */
const ENDS = new Set(["ConnectionClearedEvent", "TransferedEvent", "DivertedEvent"]);

export interface CtiJournalPorts {
  /** The user's newest active connector call (not a desk-phone entry). */
  activeCallOf(userId: string): Call | undefined;
  get(callId: string): Call | undefined;
  /** Open a desk-phone entry (kept in the journal, not a trunk line). */
  openDesk(call: Call): void;
  endDesk(call: Call): void;
  nextId(): string;
}

/**
 * Ties CSTA messages to journal entries: by the PBX's callID once known, else to the user's
 * active connector call (the desk phone ringing in parallel with the app: twinning), else to
 * a new `desk-phone` entry for a call that only the desk phone has — so the story of a call
 * answered on the desk phone, then pushed or pulled, is in one place.
 */
export class CtiCallLinks {
  /** `trunkId|cstaCallId` → journal call id. Bounded: dropped when the desk phone leaves the call. */
  private readonly byCstaCall = new Map<string, string>();
  /** The entry each user's desk phone last acted in (the origin of a pull). */
  private readonly lastOfUser = new Map<string, string>();
  /** Notes of a CSTA call no entry holds yet (the dialling before Originated names the called party). */
  private readonly early = new Map<string, CtiCallNote[]>();
  private readonly evictEarly = new EvictionCursor(this.early);

  constructor(private readonly ports: CtiJournalPorts) {}

  record(note: CtiCallNote): Call | undefined {
    const key = note.cstaCallId === undefined ? undefined : `${note.trunkId}|${note.cstaCallId}`;
    let call = key === undefined ? undefined : this.ports.get(this.byCstaCall.get(key) ?? "");
    if (!call) call = this.ports.activeCallOf(note.userId);
    if (!call && key !== undefined && STARTS.has(note.type)) call = this.openDesk(note);
    if (!call) {
      if (key !== undefined) this.wait(key, note);
      return undefined;
    }
    if (key !== undefined) {
      this.byCstaCall.set(key, call.id);
      for (const early of this.early.get(key) ?? []) add(call, early);
      this.early.delete(key);
    }
    this.lastOfUser.set(note.userId, call.id);
    add(call, note);
    if (call.kind === "desk-phone") this.followDesk(call, note);
    if (key !== undefined && ENDS.has(note.type) && note.local !== "connected") this.byCstaCall.delete(key);
    return call;
  }

  private wait(key: string, note: CtiCallNote): void {
    const notes = this.early.get(key) ?? [];
    if (notes.length === 0) {
      if (this.early.size >= MAX_EARLY_CALLS) this.evictEarly.evictOldest();
      this.early.set(key, notes);
    }
    if (notes.length < CTI_ENTRIES_PER_CALL) notes.push(note);
  }

  /** The journal entry the user's desk phone was last in (for `pulledFrom`). */
  lastEntryOf(userId: string): string | undefined {
    return this.lastOfUser.get(userId);
  }

  private openDesk(note: CtiCallNote): Call {
    const incoming = note.type === "DeliveredEvent" && note.called === note.device;
    const call = new Call(
      this.ports.nextId(),
      incoming ? "pbx-to-user" : "user-to-pbx",
      note.tenantId,
      note.trunkId,
      note.trunkName,
      note.userId,
      note.calling ?? (incoming ? "unknown" : note.device),
      note.called ?? "unknown",
      note.at,
      "silence",
    );
    call.kind = "desk-phone";
    call.legs.push({ kind: "desk-phone", callId: note.cstaCallId ?? "" });
    call.event(note.at, "desk-phone", "a call on the desk phone only (CSTA)");
    this.ports.openDesk(call);
    return call;
  }

  /** A desk-phone entry follows the desk phone's connection state. */
  private followDesk(call: Call, note: CtiCallNote): void {
    if (!call.active) return;
    switch (note.local) {
      case "alerting":
        if (call.state === "setup") {
          call.state = "ringing";
          call.ringingAt = note.at;
        }
        break;
      case "connected":
      case "initiated":
        if (call.state !== "answered") {
          call.state = "answered";
          call.answeredAt = note.at;
        }
        call.onHold = false;
        break;
      case "hold":
        call.onHold = true;
        break;
      case "null":
      case "fail":
        call.state = "ended";
        call.endedAt = note.at;
        call.hangupCause = `${note.type} on the desk phone`;
        call.endedBy = "pbx";
        call.event(note.at, "ended", call.hangupCause);
        this.ports.endDesk(call);
        break;
    }
  }
}

function add(call: Call, note: CtiCallNote): void {
  if (call.cti.length >= CTI_ENTRIES_PER_CALL) return;
  const { at, direction, type, invokeID, cstaCallId, device } = note;
  call.cti.push({
    at,
    direction,
    type,
    device,
    ...(invokeID === undefined ? {} : { invokeID }),
    ...(cstaCallId === undefined ? {} : { cstaCallId }),
  });
}
