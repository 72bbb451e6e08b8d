import type { UnmatchedEntry, UnmatchedKind } from "./unmatched-entry.js";

/**
 * The last `capacity` captured requests, oldest first in memory, newest first when listed.
 * Bounded in count; each entry's body is bounded by the capture, so the journal is bounded too.
 */
export class UnmatchedJournal {
  private entries: UnmatchedEntry[] = [];
  private seq = 0;

  constructor(readonly capacity: number) {}

  nextId(): string {
    return `um_${++this.seq}`;
  }

  add(entry: UnmatchedEntry): void {
    if (this.capacity <= 0) return;
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  /** Newest first, optionally one kind. */
  list(kind?: UnmatchedKind): UnmatchedEntry[] {
    const all = kind ? this.entries.filter((e) => e.kind === kind) : [...this.entries];
    return all.reverse();
  }

  get(id: string): UnmatchedEntry | undefined {
    return this.entries.find((e) => e.id === id);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Empties the journal; ids keep increasing. Answers how many entries went. */
  clear(): number {
    const n = this.entries.length;
    this.entries = [];
    return n;
  }
}
