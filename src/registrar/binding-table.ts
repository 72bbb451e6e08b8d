import type { Clock, TimerHandle } from "../shared/clock.js";
import type { Listeners } from "../shared/listeners.js";
import type { Binding, TrunkStatusEvent } from "./binding.js";

interface Entry {
  binding: Binding;
  timer: TimerHandle;
}

/**
 * The location service: bindings per trunk, indexed by connection so a closed TLS
 * connection drops its bindings at once. Expiry runs on the emulator clock; a refresh
 * keeps the existing timer and the timer re-arms itself if the binding was extended,
 * so there is one live timer per binding however often it is refreshed.
 */
export class BindingTable {
  private readonly byTrunk = new Map<string, Map<string, Entry>>();
  private readonly byConnection = new Map<string, Set<Entry>>();

  constructor(
    private readonly clock: Clock,
    private readonly events: Listeners<TrunkStatusEvent>,
  ) {}

  forTrunk(trunkId: string): Binding[] {
    const entries = this.byTrunk.get(trunkId);
    return entries ? [...entries.values()].map((e) => e.binding) : [];
  }

  get(trunkId: string, contact: string): Binding | undefined {
    return this.byTrunk.get(trunkId)?.get(contact)?.binding;
  }

  /** Trunks registered through this connection (an INVITE on it comes from them). */
  trunksOnConnection(connectionId: string): string[] {
    return [...new Set([...(this.byConnection.get(connectionId) ?? [])].map((e) => e.binding.trunkId))];
  }

  /** Trunks with at least one binding. */
  get trunkCount(): number {
    return this.byTrunk.size;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byTrunk.values()) n += m.size;
    return n;
  }

  upsert(binding: Binding): void {
    let entries = this.byTrunk.get(binding.trunkId);
    const wasEmpty = !entries;
    if (!entries) {
      entries = new Map();
      this.byTrunk.set(binding.trunkId, entries);
    }
    const existing = entries.get(binding.contact);
    if (existing) {
      if (existing.binding.connectionId !== binding.connectionId) {
        this.unindex(existing);
        this.index(existing, binding.connectionId);
      }
      existing.binding = binding;
      // Only a binding that now expires earlier (e.g. after the clock was set back) needs a new timer.
      if (binding.expiresAt < existing.timer.due) {
        this.clock.clearTimer(existing.timer);
        existing.timer = this.arm(existing);
      }
    } else {
      const entry = { binding } as Entry;
      entry.timer = this.arm(entry);
      entries.set(binding.contact, entry);
      this.index(entry, binding.connectionId);
    }
    if (wasEmpty) this.publish(binding, "available", "registered");
  }

  remove(trunkId: string, contact: string, reason: string): void {
    const entry = this.byTrunk.get(trunkId)?.get(contact);
    if (entry) this.drop(entry, reason);
  }

  removeTrunk(trunkId: string, reason: string): void {
    for (const entry of [...(this.byTrunk.get(trunkId)?.values() ?? [])]) this.drop(entry, reason);
  }

  removeConnection(connectionId: string, reason: string): void {
    for (const entry of [...(this.byConnection.get(connectionId) ?? [])]) this.drop(entry, reason);
  }

  clear(): void {
    for (const entries of this.byTrunk.values())
      for (const e of entries.values()) this.clock.clearTimer(e.timer);
    this.byTrunk.clear();
    this.byConnection.clear();
  }

  private arm(entry: Entry): TimerHandle {
    const delay = entry.binding.expiresAt - this.clock.now();
    return this.clock.setTimer(delay, () => {
      const current = this.byTrunk.get(entry.binding.trunkId)?.get(entry.binding.contact);
      if (current !== entry) return;
      if (entry.binding.expiresAt > this.clock.now()) entry.timer = this.arm(entry);
      else this.drop(entry, "expired");
    });
  }

  private drop(entry: Entry, reason: string): void {
    const { trunkId, contact } = entry.binding;
    const entries = this.byTrunk.get(trunkId);
    if (entries?.get(contact) !== entry) return;
    this.clock.clearTimer(entry.timer);
    entries.delete(contact);
    this.unindex(entry);
    if (entries.size === 0) {
      this.byTrunk.delete(trunkId);
      this.publish(entry.binding, "unavailable", reason);
    }
  }

  private index(entry: Entry, connectionId: string): void {
    let set = this.byConnection.get(connectionId);
    if (!set) {
      set = new Set();
      this.byConnection.set(connectionId, set);
    }
    set.add(entry);
  }

  private unindex(entry: Entry): void {
    const set = this.byConnection.get(entry.binding.connectionId);
    set?.delete(entry);
    if (set?.size === 0) this.byConnection.delete(entry.binding.connectionId);
  }

  private publish(binding: Binding, status: TrunkStatusEvent["status"], reason: string): void {
    this.events.emit({
      trunkId: binding.trunkId,
      tenantId: binding.tenantId,
      status,
      reason,
      at: this.clock.now(),
    });
  }
}
