/**
 * A user's voice mailbox as the PBX reports it (RFC 3842 message summary, voice class):
 * whether messages wait, and how many are new / old, of them urgent. The PBX owns the
 * mailbox; the connector only keeps the last report and passes it on.
 */
export interface VoiceMailbox {
  readonly waiting: boolean;
  readonly newMessages: number;
  readonly oldMessages: number;
  readonly urgentNew: number;
  readonly urgentOld: number;
}

/** The mailbox of a user the PBX has not reported on: nothing waiting. */
export const EMPTY_MAILBOX: VoiceMailbox = {
  waiting: false,
  newMessages: 0,
  oldMessages: 0,
  urgentNew: 0,
  urgentOld: 0,
};

export function sameMailbox(a: VoiceMailbox, b: VoiceMailbox): boolean {
  return (
    a.waiting === b.waiting &&
    a.newMessages === b.newMessages &&
    a.oldMessages === b.oldMessages &&
    a.urgentNew === b.urgentNew &&
    a.urgentOld === b.urgentOld
  );
}
