import { MediaTicker, type Tickable } from "./media-ticker.js";
import { type MixableCodec, mixPayloads } from "./mixer.js";

/** One party of a conference as the mixer sees it: its codec, and where its mix goes. */
export interface MixerParty {
  readonly codec: MixableCodec;
  /** One 20 ms payload in the party's codec. */
  send(payload: Buffer): void;
}

/** Frames kept per party between ticks; older ones are dropped (a party sending too fast). */
const MAX_QUEUED = 3;

interface Member {
  readonly party: MixerParty;
  readonly queue: Buffer[];
}

/**
 * A conference mixed by the emulator: every 20 ms (one ticker step) each party's oldest
 * queued frame is decoded, each party gets the sum of the others (N-1 mix, saturated) in
 * its own codec. A party with nothing queued adds silence for that tick.
 */
export class ConferenceMixer implements Tickable {
  private readonly members = new Map<string, Member>();
  private closed = false;

  constructor(private readonly ticker: MediaTicker = new MediaTicker()) {}

  get size(): number {
    return this.members.size;
  }

  add(id: string, party: MixerParty): void {
    if (this.closed) return;
    this.members.set(id, { party, queue: [] });
    this.ticker.add(this);
  }

  remove(id: string): void {
    this.members.delete(id);
    if (this.members.size === 0) this.ticker.delete(this);
  }

  /** A 20 ms frame a party sent (in its own codec). */
  push(id: string, payload: Buffer): void {
    const member = this.members.get(id);
    if (!member) return;
    member.queue.push(payload);
    if (member.queue.length > MAX_QUEUED) member.queue.shift();
  }

  onTick(): void {
    const members = [...this.members.values()];
    if (members.length === 0) return;
    const inputs = members.map((m) => ({ codec: m.party.codec, payload: m.queue.shift() ?? null }));
    const mixed = mixPayloads(inputs);
    for (const [i, member] of members.entries()) member.party.send(mixed[i]!);
  }

  close(): void {
    this.closed = true;
    this.members.clear();
    this.ticker.delete(this);
  }
}
