import type { Call } from "./call.js";
import { CtiCallLinks, type CtiCallNote } from "./call-cti.js";

export interface CallFilter {
  readonly tenantId?: string;
  readonly userId?: string;
  readonly trunkId?: string;
  readonly state?: "active" | "ended";
}

/**
 * Active calls and the most recent ended ones (a bounded ring: the journal of a long
 * run must not grow without end), plus the count of active calls per trunk — the
 * trunk's busy lines.
 */
export class CallJournal {
  private readonly active = new Map<string, Call>();
  private readonly ended: Call[] = [];
  private readonly linesByTrunk = new Map<string, number>();
  /** Calls only a desk phone has (CSTA): in the journal, never a trunk line nor a connector call. */
  private readonly desk = new Map<string, Call>();
  private readonly links: CtiCallLinks;

  private deskSequence = 0;

  constructor(private readonly keepEnded = 1000) {
    this.links = new CtiCallLinks({
      activeCallOf: (userId) =>
        [...this.active.values()]
          .filter((c) => c.userId === userId)
          .sort((a, b) => b.createdAt - a.createdAt)[0],
      get: (id) => this.get(id),
      openDesk: (call) => {
        this.desk.set(call.id, call);
        // A desk phone whose ConnectionCleared never came must not hold its entry forever.
        if (this.desk.size > this.keepEnded) this.keep(this.desk.values().next().value as Call);
      },
      endDesk: (call) => {
        if (this.desk.has(call.id)) this.keep(call);
      },
      nextId: () => `desk-${(++this.deskSequence).toString().padStart(6, "0")}`,
    });
  }

  /** A CSTA message about a user's desk phone: into the call's entry (call-cti.ts); the entry, if any. */
  recordCti(note: CtiCallNote): Call | undefined {
    return this.links.record(note);
  }

  /** The journal entry the user's desk phone was last in: where a pulled call comes from. */
  lastDeskEntry(userId: string): string | undefined {
    return this.links.lastEntryOf(userId);
  }

  add(call: Call): void {
    this.active.set(call.id, call);
    this.linesByTrunk.set(call.trunkId, (this.linesByTrunk.get(call.trunkId) ?? 0) + 1);
  }

  /** Move an ended call from the active set to the recent ones (idempotent). */
  end(call: Call): void {
    if (!this.active.delete(call.id)) return;
    const lines = (this.linesByTrunk.get(call.trunkId) ?? 1) - 1;
    if (lines <= 0) this.linesByTrunk.delete(call.trunkId);
    else this.linesByTrunk.set(call.trunkId, lines);
    this.keep(call);
  }

  private keep(call: Call): void {
    this.desk.delete(call.id);
    this.ended.push(call);
    if (this.ended.length > this.keepEnded) this.ended.splice(0, this.ended.length - this.keepEnded);
  }

  get(id: string): Call | undefined {
    return this.active.get(id) ?? this.desk.get(id) ?? this.ended.find((c) => c.id === id);
  }

  /** Lines of the trunk in use (active calls in either direction). */
  linesInUse(trunkId: string): number {
    return this.linesByTrunk.get(trunkId) ?? 0;
  }

  activeCalls(): Call[] {
    return [...this.active.values()];
  }

  /** Newest first. */
  list(filter: CallFilter = {}): Call[] {
    const all = [
      ...(filter.state === "ended" ? [] : [...this.active.values(), ...this.desk.values()]),
      ...(filter.state === "active" ? [] : this.ended),
    ];
    return all
      .filter(
        (c) =>
          (!filter.tenantId || c.tenantId === filter.tenantId) &&
          (!filter.userId || c.userId === filter.userId) &&
          (!filter.trunkId || c.trunkId === filter.trunkId || c.trunkName === filter.trunkId),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
  }
}
