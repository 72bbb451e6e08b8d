import { EMPTY_MAILBOX, sameMailbox, type User, type VoiceMailbox } from "../../domain/index.js";
import type { Clock } from "../../shared/clock.js";
import { Listeners } from "../../shared/listeners.js";

/** A user's mailbox as the connector last heard it from the PBX. */
export interface MailboxView extends VoiceMailbox {
  readonly userId: string;
  readonly tenantId: string;
  /** Emulator time of the last report; null when the PBX never reported on this user. */
  readonly updatedAt: string | null;
  /** Who reported it last ("NOTIFY from trunk gtc-001"), null when never. */
  readonly source: string | null;
}

/** Published when a report changed a user's mailbox (`mwi.changed`). */
export interface MailboxChange {
  readonly userId: string;
  readonly tenantId: string;
  readonly mailbox: VoiceMailbox;
  readonly previous: VoiceMailbox;
  readonly source: string;
  readonly at: number;
}

interface Entry {
  readonly tenantId: string;
  readonly mailbox: VoiceMailbox;
  readonly at: number;
  readonly source: string;
}

/**
 * Each user's voice mailbox counts (message waiting indication). The PBX owns the mailbox;
 * this keeps its last report per user, in memory (a restart forgets until the next NOTIFY),
 * and tells listeners of changes. It knows no SIP: the B2BUA's MWI notifier reports here.
 */
export class MwiService {
  readonly changed = new Listeners<MailboxChange>();
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Pick<Clock, "now">) {}

  mailbox(userId: string): VoiceMailbox {
    return this.entries.get(userId)?.mailbox ?? EMPTY_MAILBOX;
  }

  view(user: Pick<User, "id" | "tenantId">): MailboxView {
    const entry = this.entries.get(user.id);
    return {
      userId: user.id,
      tenantId: user.tenantId,
      ...(entry?.mailbox ?? EMPTY_MAILBOX),
      updatedAt: entry ? new Date(entry.at).toISOString() : null,
      source: entry?.source ?? null,
    };
  }

  report(user: Pick<User, "id" | "tenantId">, mailbox: VoiceMailbox, source: string): void {
    const previous = this.mailbox(user.id);
    const at = this.clock.now();
    this.entries.set(user.id, { tenantId: user.tenantId, mailbox: { ...mailbox }, at, source });
    if (sameMailbox(previous, mailbox)) return;
    this.changed.emit({ userId: user.id, tenantId: user.tenantId, mailbox, previous, source, at });
  }

  /** The user was deleted: forget their mailbox. */
  forget(userId: string): void {
    this.entries.delete(userId);
  }
}
