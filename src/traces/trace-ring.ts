import type { TransportProtocol } from "../sip/transport/index.js";
import { ByteLog } from "./byte-log.js";
import type { SipTraceEntry, TraceEndpoint, TraceEntry, TraceOwner } from "./trace-entry.js";

/** A connection as every SIP entry on it names it: one object per connection, shared. */
export interface Flow {
  readonly connectionId: string;
  readonly transport: TransportProtocol;
  readonly local: TraceEndpoint;
  readonly peer: TraceEndpoint;
}

export const SIP_RECORD = "sip-record";

/** A kept SIP message, as read back (its text decoded on reading). */
export interface SipRecord {
  readonly kind: typeof SIP_RECORD;
  readonly seq: number;
  readonly at: number;
  readonly wallAt: number;
  readonly direction: "in" | "out";
  readonly flow: Flow;
  readonly owner: TraceOwner | undefined;
  readonly message: string;
  readonly size: number;
}

export type OtherEntry = Exclude<TraceEntry, SipTraceEntry>;

/** What a kept entry costs beyond a SIP message's bytes: its fields and slot, roughly. */
export const ENTRY_OVERHEAD = 256;
/** Slots to begin with; they double up to the capacity as entries come. */
const INITIAL_SLOTS = 1024;
const OTHER = 0;
const SIP_IN = 1;
const SIP_OUT = 2;

/**
 * The trace's bounded FIFO: pushing beyond the capacity — or beyond the byte budget —
 * drops the oldest entries (the newest always stays, even alone over the budget). The
 * budget bounds memory when entries vary in size (SIP messages near the 64 KiB limit would
 * otherwise hold ~650 MB at 10,000 entries).
 *
 * SIP messages, one per message on the wire, are kept as columns of numbers and shared
 * references, their bytes in one ByteLog: recording one allocates nothing that outlives
 * the young generation (no entry object, no string), so the trace costs the GC nothing per
 * message. Other entries are kept as they are.
 */
