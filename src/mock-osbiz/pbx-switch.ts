import type { MediaMode } from "../media/index.js";
import type { Clock } from "../shared/clock.js";
import type { DeskCall, DeskPhone, DeskPhoneEvent, DeskPhones } from "./desk-phone.js";
import type { DeskHooks, PendingInvite } from "./incoming-call.js";
import type { MockCall } from "./mock-call.js";
import { CallFailedError } from "./outgoing-call.js";
import { type ReferOutcome, TrunkRefer } from "./trunk-refer.js";

export type { ReferOutcome } from "./trunk-refer.js";

/** RFC 3326 Reason of the CANCEL when the desk phone answered a twinned call first. */
export const COMPLETED_ELSEWHERE = 'SIP;cause=200;text="Call completed elsewhere"';
/** Forwarding chains end after this many hops, as a PBX's do. */
const MAX_HOPS = 4;

/** A call the mock placed over the trunk: its MockCall, and its answer. */
export interface TrunkLeg {
  readonly call: MockCall;
  readonly answered: Promise<MockCall>;
}

/** Extra INVITE headers (Referred-By) and the media of a trunk leg. */
export interface PlaceOptions {
  readonly headers?: Record<string, string>;
  readonly media?: MediaMode;
}

export interface SwitchContext {
  readonly desks: DeskPhones;
  /** The callno of the PBX user a number names (callno, DID…), else undefined. */
  readonly userOf: (number: string) => string | undefined;
  /** The number the connector knows a user by (E.164 with international numbering). */
  readonly numberOf: (callno: string) => string;
  /** The extension a number dials in the PBX's own range (a Unify Phone number, user or not), else undefined. */
  readonly extensionOf: (number: string) => string | undefined;
  /** Place a call over the trunk to the connector (no twinning). */
  readonly place: (to: string, from: string, options?: PlaceOptions) => Promise<TrunkLeg>;
  /** The mock's calls (to find the dialog a Replaces names). */
  readonly calls: () => readonly MockCall[];
  readonly domain: () => string;
  readonly timers: Clock;
  readonly log: (line: string) => void;
  /** A call forwarded away before it reached the trunk: listed, and ended with `status`. */
  readonly unplaced: (from: string, to: string, status: number, reason: string, cause: string) => MockCall;
  readonly referred: (outcome: ReferOutcome) => void;
  /** The forwardNoAns timer (ms). */
  readonly noAnswerMs: number;
}

/** What the connector's INVITE to a desk user needs: the desk phone's part, or a refusal. */
export interface IncomingDesk {
  readonly refusal?: { status: number; reason: string; cause: string };
  readonly hooks?: DeskHooks;
  bind(pending: PendingInvite): void;
}

/**
 * What the mock PBX does with calls beyond one trunk leg (docs/mock-osbiz.md "Calls from the
 * PBX", "Desk phones and CSTA"): One Number Service twinning (a call to a user rings the desk phone and the
 * Unify Phone leg together), the desk phone as the PBX end of the connector's calls to a user,
 * REFER on trunk calls (TrunkRefer), and pulling a desk call to the app.
 */
export class PbxSwitch {
  /** Desk calls carried by a trunk leg (the desk phone is the PBX end of that call). */
  private readonly tied = new Map<string, { phone: DeskPhone; leg: MockCall }>();
  /** Twinned calls while the desk phone rings: the trunk leg alerting in parallel. */
  private readonly twins = new Map<string, MockCall>();
  /** REFER inside trunk calls (RFC 3515 / 3891). */
  readonly refers: TrunkRefer;

  constructor(private readonly ctx: SwitchContext) {
    this.refers = new TrunkRefer(ctx, (to, from, options) => this.call(to, from, options));
    ctx.desks.on((event) => this.deskEvent(event));
    ctx.desks.pullHandler = (phone, call, remote, ringing) => this.pull(phone, call, remote, ringing);
  }

