import { createResponse, type SipResponse } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { Call } from "./call.js";
import type { CallDirectory, CallRecords, DialogEntry, DialogsPort, Signalling } from "./ports.js";

export type PushPorts = DialogsPort &
  Pick<CallDirectory, "user"> &
  Pick<CallRecords, "note"> &
  Pick<Signalling, "send" | "domain">;

/** Why a push cannot start (REST 404/409) or what the PBX answered the REFER (REST 502/504). */
export type PushOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "state" | "refused" | "timeout"; readonly detail: string };

/**
 * Push an app call to the user's desk phone (issue 15): REFER on the call's PBX leg with
 * Refer-To the same user's callno (RFC 3515; Referred-By the user, RFC 3892). The PBX rings the
 * desk phone, connects the remote party to it when answered and sends BYE on the trunk leg; its
 * NOTIFY (message/sipfrag) progress goes into the journal.
 */
export class PushToDesk {
  /** Pushes waiting for the PBX's NOTIFYs, by the PBX leg's dialog key. */
  private readonly pending = new Map<string, DialogEntry>();

  constructor(private readonly ctx: PushPorts) {}

  push(call: Call): Promise<PushOutcome> {
    const user = call.userId ? this.ctx.user(call.userId) : undefined;
    if (!user?.callno)
      return Promise.resolve(refusal("state", "the call's user has no desk phone (no callno)"));
    if (call.state !== "answered")
      return Promise.resolve(refusal("state", `the call is ${call.state}, not answered`));
    const pbx = [...this.ctx.dialogs.values()].find((e) => e.call === call && e.leg === "pbx");
    if (!pbx || pbx.dialog.state === "terminated")
      return Promise.resolve(refusal("state", "the call has no PBX leg"));
    if (this.pending.has(pbx.dialog.key))
      return Promise.resolve(refusal("state", "a push of this call is under way"));
    const refer = pbx.dialog.createRequest("REFER", {
      headers: {
        "refer-to": `<sip:${user.callno}@${this.ctx.domain}>`,
        "referred-by": `<sip:${user.phoneNumber ?? user.callno}@${this.ctx.domain}>`,
      },
    });
    this.pending.set(pbx.dialog.key, pbx);
    this.ctx.note(call, "push", `REFER to the desk phone ${user.callno}`);
    return new Promise((resolve) => {
      const failed = (outcome: PushFailure) => {
        this.pending.delete(pbx.dialog.key);
        this.ctx.note(call, "push-failed", outcome.detail);
        resolve(outcome);
      };
      this.ctx.send(refer, pbx.dialog.connection, {
        onResponse: (response: SipResponse) => {
          if (response.status < 200) return;
          if (response.status >= 300)
            failed(refusal("refused", `the PBX answered the REFER ${response.status} ${response.reason}`));
          else {
            this.ctx.note(call, "push-accepted", `${response.status} ${response.reason}`);
            resolve({ ok: true });
          }
        },
        onTimeout: () => failed(refusal("timeout", "the PBX did not answer the REFER")),
        onTransportError: () => failed(refusal("refused", "the PBX connection is lost")),
      });
    });
  }

  /** NOTIFY (Event: refer) on a PBX leg: ours when a push waits there; false otherwise. */
  notify(tx: ServerTransaction, entry: DialogEntry | undefined): boolean {
    const key = entry?.dialog.key;
    const pbx = key === undefined ? undefined : this.pending.get(key);
    if (!pbx || !key) return false;
    if (!pbx.dialog.acceptIncoming(tx.request)) {
      tx.respond(
        createResponse(tx.request, 500, "Server Internal Error: CSeq lower than the last one in this dialog"),
      );
      return true;
    }
    tx.respond(createResponse(tx.request, 200, "OK"));
    const line = tx.request.body.toString("utf8").split(/\r?\n/)[0]?.trim() ?? "";
    const status = Number(/^SIP\/2\.0\s+(\d{3})/.exec(line)?.[1] ?? 0);
    const terminated = /^\s*terminated/i.test(tx.request.headers.get("subscription-state") ?? "");
    this.ctx.note(pbx.call, "push-progress", line || "NOTIFY without a status line");
    if (status < 200 && !terminated) return true;
    this.pending.delete(key);
    this.ctx.note(
      pbx.call,
      status >= 200 && status < 300 ? "pushed" : "push-failed",
      status >= 200 && status < 300
        ? "the desk phone took the call"
        : `the PBX reported ${line || "no status"}`,
    );
    return true;
  }

  /** The call ended: nothing waits for its NOTIFYs any more. */
  forget(call: Call): void {
    for (const [key, entry] of this.pending) if (entry.call === call) this.pending.delete(key);
  }
}

type PushFailure = Extract<PushOutcome, { ok: false }>;

const refusal = (reason: PushFailure["reason"], detail: string): PushFailure => ({
  ok: false,
  reason,
  detail,
});
