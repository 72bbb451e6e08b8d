import { createResponse, type SipRequest } from "../sip/message/index.js";
import type { ServerTransaction } from "../sip/transaction/index.js";
import type { DeskCall, DeskPhone } from "./desk-phone.js";
import type { MockCall } from "./mock-call.js";
import { CallFailedError } from "./outgoing-call.js";
import type { PlaceOptions, SwitchContext } from "./pbx-switch.js";
import { REFER_EXPIRES_S, ReferNotifier } from "./refer-notifier.js";
import { parseRefer, type ReferTarget, replacesMatches } from "./refer-request.js";
import { ALLOWED_METHODS } from "./responses.js";

/** How a REFER the mock took ended (the `referred` event). */
export interface ReferOutcome {
  /** The trunk call the REFER came in. */
  readonly call: MockCall;
  readonly kind: "push" | "user" | "external" | "join";
  /** The number the REFER named. */
  readonly target: string;
  /** The final status reported in the last NOTIFY. */
  readonly status: number;
  readonly reason: string;
}

/**
 * REFER inside the mock's trunk calls (RFC 3515, RFC 3891 Replaces; docs/mock-osbiz.md "REFER on
 * trunk calls"): checked, accepted with 202, carried out — call a user (with twinning), push to
 * the leg's own user's desk phone, connect a party outside, or join two trunk calls — with the
 * progress in NOTIFYs, and BYE on the leg when it worked.
 */
export class TrunkRefer {
  private readonly referring = new Set<MockCall>();
  private readonly counts = new WeakMap<MockCall, number>();
  /** False: REFER gets 501 (tests the connector's local-bridge fallback). */
  enabled = true;

  constructor(
    private readonly ctx: SwitchContext,
    /** A call to a user through the PBX, with twinning (PbxSwitch.call). */
    private readonly callUser: (to: string, from: string, options: PlaceOptions) => Promise<MockCall>,
  ) {}

  /** A REFER inside a trunk call (RFC 3515): 202 and NOTIFYs, or the refusal's status. */
  refer(call: MockCall, tx: ServerTransaction): void {
    const request = tx.request;
    const checked = this.checkRefer(call, request);
    if ("status" in checked) {
      const response = createResponse(request, checked.status, checked.reason);
      if (checked.status === 501) response.headers.append("allow", ALLOWED_METHODS.replace(", REFER", ""));
      tx.respond(response);
      this.ctx.log(`call ${call.id}: REFER refused: ${checked.status} ${checked.reason}`);
      return;
    }
    const count = (this.counts.get(call) ?? 0) + 1;
    this.counts.set(call, count);
    // RFC 4488: "Refer-Sub: false" asks for no implicit subscription (no NOTIFYs).
    const silent = request.headers.get("refer-sub")?.trim().toLowerCase() === "false";
    const accepted = createResponse(request, 202, "Accepted");
    if (silent) accepted.headers.append("refer-sub", "false");
    tx.respond(accepted);
    const notifier = new ReferNotifier(call, count > 1 ? request.cseq.seq : undefined, this.ctx.log, silent);
    void notifier.notify(100, "Trying");
    this.referring.add(call);
    const referredBy = request.headers.get("referred-by");
    void this.carryOut(call, checked.target, checked.joined, notifier, referredBy).finally(() =>
      this.referring.delete(call),
    );
  }

  /** What the REFER asks for, or why it is refused (400 / 403 / 416 / 481 / 501). */
  private checkRefer(
    call: MockCall,
    request: SipRequest,
  ): { target: ReferTarget; joined?: MockCall } | { status: number; reason: string } {
    if (!this.enabled) return { status: 501, reason: "Not Implemented: this PBX takes no REFER (refer off)" };
    if (call.state !== "answered") return { status: 403, reason: "Forbidden: the call is not answered" };
    if (this.referring.has(call))
      return { status: 403, reason: "Forbidden: a transfer of this call is running" };
    const target = parseRefer(request);
    if ("status" in target) return target;
    const replaces = target.replaces;
    if (!replaces) return { target };
    const joined = this.ctx
      .calls()
      .find((c) => c.active && c.dialogTags !== undefined && replacesMatches(replaces, c.dialogTags));
    if (!joined)
      return { status: 481, reason: "Call/Transaction Does Not Exist: Replaces names no call of this PBX" };
    if (joined === call) return { status: 403, reason: "Forbidden: Replaces names the referred call itself" };
    if (joined.state !== "answered")
      return { status: 403, reason: "Forbidden: the call Replaces names is not answered" };
    return { target, joined };
  }