  /**
   * A call from `from` to `to` through the trunk. When `to` is a user with a desk phone, the
   * desk phone rings too (twinning): the first to answer takes the call. Its forwarding applies
   * first (immediate; busy while DND or in a call); DND or a busy desk without forwarding only
   * silences the desk phone. Resolves when answered (on the desk phone: with the trunk leg,
   * CANCELled "Call completed elsewhere").
   */
  async call(to: string, from: string, options: PlaceOptions = {}, hops = 0): Promise<MockCall> {
    const callno = this.ctx.userOf(to);
    // A user calling their own Unify Phone number does not ring their own desk phone.
    const phone =
      callno === undefined || callno === this.ctx.userOf(from) ? undefined : this.ctx.desks.find(callno);
    if (!phone) return (await this.ctx.place(to, from, options)).answered;
    const route = phone.route(from);
    if (route.kind === "forward") return this.forward(phone, from, to, route.to, options, hops);
    const leg = await this.ctx.place(to, from, options);
    if (route.kind === "busy") {
      this.ctx.log(`call ${leg.call.id}: desk phone ${phone.callno} does not ring (${route.why})`);
      return leg.answered;
    }
    return this.twin(phone, leg, from, options, hops);
  }

  /** The connector calls `callee` (its INVITE): the callee's desk phone takes part, when it has one. */
  incoming(from: string, callee: string): IncomingDesk | undefined {
    let phone = this.ctx.desks.find(callee);
    if (!phone) return undefined;
    for (let hops = 0; hops <= MAX_HOPS; hops++) {
      const route: ReturnType<DeskPhone["route"]> = phone.route(from);
      if (route.kind === "busy")
        return {
          refusal: {
            status: 486,
            reason: "Busy Here",
            cause: `desk phone ${phone.callno} busy (${route.why})`,
          },
          bind: () => undefined,
        };
      if (route.kind === "ring") return this.deskLeg(phone, from);
      phone.diverted(this.ctx.desks.newCall(from, phone.callno), route.to);
      this.ctx.log(`call from ${from} to ${phone.callno} forwarded to ${route.to}`);
      const next = this.ctx.desks.find(route.to);
      // A number outside answers the call in the desk phone's place (the behaviour answers).
      if (!next) return undefined;
      phone = next;
    }
    return undefined;
  }

  /** The call goes to the forwarding destination before the trunk leg is placed. */
  private async forward(
    phone: DeskPhone,
    from: string,
    to: string,
    destination: string,
    options: PlaceOptions,
    hops: number,
  ): Promise<MockCall> {
    phone.diverted(this.ctx.desks.newCall(from, phone.callno), destination);
    this.ctx.log(`call from ${from} to ${phone.callno} forwarded to ${destination} (desk phone forwarding)`);
    const onTrunk = this.trunkNumber(destination);
    if (onTrunk !== undefined && hops < MAX_HOPS) return this.call(onTrunk, from, options, hops + 1);
    const cause = `forwarded to ${destination} by the desk phone of ${phone.callno}`;
    const call = this.ctx.unplaced(from, to, 302, "Moved Temporarily", cause);
    throw new CallFailedError(call, 302, "Moved Temporarily");
  }