export class TraceRing {
  private slots = 0;
  /** The entry (OTHER) or the flow (SIP) of each slot. */
  private refs: (OtherEntry | Flow | undefined)[] = [];
  private owners: (TraceOwner | undefined)[] = [];
  private kinds = new Uint8Array(0);
  private seqs = new Float64Array(0);
  private ats = new Float64Array(0);
  private wallAts = new Float64Array(0);
  private positions = new Float64Array(0);
  private lengths = new Float64Array(0);
  /** What each slot counts against the budget. */
  private costs = new Float64Array(0);
  private readonly bytes = new ByteLog();
  /** Slot of the oldest entry. */
  private head = 0;
  private count = 0;
  private heldBytes = 0;
  private overwritten = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`trace capacity must be a non-negative integer, got ${capacity}`);
    }
    if (!(maxBytes > 0)) throw new RangeError(`trace byte budget must be positive, got ${maxBytes}`);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held, as the budget counts them. */
  get held(): number {
    return this.heldBytes;
  }

  /** Entries pushed out by newer ones (or never kept, with capacity 0) since the last clear. */
  get dropped(): number {
    return this.overwritten;
  }

  /** Memory the SIP bytes take now (the ByteLog's Buffer). */
  get arenaBytes(): number {
    return this.bytes.size;
  }

  pushSip(
    seq: number,
    at: number,
    wallAt: number,
    direction: "in" | "out",
    flow: Flow,
    owner: TraceOwner | undefined,
    message: Buffer,
  ): void {
    const slot = this.claim();
    if (slot === -1) return;
    this.kinds[slot] = direction === "in" ? SIP_IN : SIP_OUT;
    this.refs[slot] = flow;
    this.owners[slot] = owner;
    this.seqs[slot] = seq;
    this.ats[slot] = at;
    this.wallAts[slot] = wallAt;
    this.positions[slot] = this.bytes.append(message);
    this.lengths[slot] = message.length;
    this.settle(slot, message.length + ENTRY_OVERHEAD);
  }

  /** Any other entry; `cost` is what it counts against the budget. */
  push(entry: OtherEntry, cost: number): void {
    const slot = this.claim();
    if (slot === -1) return;
    this.kinds[slot] = OTHER;
    this.refs[slot] = entry;
    this.owners[slot] = undefined;
    this.settle(slot, cost);
  }

  /** Oldest first; SIP messages decoded now. */
  toArray(): (OtherEntry | SipRecord)[] {
    const out: (OtherEntry | SipRecord)[] = [];
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.slots;
      const kind = this.kinds[slot];
      if (kind === OTHER) {
        out.push(this.refs[slot] as OtherEntry);
        continue;
      }
      const size = this.lengths[slot]!;
      out.push({
        kind: SIP_RECORD,
        seq: this.seqs[slot]!,
        at: this.ats[slot]!,
        wallAt: this.wallAts[slot]!,
        direction: kind === SIP_IN ? "in" : "out",
        flow: this.refs[slot] as Flow,
        owner: this.owners[slot],
        message: this.bytes.text(this.positions[slot]!, size),
        size,
      });
    }
    return out;
  }

  clear(): void {
    this.refs.fill(undefined);
    this.owners.fill(undefined);
    this.bytes.clear();
    this.head = 0;
    this.count = 0;
    this.heldBytes = 0;
    this.overwritten = 0;
  }

  /** The slot for a new newest entry (-1 with capacity 0: nothing is kept). */
  private claim(): number {
    if (this.capacity === 0) {
      this.overwritten++;
      return -1;
    }
    if (this.count === this.capacity) this.dropOldest();
    else if (this.count === this.slots) this.grow();
    return (this.head + this.count) % this.slots;
  }

  /** The new entry is in `slot`: count it, then drop the oldest while over the budget. */
  private settle(slot: number, cost: number): void {
    this.costs[slot] = cost;
    this.heldBytes += cost;
    this.count++;
    while (this.heldBytes > this.maxBytes && this.count > 1) this.dropOldest();
  }

  private dropOldest(): void {
    const slot = this.head;
    if (this.kinds[slot] !== OTHER) this.bytes.release(this.lengths[slot]!);
    this.heldBytes -= this.costs[slot]!;
    this.refs[slot] = undefined;
    this.owners[slot] = undefined;
    this.head = (this.head + 1) % this.slots;
    this.count--;
    this.overwritten++;
  }

  /** Doubles the slots (up to the capacity), the kept entries first in order. */
  private grow(): void {
    const slots = Math.min(this.capacity, Math.max(INITIAL_SLOTS, this.slots * 2));
    const order = (i: number) => (this.head + i) % this.slots;
    const moved = <T extends Float64Array | Uint8Array>(column: T, make: (n: number) => T): T => {
      const next = make(slots);
      for (let i = 0; i < this.count; i++) next[i] = column[order(i)]!;
      return next;
    };
    this.kinds = moved(this.kinds, (n) => new Uint8Array(n));
    this.seqs = moved(this.seqs, (n) => new Float64Array(n));
    this.ats = moved(this.ats, (n) => new Float64Array(n));
    this.wallAts = moved(this.wallAts, (n) => new Float64Array(n));
    this.positions = moved(this.positions, (n) => new Float64Array(n));
    this.lengths = moved(this.lengths, (n) => new Float64Array(n));
    this.costs = moved(this.costs, (n) => new Float64Array(n));
    const refs = new Array<OtherEntry | Flow | undefined>(slots).fill(undefined);
    const owners = new Array<TraceOwner | undefined>(slots).fill(undefined);
    for (let i = 0; i < this.count; i++) {
      refs[i] = this.refs[order(i)];
      owners[i] = this.owners[order(i)];
    }
    this.refs = refs;
    this.owners = owners;
    this.slots = slots;
    this.head = 0;
  }
}
