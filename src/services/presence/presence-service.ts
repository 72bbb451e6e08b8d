import { Listeners } from "../../shared/listeners.js";

export type PresenceSource = "app" | "desk-phone";

/** A user's presence as the connector knows it: DND and busy, each with who set it. */
export interface Presence {
  readonly dnd: boolean;
  /** Who switched DND on last; null when it is off. */
  readonly dndSource: PresenceSource | null;
  readonly busy: boolean;
  /** Where the user is in a call: an app call through the connector, a desk-phone call (CSTA). */
  readonly busySource: PresenceSource[];
}

/** Published when a user's presence changed (`presence.changed`, webhook and SSE). */
export interface PresenceChange {
  readonly tenantId: string;
  readonly userId: string;
  readonly presence: Presence;
  readonly previous: Presence;
  readonly at: number;
}

/** What presence reads and drives elsewhere: the calls, the desk phone over CSTA. */
export interface PresencePorts {
  now(): number;
  /** Whether the user talks (or holds) in a call through the connector right now. */
  appBusy(userId: string): boolean;
  /** The desk phone's status and DND as the CSTA events last said; undefined without a desk phone. */
  deskPhone(
    userId: string,
  ): { readonly busy: boolean; readonly dnd: boolean; readonly cti: boolean } | undefined;
  /** Ask the PBX to set the desk phone's DND (SetDoNotDisturb); rejects when the link or PBX says no. */
  setDeskDnd(userId: string, dnd: boolean): Promise<void>;
}

interface Entry {
  readonly tenantId: string;
  dnd: boolean;
  dndSource: PresenceSource | null;
  last: Presence;
}

const OFF: Presence = { dnd: false, dndSource: null, busy: false, busySource: [] };

/**
 * DND and busy per user, kept in sync both ways between the app (REST) and the desk phone
 * (CSTA): app DND is sent to the desk phone when its CTI session is up; the desk phone's DND
 * event becomes the user's DND. Busy is derived, never stored: from the connector's calls and
 * the desk phone's state. In memory (the PBX keeps the desk phone's DND; a restart re-reads it).
 */
export class PresenceService {
  readonly changed = new Listeners<PresenceChange>();
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ports: PresencePorts) {}

  get(tenantId: string, userId: string): Presence {
    const entry = this.entries.get(userId);
    const app = this.ports.appBusy(userId);
    const desk = this.ports.deskPhone(userId);
    const busySource: PresenceSource[] = [];
    if (app) busySource.push("app");
    if (desk?.busy) busySource.push("desk-phone");
    const dnd = entry?.tenantId === tenantId ? entry.dnd : false;
    return {
      dnd,
      dndSource: dnd ? (entry?.dndSource ?? null) : null,
      busy: busySource.length > 0,
      busySource,
    };
  }

  /**
   * Set the user's DND. From the app it goes on to the desk phone when the CTI session is
   * up (a refusal there is thrown after the app's DND is kept: the app is the user's own word);
   * from the desk phone it is only taken.
   */
  async setDnd(tenantId: string, userId: string, dnd: boolean, source: PresenceSource): Promise<Presence> {
    const entry = this.entry(tenantId, userId);
    entry.dnd = dnd;
    entry.dndSource = dnd ? source : null;
    this.refresh(tenantId, userId);
    if (source === "app") {
      const desk = this.ports.deskPhone(userId);
      if (desk?.cti && desk.dnd !== dnd) await this.ports.setDeskDnd(userId, dnd);
    }
    return this.get(tenantId, userId);
  }

  /** Something behind busy (a call, the desk phone) may have changed: publish if presence did. */
  refresh(tenantId: string, userId: string): void {
    const entry = this.entry(tenantId, userId);
    const now = this.get(tenantId, userId);
    const previous = entry.last;
    entry.last = now;
    if (samePresence(previous, now)) return;
    this.changed.emit({ tenantId, userId, presence: now, previous, at: this.ports.now() });
  }

  /** The user was deleted. */
  forget(userId: string): void {
    this.entries.delete(userId);
  }

  private entry(tenantId: string, userId: string): Entry {
    let entry = this.entries.get(userId);
    if (!entry || entry.tenantId !== tenantId) {
      entry = { tenantId, dnd: false, dndSource: null, last: OFF };
      this.entries.set(userId, entry);
    }
    return entry;
  }
}

function samePresence(a: Presence, b: Presence): boolean {
  return (
    a.dnd === b.dnd &&
    a.dndSource === b.dndSource &&
    a.busy === b.busy &&
    a.busySource.join() === b.busySource.join()
  );
}
