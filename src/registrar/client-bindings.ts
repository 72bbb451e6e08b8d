import { Listeners } from "../shared/listeners.js";
import { type ContactBinding, ContactBindings } from "./contact-bindings.js";

/**
 * One registered Unify Phone client of a user (RFC 3261 §10.3), tied to its WebSocket:
 * every request to the client travels on that connection (RFC 7118 §5: no new ones).
 */
export interface ClientBinding extends ContactBinding {
  readonly userId: string;
  readonly tenantId: string;
  /** The address-of-record, `sip:<userId>@<domain>`. */
  readonly aor: string;
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

/** The location service for user AORs: a user is online while one of its clients is bound. */
export class ClientBindings extends ContactBindings<ClientBinding> {
  private readonly presence = new Listeners<ClientPresenceEvent>();

  /** The user's registered clients, oldest registration first. */
  forUser(userId: string): ClientBinding[] {
    return this.forOwner(userId);
  }

  /** Subscribe to online/offline changes; returns an unsubscribe function. */
  onPresence(listener: (event: ClientPresenceEvent) => void): () => void {
    return this.presence.on(listener);
  }

  /** Users whose clients registered over this connection (an INVITE on it comes from them). */
  usersOnConnection(connectionId: string): string[] {
    return this.ownersOnConnection(connectionId);
  }

  removeUser(userId: string, reason: string): void {
    this.removeOwner(userId, reason);
  }

  /** Users with at least one client. */
  get userCount(): number {
    return this.ownerCount;
  }

  protected ownerOf(binding: ClientBinding): string {
    return binding.userId;
  }

  protected ownerChanged({ userId, tenantId }: ClientBinding, online: boolean, reason: string): void {
    this.presence.emit({
      userId,
      tenantId,
      status: online ? "online" : "offline",
      reason,
      at: this.clock.now(),
    });
  }
}
