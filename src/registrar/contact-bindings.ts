import type { Clock, TimerHandle } from "../shared/clock.js";
import type { Mutable } from "../shared/mutable.js";

/** What every registered contact has (RFC 3261 §10.3), whoever owns it. */
export interface ContactBinding {
  /** Contact URI as sent (inside <>), used to match refreshes. */
  readonly contact: string;
  /** Contact header parameters other than expires (q, +sip.instance, reg-id…). */
  readonly contactParams: Readonly<Record<string, string | null>>;
  readonly callId: string;
  readonly cseq: number;
  readonly registeredAt: number;
  readonly expiresAt: number;
  /** The connection the REGISTER came on; requests to the contact travel on it. */
  readonly connectionId: string;
  readonly transport: string;
  readonly remote: { readonly address: string; readonly port: number };
}

interface Entry<B> {
  binding: B;
  timer: TimerHandle;
}

/** A connection's bindings, and its sole owner once worked out (kept until they change). */
interface OnConnection<B> {
  readonly entries: Set<Entry<B>>;
  /** The one owner of all entries, null when several, undefined until asked since the last change. */
  sole: string | null | undefined;
}

/**
 * A location service: bindings per owner (a trunk, a user), indexed by connection so a
 * closed connection drops its bindings at once. Expiry runs on the emulator clock; a
 * refresh keeps the existing timer and the timer re-arms itself if the binding was
 * extended, so there is one live timer per binding however often it is refreshed.
 * Subclasses name the owner and publish when an owner gains its first binding or loses its last.
 */
export abstract class ContactBindings<B extends ContactBinding> {
  private readonly byOwner = new Map<string, Map<string, Entry<B>>>();
  private readonly byConnection = new Map<string, OnConnection<B>>();

  constructor(protected readonly clock: Clock) {}

  protected abstract ownerOf(binding: B): string;

  /** The owner of `binding` now has bindings (`present`) or has just lost its last one. */
  protected abstract ownerChanged(binding: B, present: boolean, reason: string): void;

  /** The owner's bindings, oldest registration first. */
  forOwner(ownerId: string): B[] {
    const out: B[] = [];
    const entries = this.byOwner.get(ownerId);
    if (entries) for (const e of entries.values()) out.push(e.binding);
    return out;
  }

  /** How many bindings the owner has. */
  countOf(ownerId: string): number {
    return this.byOwner.get(ownerId)?.size ?? 0;
  }

  /** The contacts (binding keys) of the owner, oldest registration first. */
  contactsOf(ownerId: string): Iterable<string> {
    return this.byOwner.get(ownerId)?.keys() ?? [];
  }

  /** True when the owner has a binding on this connection (no array built: asked per REGISTER). */
  ownerHasConnection(ownerId: string, connectionId: string): boolean {
    const entries = this.byOwner.get(ownerId);
    if (entries) for (const e of entries.values()) if (e.binding.connectionId === connectionId) return true;
    return false;
  }

  get(ownerId: string, contact: string): B | undefined {
    return this.byOwner.get(ownerId)?.get(contact)?.binding;
  }

  /** Owners registered through this connection (an INVITE on it comes from them). */
  ownersOnConnection(connectionId: string): string[] {
    const entries = this.byConnection.get(connectionId)?.entries ?? [];
    return [...new Set([...entries].map((e) => this.ownerOf(e.binding)))];
  }

  /**
   * The one owner registered over this connection, or undefined when none or several.
   * Traces and fault matching ask this for every SIP message: worked out once per change of
   * the connection's bindings, stopping at the second owner.
   */
  soleOwnerOnConnection(connectionId: string): string | undefined {
    const on = this.byConnection.get(connectionId);
    if (on === undefined) return undefined;
    if (on.sole === undefined) {
      let owner: string | null = null;
      for (const e of on.entries) {
        const id = this.ownerOf(e.binding);
        if (owner !== null && id !== owner) {
          owner = null;
          break;
        }
        owner = id;
      }
      on.sole = owner;
    }
    return on.sole ?? undefined;
  }

