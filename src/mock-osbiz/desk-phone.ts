import { TypedListeners } from "./typed-listeners.js";

/**
 * What a desk phone is doing with its active call. A phone holds at most two calls: while it
 * consults, the first one is held (`snapshot().held`) and the consultation call is the active one.
 */
export type DeskPhoneState = "idle" | "dialing" | "ringing" | "connected" | "held";

/** ECMA-269 forwarding types the desk phones keep (one destination each). */
export const FORWARDING_TYPES = ["forwardImmediate", "forwardBusy", "forwardNoAns"] as const;
export type ForwardingType = (typeof FORWARDING_TYPES)[number];

/** A modelled call between a desk phone and another party (another desk phone or a number outside). */
export interface DeskCall {
  readonly id: string;
  readonly calling: string;
  readonly called: string;
}

/**
 * What happened on one device, in CSTA terms (ECMA-269 event names) but free of XML: the CSTA
 * server turns each into an event for the monitors of `device`.
 */
export type DeskPhoneEvent =
  | { type: "ServiceInitiated"; device: string; call: DeskCall }
  | { type: "Originated"; device: string; call: DeskCall }
  | { type: "Delivered"; device: string; call: DeskCall; alerting: string }
  | { type: "Established"; device: string; call: DeskCall; answering: string }
  | { type: "Held"; device: string; call: DeskCall; holding: string }
  | { type: "Retrieved"; device: string; call: DeskCall; retrieving: string }
  | { type: "ConnectionCleared"; device: string; call: DeskCall; releasing: string }
  | { type: "Diverted"; device: string; call: DeskCall; from: string; to: string }
  | {
      type: "Transferred";
      device: string;
      call: DeskCall;
      transferring: string;
      to: string;
      /** Two-step transfer: the consultation call that was joined with `call`. */
      secondary?: DeskCall;
    }
  | { type: "DoNotDisturb"; device: string; on: boolean }
  | { type: "Forwarding"; device: string; forwardingType: ForwardingType; on: boolean; destination?: string };

/** An operation the phone's state does not allow (answer while idle, ring while DND…). */
export class DeskPhoneError extends Error {
  override readonly name = "DeskPhoneError";
  constructor(
    message: string,
    /** The ECMA-269 error value that fits: a state error, or the device being busy / DND. */
    readonly kind: "invalidCallState" | "busy" | "invalidDevice" | "invalidForwardingDestination",
  ) {
    super(message);
  }
}

export interface DeskPhoneSnapshot {
  readonly callno: string;
  readonly state: DeskPhoneState;
  readonly call?: DeskCall;
  /** The other party of the call. */
  readonly peer?: string;
  /** The call held while consulting, and its other party. */
  readonly held?: { readonly call: DeskCall; readonly peer: string };
  readonly dnd: boolean;
  readonly forwarding: Readonly<Partial<Record<ForwardingType, string>>>;
}