  /** The transfer a REFER asked for; the final NOTIFY, then BYE on the trunk leg when it worked. */
  private async carryOut(
    call: MockCall,
    target: ReferTarget,
    joined: MockCall | undefined,
    notifier: ReferNotifier,
    referredBy: string | undefined,
  ): Promise<void> {
    const { user, remote } = sides(call);
    const userCallno = this.ctx.userOf(user);
    const targetCallno = this.ctx.userOf(target.number);
    // A number of the PBX's own range that is no user here still goes over the trunk (the connector answers for it).
    const inRange = targetCallno ?? this.ctx.extensionOf(target.number);
    const kind: ReferOutcome["kind"] = joined
      ? "join"
      : inRange === undefined
        ? "external"
        : targetCallno !== undefined && targetCallno === userCallno
          ? "push"
          : "user";
    const ringing = () => void notifier.notify(180, "Ringing");
    let result: { status: number; reason: string };
    try {
      switch (kind) {
        case "join":
          this.ctx.log(
            `call ${call.id}: ${remote} joined with ${sides(joined!).remote} (REFER with Replaces)`,
          );
          result = { status: 200, reason: "OK" };
          break;
        case "external":
          ringing();
          this.ctx.log(
            `call ${call.id}: ${remote} connected to ${target.number} (a party outside, modelled)`,
          );
          result = { status: 200, reason: "OK" };
          break;
        case "push":
          result = await this.push(call, targetCallno!, remote, ringing);
          break;
        case "user":
          result = await this.transferTo(this.ctx.numberOf(inRange!), remote, user, referredBy, ringing);
          break;
      }
    } catch (error) {
      this.ctx.log(`call ${call.id}: the transfer failed: ${(error as Error).message}`);
      result = { status: 500, reason: "Server Internal Error" };
    }
    await notifier.notify(result.status, result.reason);
    this.ctx.referred({ call, kind, target: target.number, ...result });
    if (result.status >= 300) return;
    if (joined) await joined.hangup();
    await call.hangup();
  }

  /** REFER to another user: that user is called from the remote party (twinning applies). */
  private async transferTo(
    to: string,
    remote: string,
    user: string,
    referredBy: string | undefined,
    ringing: () => void,
  ): Promise<{ status: number; reason: string }> {
    const headers = { "referred-by": referredBy ?? `<sip:${user}@${this.ctx.domain()}>` };
    try {
      const answered = this.callUser(to, remote, { headers });
      ringing();
      await answered;
      return { status: 200, reason: "OK" };
    } catch (error) {
      if (!(error instanceof CallFailedError)) throw error;
      // Forwarded to a number outside: the far end there took the call.
      if (error.status === 302) return { status: 200, reason: "OK" };
      return { status: error.status, reason: error.reason };
    }
  }

  /**
   * REFER to the user the trunk leg belongs to: push to the desk phone. It rings (its
   * forwarding applies); answered, the remote party is connected to it; unanswered within
   * the subscription's lifetime, 408.
   */
  private async push(
    call: MockCall,
    callno: string,
    remote: string,
    ringing: () => void,
  ): Promise<{ status: number; reason: string }> {
    const phone = this.ctx.desks.get(callno);
    const deskCall = this.ctx.desks.newCall(remote, callno);
    let rung: DeskCall;
    try {
      rung = phone.ring(remote, deskCall);
    } catch {
      return { status: 486, reason: "Busy Here" };
    }
    const ringer = this.ctx.desks.find(rung.called);
    if (!ringer) return { status: 200, reason: "OK" };
    ringing();
    this.ctx.log(`call ${call.id}: pushed to desk phone ${ringer.callno} (CSTA call ${rung.id})`);
    const outcome = await this.deskOutcome(ringer, rung.id, REFER_EXPIRES_S * 1000);
    if (outcome === "answered") return { status: 200, reason: "OK" };
    if (outcome === "timeout") {
      ringer.drop(rung.id, remote);
      return { status: 408, reason: "Request Timeout" };
    }
    return { status: 603, reason: "Decline" };
  }

  /** Whether desk call `callId` on `phone` is answered, cleared or still ringing after `ms`. */
  private deskOutcome(
    phone: DeskPhone,
    callId: string,
    ms: number,
  ): Promise<"answered" | "cleared" | "timeout"> {
    return new Promise((resolve) => {
      const done = (outcome: "answered" | "cleared" | "timeout") => {
        off();
        this.ctx.timers.clearTimer(timer);
        resolve(outcome);
      };
      const timer = this.ctx.timers.setTimer(ms, () => done("timeout"));
      const off = this.ctx.desks.on((event) => {
        if (event.device !== phone.callno || !("call" in event) || event.call.id !== callId) return;
        if (event.type === "Established") done("answered");
        else if (event.type === "ConnectionCleared" || event.type === "Diverted") done("cleared");
      });
    });
  }
}

/** The connector's user of a trunk call and the party on the PBX side. */
function sides(call: MockCall): { user: string; remote: string } {
  return call.direction === "outgoing"
    ? { user: call.to, remote: call.from }
    : { user: call.from, remote: call.to };
}