  /** Owners with at least one binding. */
  get ownerCount(): number {
    return this.byOwner.size;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byOwner.values()) n += m.size;
    return n;
  }

  upsert(binding: B): void {
    const ownerId = this.ownerOf(binding);
    let entries = this.byOwner.get(ownerId);
    const wasEmpty = !entries;
    if (!entries) {
      entries = new Map();
      this.byOwner.set(ownerId, entries);
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
      const entry = { binding } as Entry<B>;
      entry.timer = this.arm(entry);
      entries.set(binding.contact, entry);
      this.index(entry, binding.connectionId);
    }
    if (wasEmpty) this.ownerChanged(binding, true, "registered");
  }

  /**
   * A REGISTER that changes nothing but the Call-ID, CSeq and expiry, made in place: no new
   * binding object per refresh, which would outlive a few garbage collections and be promoted
   * (a loaded registrar refreshes thousands a second). `binding` is one this table holds.
   */
  renew(binding: B, callId: string, cseq: number, expiresAt: number): void {
    const entry = this.byOwner.get(this.ownerOf(binding))?.get(binding.contact);
    if (entry?.binding !== binding) throw new Error("renew: not a binding of this table");
    const renewed = binding as Mutable<ContactBinding>;
    renewed.callId = callId;
    renewed.cseq = cseq;
    renewed.expiresAt = expiresAt;
    if (expiresAt < entry.timer.due) {
      this.clock.clearTimer(entry.timer);
      entry.timer = this.arm(entry);
    }
  }

  remove(ownerId: string, contact: string, reason: string): void {
    const entry = this.byOwner.get(ownerId)?.get(contact);
    if (entry) this.drop(entry, reason);
  }

  removeOwner(ownerId: string, reason: string): void {
    for (const entry of [...(this.byOwner.get(ownerId)?.values() ?? [])]) this.drop(entry, reason);
  }

  removeConnection(connectionId: string, reason: string): void {
    for (const entry of [...(this.byConnection.get(connectionId)?.entries ?? [])]) this.drop(entry, reason);
  }

  /** Forget every binding, silently (no owner events). */
  clear(): void {
    for (const entries of this.byOwner.values())
      for (const e of entries.values()) this.clock.clearTimer(e.timer);
    this.byOwner.clear();
    this.byConnection.clear();
  }

  private arm(entry: Entry<B>): TimerHandle {
    return this.clock.setTimer(entry.binding.expiresAt - this.clock.now(), () => {
      if (this.byOwner.get(this.ownerOf(entry.binding))?.get(entry.binding.contact) !== entry) return;
      if (entry.binding.expiresAt > this.clock.now()) entry.timer = this.arm(entry);
      else this.drop(entry, "expired");
    });
  }

  private drop(entry: Entry<B>, reason: string): void {
    const ownerId = this.ownerOf(entry.binding);
    const entries = this.byOwner.get(ownerId);
    if (entries?.get(entry.binding.contact) !== entry) return;
    this.clock.clearTimer(entry.timer);
    entries.delete(entry.binding.contact);
    this.unindex(entry);
    if (entries.size === 0) {
      this.byOwner.delete(ownerId);
      this.ownerChanged(entry.binding, false, reason);
    }
  }

  private index(entry: Entry<B>, connectionId: string): void {
    let on = this.byConnection.get(connectionId);
    if (!on) {
      on = { entries: new Set(), sole: undefined };
      this.byConnection.set(connectionId, on);
    }
    on.entries.add(entry);
    on.sole = undefined;
  }

  private unindex(entry: Entry<B>): void {
    const on = this.byConnection.get(entry.binding.connectionId);
    if (on === undefined) return;
    on.entries.delete(entry);
    on.sole = undefined;
    if (on.entries.size === 0) this.byConnection.delete(entry.binding.connectionId);
  }
}
