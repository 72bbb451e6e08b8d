import type { Clock, TimerHandle } from "../shared/clock.js";
import { Listeners } from "../shared/listeners.js";

/** One registered Unify Phone client of a user (RFC 3261 §10.3), tied to its WebSocket. */
export interface ClientBinding {
  readonly userId: string;
  readonly tenantId: string;
  /** The address-of-record, `sip:<userId>@<domain>`. */
  readonly aor: string;
  /** Contact URI as sent (inside <>): where an INVITE for this client goes. */
  readonly contact: string;
  /** Contact header parameters other than expires (+sip.instance, reg-id…). */
  readonly contactParams: Readonly<Record<string, string | null>>;
  readonly callId: string;
  readonly cseq: number;
  readonly registeredAt: number;
  readonly expiresAt: number;
  /** The connection every request to this client must travel on (RFC 7118 §5: no new ones). */
  readonly connectionId: string;
  readonly transport: string;
  readonly remote: { readonly address: string; readonly port: number };
  readonly userAgent: string | null;
}

/** Published when a user's first client registers ("online") or its last one leaves ("offline"). */
export interface ClientPresenceEvent {
  readonly userId: string;
  readonly tenantId: string;
  readonly status: "online" | "offline";
  /** "registered", "unregistered", "expired", "connection closed: …", "client password deleted"… */
  readonly reason: string;
  readonly at: number;
}

interface Entry {
  binding: ClientBinding;
  timer: TimerHandle;
}

/**
 * The location service for user AORs: bindings per user, indexed by connection so a
 * closed WebSocket drops its clients at once. Expiry follows the emulator clock with one
 * self-re-arming timer per binding, as the trunk BindingTable does.
 */
export class ClientBindings {
  private readonly byUser = new Map<string, Map<string, Entry>>();
  private readonly byConnection = new Map<string, Set<Entry>>();
  private readonly presence = new Listeners<ClientPresenceEvent>();

  constructor(private readonly clock: Clock) {}

  /** The user's registered clients, oldest registration first. */
  forUser(userId: string): ClientBinding[] {
    const entries = this.byUser.get(userId);
    return entries ? [...entries.values()].map((e) => e.binding) : [];
  }

  /** Users whose clients registered over this connection (an INVITE on it comes from them). */
  usersOnConnection(connectionId: string): string[] {
    return [...new Set([...(this.byConnection.get(connectionId) ?? [])].map((e) => e.binding.userId))];
  }

  get(userId: string, contact: string): ClientBinding | undefined {
    return this.byUser.get(userId)?.get(contact)?.binding;
  }

  /** Subscribe to online/offline changes; returns an unsubscribe function. */
  onPresence(listener: (event: ClientPresenceEvent) => void): () => void {
    return this.presence.on(listener);
  }

  /** Users with at least one client. */
  get userCount(): number {
    return this.byUser.size;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byUser.values()) n += m.size;
    return n;
  }

  upsert(binding: ClientBinding): void {
    let entries = this.byUser.get(binding.userId);
    const wasEmpty = !entries;
    if (!entries) {
      entries = new Map();
      this.byUser.set(binding.userId, entries);
    }
    const existing = entries.get(binding.contact);
    if (existing) {
      if (existing.binding.connectionId !== binding.connectionId) {
        this.unindex(existing);
        this.index(existing, binding.connectionId);
      }
      existing.binding = binding;
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
    if (wasEmpty) this.publish(binding, "online", "registered");
  }

  remove(userId: string, contact: string, reason: string): void {
    const entry = this.byUser.get(userId)?.get(contact);
    if (entry) this.drop(entry, reason);
  }

  removeUser(userId: string, reason: string): void {
    for (const entry of [...(this.byUser.get(userId)?.values() ?? [])]) this.drop(entry, reason);
  }

  removeConnection(connectionId: string, reason: string): void {
    for (const entry of [...(this.byConnection.get(connectionId) ?? [])]) this.drop(entry, reason);
  }

  clear(): void {
    for (const entries of this.byUser.values())
      for (const e of entries.values()) this.clock.clearTimer(e.timer);
    this.byUser.clear();
    this.byConnection.clear();
  }

  private arm(entry: Entry): TimerHandle {
    return this.clock.setTimer(entry.binding.expiresAt - this.clock.now(), () => {
      if (this.byUser.get(entry.binding.userId)?.get(entry.binding.contact) !== entry) return;
      if (entry.binding.expiresAt > this.clock.now()) entry.timer = this.arm(entry);
      else this.drop(entry, "expired");
    });
  }

  private drop(entry: Entry, reason: string): void {
    const { userId, contact } = entry.binding;
    const entries = this.byUser.get(userId);
    if (entries?.get(contact) !== entry) return;
    this.clock.clearTimer(entry.timer);
    entries.delete(contact);
    this.unindex(entry);
    if (entries.size === 0) {
      this.byUser.delete(userId);
      this.publish(entry.binding, "offline", reason);
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

  private publish(binding: ClientBinding, status: ClientPresenceEvent["status"], reason: string): void {
    this.presence.emit({
      userId: binding.userId,
      tenantId: binding.tenantId,
      status,
      reason,
      at: this.clock.now(),
    });
  }
}