const NUMBER = /^\+?[0-9*#]{1,32}$/;

/**
 * The PBX users' desk phones (issue 15 §6). Calls are modelled, not placed over SIP: a call
 * between two desk phones rings the other one; a call to any other number is answered by
 * the far end at once. Every change is an event (`on("event")`), for the CSTA monitors.
 */
export class DeskPhones {
  private readonly phones = new Map<string, DeskPhone>();
  private readonly listeners: TypedListeners<{ event: DeskPhoneEvent }>;
  private sequence = 0;
  /**
   * Moves a desk phone's call to the same user's Unify Phone side ("pull", issue 15): set by
   * the mock; without it a transfer or deflect to the phone's own number is refused.
   */
  pullHandler: ((phone: DeskPhone, call: DeskCall, remote: string, ringing: boolean) => void) | undefined;

  constructor(
    /** Whether `callno` is a user of the PBX (its phone is made on first use). */
    private readonly isUser: (callno: string) => boolean,
    onListenerError: (error: unknown) => void = () => undefined,
  ) {
    this.listeners = new TypedListeners(onListenerError);
  }

  /** The desk phone of user `callno`; DeskPhoneError (invalidDevice) for anything else. */
  get(callno: string): DeskPhone {
    // Checked each time: a user removed from the PBX has no desk phone any more.
    if (!this.isUser(callno)) throw new DeskPhoneError(`no user with callno ${callno}`, "invalidDevice");
    const existing = this.phones.get(callno);
    if (existing) return existing;
    const phone = new DeskPhone(callno, this);
    this.phones.set(callno, phone);
    return phone;
  }

  /** The phone of `callno` when it is a user, else undefined (a number outside). */
  find(callno: string): DeskPhone | undefined {
    return this.isUser(callno) ? this.get(callno) : undefined;
  }

  on(listener: (event: DeskPhoneEvent) => void): () => void {
    return this.listeners.on("event", listener);
  }

  /** @internal */
  emit(event: DeskPhoneEvent): void {
    this.listeners.emit("event", event);
  }

  /** @internal */
  newCall(calling: string, called: string): DeskCall {
    return { id: `dc${++this.sequence}`, calling, called };
  }
}

/** One user's desk phone: an active call (and one held while consulting), DND, forwarding per type. */
export class DeskPhone {
  private current: DeskPhoneState = "idle";
  private call: DeskCall | undefined;
  /** The call held while consulting (only while there is an active call too). */
  private parked: DeskCall | undefined;
  private dndOn = false;
  private readonly forwards = new Map<ForwardingType, string>();

  constructor(
    readonly callno: string,
    private readonly phones: DeskPhones,
  ) {}

  get state(): DeskPhoneState {
    return this.current;
  }

  get dnd(): boolean {
    return this.dndOn;
  }

  snapshot(): DeskPhoneSnapshot {
    const call = this.call;
    return {
      callno: this.callno,
      state: this.current,
      ...(call ? { call, peer: otherParty(call, this.callno) } : {}),
      ...(this.parked ? { held: { call: this.parked, peer: otherParty(this.parked, this.callno) } } : {}),
      dnd: this.dndOn,
      forwarding: Object.fromEntries(this.forwards),
    };
  }

  /**
   * A call from `from` arrives (from another user: that user's desk phone calls). Forwarded at once (forwardImmediate), busy while DND or in a
   * call (forwardBusy when set, else DeskPhoneError busy); otherwise the phone rings.
   */
  ring(from: string, existing?: DeskCall, hops = 0): DeskCall {
    checkNumber(from);
    if (!existing) {
      // A call from another user is that user's desk phone calling (both ends in step).
      if (from === this.callno)
        throw new DeskPhoneError("a desk phone cannot call itself", "invalidCallState");
      const caller = this.phones.find(from);
      if (caller) return caller.makeCall(this.callno);
    }
    const call = existing ?? this.phones.newCall(from, this.callno);
    const route = this.route(call.calling);
    if (route.kind === "forward") return this.divert(call, route.to, hops);
    if (route.kind === "busy") throw new DeskPhoneError(`${this.callno} is busy (${route.why})`, "busy");
    this.call = call;
    this.current = "ringing";
    this.emit({ type: "Delivered", call, alerting: this.callno });
    this.peer()?.emit({ type: "Delivered", call, alerting: this.callno });
    return call;
  }

  /**
   * Where a call from `from` offered to this phone goes: forwarded (immediate; busy while DND or
   * in a call), refused busy, or ringing here. Forwarding back to the caller is ignored, as a PBX
   * does not route a call to where it came from.
   */
  route(from: string): { kind: "ring" } | { kind: "forward"; to: string } | { kind: "busy"; why: string } {
    const forward = (type: ForwardingType) => {
      const to = this.forwards.get(type);
      return to === from ? undefined : to;
    };
    const immediate = forward("forwardImmediate");
    if (immediate !== undefined) return { kind: "forward", to: immediate };
    if (this.dndOn || this.current !== "idle") {
      const busy = forward("forwardBusy");
      if (busy !== undefined) return { kind: "forward", to: busy };
      return { kind: "busy", why: this.dndOn ? "do not disturb" : this.current };
    }
    return { kind: "ring" };
  }

  /** A call offered here leaves for `to` without ringing (Diverted): the PBX routes it on. */
  diverted(call: DeskCall, to: string): void {
    this.emit({ type: "Diverted", call, from: this.callno, to });
  }

  /**
   * The other side ended call `callId` (a caller gave up, the trunk leg ended, the call was
   * answered elsewhere): ConnectionCleared with `releasing`. False when it is not this phone's call.
   */
  drop(callId: string, releasing: string): boolean {
    if (this.call?.id !== callId) return false;
    this.release(releasing);
    return true;
  }

  /** The desk phone dials `to` (MakeCall): ServiceInitiated, Originated, then Delivered (and Established outside). */
  makeCall(to: string): DeskCall {
    checkNumber(to);
    if (this.current !== "idle")
      throw new DeskPhoneError(`${this.callno} cannot make a call while ${this.current}`, "invalidCallState");
    if (to === this.callno) throw new DeskPhoneError("a desk phone cannot call itself", "invalidCallState");
    const call = this.phones.newCall(this.callno, to);
    this.call = call;
    this.current = "dialing";
    this.emit({ type: "ServiceInitiated", call });
    this.emit({ type: "Originated", call });
    const callee = this.phones.find(to);
    if (!callee) {
      // A number outside the PBX: modelled as alerting and answering at once.
      this.emit({ type: "Delivered", call, alerting: to });
      this.current = "connected";
      this.emit({ type: "Established", call, answering: to });
      return call;
    }
    try {
      callee.ring(this.callno, call);
    } catch (error) {
      this.release(this.callno);
      throw error;
    }
    return call;
  }

  answer(): DeskCall {
    const call = this.expect(["ringing"], "answer");
    this.current = "connected";
    const caller = this.peer();
    if (caller) caller.current = "connected";
    this.emit({ type: "Established", call, answering: this.callno });
    caller?.emit({ type: "Established", call, answering: this.callno });
    return call;
  }

  /** Clear the call, whatever its state; the other desk phone, if any, goes idle too. */
  hangup(): DeskCall {
    this.expect(["dialing", "ringing", "connected", "held"], "hang up");
    return this.release(this.callno);
  }

  hold(): DeskCall {
    const call = this.expect(["connected"], "hold");
    if (this.parked)
      throw new DeskPhoneError(`${this.callno} holds a call already (alternate instead)`, "invalidCallState");
    this.current = "held";
    this.emit({ type: "Held", call, holding: this.callno });
    this.peer()?.emit({ type: "Held", call, holding: this.callno });
    return call;
  }

  retrieve(): DeskCall {
    const call = this.expect(["held"], "retrieve");
    this.current = "connected";
    this.emit({ type: "Retrieved", call, retrieving: this.callno });
    this.peer()?.emit({ type: "Retrieved", call, retrieving: this.callno });
    return call;
  }

  /** DeflectCall: the ringing call goes to `to` (another desk phone rings; a number outside takes it). */
  deflect(to: string): DeskCall {
    checkNumber(to);
    const call = this.expect(["ringing"], "deflect");
    if (to === this.callno && this.phones.pullHandler) return this.pull(call, true);
    if (to === this.callno || to === call.calling)
      throw new DeskPhoneError(`cannot deflect the call to ${to}`, "invalidCallState");
    this.call = undefined;
    this.current = "idle";
    try {
      return this.divert(call, to, 0);
    } catch (error) {
      // The destination is busy: the call ends for a waiting desk phone too.
      const caller = this.phones.find(call.calling);
      if (caller?.call?.id === call.id) caller.release(to);
      throw error;
    }
  }

  /**
   * Single-step transfer of the connected or held call to `to`: this phone leaves (Transferred),
   * the other party is now calling `to` — another desk phone rings, a number outside answers.
   * When `to` cannot take it (busy), the call is cleared and DeskPhoneError thrown.
   */
  transfer(to: string): DeskCall {
    checkNumber(to);
    const call = this.expect(["connected", "held"], "transfer");
    const other = call.calling === this.callno ? call.called : call.calling;
    if (to === this.callno && this.phones.pullHandler && !this.peer()) return this.pull(call, false);
    if (to === this.callno || to === other)
      throw new DeskPhoneError(`cannot transfer the call to ${to}`, "invalidCallState");
    const peer = this.peer();
    const moved: DeskCall = { id: call.id, calling: other, called: to };
    this.call = undefined;
    this.current = "idle";
    this.emit({ type: "Transferred", call, transferring: this.callno, to });
    this.unpark();
    if (peer) {
      peer.call = moved;
      peer.current = "dialing";
      peer.emit({ type: "Transferred", call, transferring: this.callno, to });
    }
    const next = this.phones.find(to);
    if (next) {
      try {
        return next.ring(other, moved);
      } catch (error) {
        if (peer?.call?.id === moved.id) peer.release(to);
        throw error;
      }
    }
    if (peer) {
      peer.current = "connected";
      peer.emit({ type: "Established", call: moved, answering: to });
    }
    return moved;
  }

  /**
   * ConsultationCall: the connected call is held (Held) and the phone calls `to` — another desk
   * phone rings, a number outside answers at once (ServiceInitiated, Originated, Delivered…).
   */
  consult(to: string): DeskCall {
    checkNumber(to);
    const primary = this.expect(["connected"], "consult");
    if (this.parked) throw new DeskPhoneError(`${this.callno} is consulting already`, "invalidCallState");
    if (to === this.callno || to === otherParty(primary, this.callno))
      throw new DeskPhoneError(`cannot consult ${to}`, "invalidCallState");
    this.hold();
    this.parked = primary;
    this.call = undefined;
    this.current = "idle";
    try {
      return this.makeCall(to);
    } catch (error) {
      // The consulted party is busy: back to the held call alone.
      this.unpark();
      throw error;
    }
  }

  /** AlternateCall: the active call is held, the held one retrieved (Held, then Retrieved). */
  alternate(): DeskCall {
    const active = this.expect(["connected"], "alternate");
    const held = this.parked;
    if (!held) throw new DeskPhoneError(`${this.callno} holds no second call`, "invalidCallState");
    this.emit({ type: "Held", call: active, holding: this.callno });
    this.peer()?.emit({ type: "Held", call: active, holding: this.callno });
    this.parked = active;
    this.call = held;
    this.emit({ type: "Retrieved", call: held, retrieving: this.callno });
    this.peer()?.emit({ type: "Retrieved", call: held, retrieving: this.callno });
    return held;
  }

  /**
   * TransferCall: the held call's party and the active call's party are joined (the active one
   * may still be alerting); this phone leaves both (Transferred), its other parties stay on the
   * held call's id.
   */
  transferCalls(): DeskCall {
    const active = this.expect(["connected", "dialing"], "transfer");
    const held = this.parked;
    if (!held) throw new DeskPhoneError(`${this.callno} holds no call to transfer`, "invalidCallState");
    const first = otherParty(held, this.callno);
    const second = otherParty(active, this.callno);
    const joined: DeskCall = { id: held.id, calling: first, called: second };
    const heldPeer = this.peerOf(held);
    const activePeer = this.peerOf(active);
    this.call = undefined;
    this.parked = undefined;
    this.current = "idle";
    const event = {
      type: "Transferred",
      call: held,
      transferring: this.callno,
      to: second,
      secondary: active,
    } as const;
    this.emit(event);
    for (const peer of [heldPeer, activePeer]) {
      if (!peer) continue;
      const alerting = peer === activePeer && peer.current === "ringing";
      peer.call = joined;
      peer.current = alerting ? "ringing" : "connected";
      peer.emit(event);
    }
    return joined;
  }

  setDnd(on: boolean): void {
    this.dndOn = on;
    this.emit({ type: "DoNotDisturb", on });
  }

  /** `destination` undefined switches forwarding of that type off. */
  setForwarding(type: ForwardingType, destination: string | undefined): void {
    if (destination !== undefined) {
      if (!NUMBER.test(destination) || destination === this.callno)
        throw new DeskPhoneError(
          `not a forwarding destination: "${destination}"`,
          "invalidForwardingDestination",
        );
      this.forwards.set(type, destination);
    } else {
      this.forwards.delete(type);
    }
    this.emit({
      type: "Forwarding",
      forwardingType: type,
      on: destination !== undefined,
      ...(destination === undefined ? {} : { destination }),
    });
  }

  forwarding(type: ForwardingType): string | undefined {
    return this.forwards.get(type);
  }

  /** The call moves to this user's Unify Phone side: the desk phone is cleared, the mock calls the app. */
  private pull(call: DeskCall, ringing: boolean): DeskCall {
    const remote = call.calling === this.callno ? call.called : call.calling;
    this.release(this.callno);
    this.phones.pullHandler!(this, call, remote, ringing);
    return call;
  }

  /** The call leaves this phone for `to`: Diverted, then `to` rings when it is a desk phone. */
  private divert(call: DeskCall, to: string, hops: number): DeskCall {
    this.emit({ type: "Diverted", call, from: this.callno, to });
    const caller = this.phones.find(call.calling);
    // Only a desk phone waiting on this call hears of it (not a user calling from the app).
    const waiting = caller && caller !== this && caller.call?.id === call.id ? caller : undefined;
    waiting?.emit({ type: "Diverted", call, from: this.callno, to });
    const moved = { ...call, called: to };
    if (waiting) waiting.call = moved;
    const next = this.phones.find(to);
    // A forwarding loop ends after a few hops, as a PBX's does.
    if (next && hops < 4) return next.ring(call.calling, moved, hops + 1);
    if (waiting) {
      waiting.current = "connected";
      waiting.emit({ type: "Established", call: moved, answering: to });
    }
    return moved;
  }

  private release(releasing: string): DeskCall {
    const call = this.call!;
    const peer = this.peer();
    this.call = undefined;
    this.current = "idle";
    this.emit({ type: "ConnectionCleared", call, releasing });
    if (peer && peer.call?.id === call.id) peer.release(releasing);
    // The far end of the call this phone holds while consulting hangs up.
    else if (peer && peer.parked?.id === call.id) peer.clearParked(releasing);
    this.unpark();
    return call;
  }

  /** The held call becomes the phone's only call again (still held). */
  private unpark(): void {
    if (!this.parked || this.call) return;
    this.call = this.parked;
    this.parked = undefined;
    this.current = "held";
  }

  private clearParked(releasing: string): void {
    const call = this.parked!;
    this.parked = undefined;
    this.emit({ type: "ConnectionCleared", call, releasing });
  }

  /** The other desk phone of the active call, when the other party is one. */
  private peer(): DeskPhone | undefined {
    return this.call ? this.peerOf(this.call) : undefined;
  }

  /** The other desk phone of `call` (active or held there), when the other party is one. */
  private peerOf(call: DeskCall): DeskPhone | undefined {
    const phone = this.phones.find(otherParty(call, this.callno));
    return phone?.call?.id === call.id || phone?.parked?.id === call.id ? phone : undefined;
  }

  private expect(states: DeskPhoneState[], action: string): DeskCall {
    if (!states.includes(this.current) || !this.call)
      throw new DeskPhoneError(`${this.callno} cannot ${action} while ${this.current}`, "invalidCallState");
    return this.call;
  }

  private emit(event: DistributiveOmit<DeskPhoneEvent, "device">): void {
    this.phones.emit({ ...event, device: this.callno } as DeskPhoneEvent);
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

function otherParty(call: DeskCall, callno: string): string {
  return call.calling === callno ? call.called : call.calling;
}

function checkNumber(value: string): void {
  if (!NUMBER.test(value)) throw new DeskPhoneError(`not a number: "${value}"`, "invalidDevice");
}