  /**
   * The desk phone rings with the trunk leg. Desk first: the leg is CANCELled ("Call completed
   * elsewhere"). Connector first: the desk phone is cleared. A failed leg leaves the desk ringing;
   * the caller giving up clears both. forwardNoAns moves the call on after `noAnswerMs`.
   */
  private twin(
    phone: DeskPhone,
    leg: TrunkLeg,
    from: string,
    options: PlaceOptions,
    hops: number,
    /** The desk call already ringing on `phone` (a transferred call), else a new one rings. */
    ringing?: DeskCall,
  ): Promise<MockCall> {
    const deskCall = ringing ?? this.ctx.desks.newCall(from, phone.callno);
    try {
      if (!ringing) phone.ring(from, deskCall);
    } catch {
      return leg.answered;
    }
    this.twins.set(deskCall.id, leg.call);
    this.ctx.log(
      `call ${leg.call.id}: desk phone ${phone.callno} rings too (twinning, CSTA call ${deskCall.id})`,
    );
    return new Promise<MockCall>((resolve, reject) => {
      let settled = false;
      let legFailure: unknown;
      const deskRinging = () => phone.state === "ringing" && phone.snapshot().call?.id === deskCall.id;
      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        off();
        this.twins.delete(deskCall.id);
        if (noAnswer) this.ctx.timers.clearTimer(noAnswer);
        action();
      };
      const off = this.ctx.desks.on((event) => {
        if (event.device !== phone.callno || !("call" in event) || event.call.id !== deskCall.id) return;
        if (event.type === "Established") {
          finish(() => {
            this.ctx.log(`call ${leg.call.id}: answered on desk phone ${phone.callno}`);
            void leg.call.hangup(COMPLETED_ELSEWHERE);
            // Resolved once the CANCEL's 487 (or a crossing 2xx and our BYE) ended the leg.
            leg.call.onEnded(() => resolve(leg.call));
          });
        } else if (
          (event.type === "ConnectionCleared" || event.type === "Diverted") &&
          legFailure !== undefined
        ) {
          finish(() => reject(legFailure));
        } else if (event.type === "ConnectionCleared" && !leg.call.active) {
          finish(() => reject(new CallFailedError(leg.call, 487, "Request Terminated")));
        }
      });
      const forwardTo = phone.forwarding("forwardNoAns");
      const noAnswer =
        forwardTo === undefined || forwardTo === from
          ? undefined
          : this.ctx.timers.setTimer(this.ctx.noAnswerMs, () => {
              if (!deskRinging()) return;
              finish(() => {
                phone.drop(deskCall.id, from);
                phone.diverted(deskCall, forwardTo);
                void leg.call.hangup('SIP;cause=480;text="Forwarded on no answer"');
                const forwarded =
                  this.trunkNumber(forwardTo) !== undefined && hops < MAX_HOPS
                    ? this.call(this.trunkNumber(forwardTo)!, from, options, hops + 1)
                    : Promise.reject(
                        new CallFailedError(
                          this.ctx.unplaced(
                            from,
                            phone.callno,
                            302,
                            "Moved Temporarily",
                            `forwarded to ${forwardTo} on no answer`,
                          ),
                          302,
                          "Moved Temporarily",
                        ),
                      );
                forwarded.then(resolve, reject);
              });
            });
      leg.answered.then(
        (call) =>
          finish(() => {
            phone.drop(deskCall.id, from);
            resolve(call);
          }),
        (error: unknown) => {
          if (settled) return;
          if (!deskRinging()) return finish(() => reject(error));
          if (leg.call.endedBy === "local") {
            // The caller gave up: the desk phone stops ringing too.
            finish(() => {
              phone.drop(deskCall.id, from);
              reject(error);
            });
            return;
          }
          this.ctx.log(
            `call ${leg.call.id}: the Unify Phone leg failed; desk phone ${phone.callno} rings on`,
          );
          legFailure = error;
        },
      );
    });
  }

  /** The desk phone as the PBX end of the connector's call: rings with the INVITE, answers it, ends with it. */
  private deskLeg(phone: DeskPhone, from: string): IncomingDesk {
    const deskCall = this.ctx.desks.newCall(from, phone.callno);
    let pending: PendingInvite | undefined;
    let off: (() => void) | undefined;
    const tie = () => {
      const leg = pending!.call;
      if (!leg.active || this.tied.has(deskCall.id)) return;
      this.tied.set(deskCall.id, { phone, leg });
    };
    return {
      bind: (p) => {
        pending = p;
        p.call.onEnded(() => {
          off?.();
          this.tied.delete(deskCall.id);
          phone.drop(deskCall.id, from);
        });
      },
      hooks: {
        ringing: () => {
          try {
            phone.ring(from, deskCall);
          } catch (error) {
            pending?.decline(
              486,
              "Busy Here",
              `desk phone ${phone.callno} busy: ${(error as Error).message}`,
            );
            return;
          }
          off = this.ctx.desks.on((event) => {
            if (event.device !== phone.callno || !("call" in event) || event.call.id !== deskCall.id) return;
            if (event.type === "Established") {
              off?.();
              pending?.answer();
              tie();
            } else if (event.type === "ConnectionCleared") {
              off?.();
              pending?.decline(603, "Decline", `declined on desk phone ${phone.callno}`);
            }
          });
        },
        answered: () => {
          if (phone.state === "ringing" && phone.snapshot().call?.id === deskCall.id) phone.answer();
        },
      },
    };
  }

  /** A tied desk call hung up on the desk phone: BYE on its trunk leg. */
  private deskEvent(event: DeskPhoneEvent): void {
    if (event.type === "Transferred" && !event.secondary && event.device === event.transferring)
      this.transferred(event.call.id, event.to);
    if (event.type !== "ConnectionCleared" || event.releasing !== event.device) return;
    const id = event.call.id;
    // Deferred: a pull removes the tie right after clearing the desk phone, and keeps the leg.
    queueMicrotask(() => {
      const tied = this.tied.get(id);
      if (!tied) return;
      this.tied.delete(id);
      void tied.leg.hangup();
    });
  }

  /**
   * A desk call single-step transferred to another user rings that user's Unify Phone side
   * too (twinning, as a call to the user does). Deferred: the transfer rings the desk phone
   * right after its Transferred event.
   */
  private transferred(callId: string, to: string): void {
    queueMicrotask(() => {
      const phone = this.ctx.desks.find(to);
      const call = phone?.snapshot().call;
      if (phone?.state !== "ringing" || call?.id !== callId || this.twins.has(callId)) return;
      void this.ctx
        .place(this.ctx.numberOf(phone.callno), call.calling)
        .then((leg) => this.twin(phone, leg, call.calling, {}, 0, call))
        .catch((error: unknown) =>
          this.ctx.log(`desk phone ${to}: the transferred call's Unify Phone leg failed: ${String(error)}`),
        );
    });
  }

  /**
   * SingleStepTransferCall / DeflectCall to the phone's own number: the remote party moves to
   * the user's Unify Phone side — a new INVITE over the trunk with Referred-By naming the user.
   * A twinned call still ringing keeps its Unify Phone leg (it is already there).
   */
  private pull(phone: DeskPhone, call: DeskCall, remote: string, ringing: boolean): void {
    const twin = this.twins.get(call.id);
    if (ringing && twin?.active) {
      this.ctx.log(`desk phone ${phone.callno}: the call rings on at the Unify Phone side (call ${twin.id})`);
      return;
    }
    const tied = this.tied.get(call.id);
    this.tied.delete(call.id);
    const headers = { "referred-by": `<sip:${phone.callno}@${this.ctx.domain()}>` };
    this.ctx.log(`desk phone ${phone.callno}: call from ${remote} pulled to the Unify Phone side`);
    void (async () => {
      try {
        const leg = await this.ctx.place(this.ctx.numberOf(phone.callno), remote, { headers });
        await leg.answered;
        this.ctx.log(`call ${leg.call.id}: ${remote} connected to ${phone.callno} on the Unify Phone side`);
      } catch (error) {
        this.ctx.log(`desk phone ${phone.callno}: the pull failed: ${(error as Error).message}`);
      } finally {
        await tied?.leg.hangup();
      }
    })();
  }

  /**
   * The number to call over the trunk for a number of the PBX's own range (a user, or an
   * extension that is no user here), as the connector's numbering plan wants it; else undefined.
   */
  private trunkNumber(number: string): string | undefined {
    const extension = this.ctx.userOf(number) ?? this.ctx.extensionOf(number);
    return extension === undefined ? undefined : this.ctx.numberOf(extension);
  }
}
