import type { SipRequest } from "../message/index.js";

/** RFC 3261 §12: a dialog is identified by Call-ID, local tag and remote tag. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/** The dialog an incoming in-dialog request belongs to: our tag is in To, theirs in From. */
export function dialogKeyOfIncoming(request: SipRequest): string | undefined {
  const local = request.to.params.tag;
  const remote = request.from.params.tag;
  if (!local || !remote) return undefined;
  return dialogKey(request.callId, local, remote);
}
