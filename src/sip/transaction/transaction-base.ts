import type { TimerHandle } from "../../shared/clock.js";
import type { SipConnection } from "../transport/index.js";
import type { TransactionHost } from "./transaction-host.js";
import type { TransactionState } from "./transaction-state.js";

/**
 * State and timers shared by the four state machines. Each machine runs at most two
 * timers at once: a retransmission timer (A, E, G) and a lifetime timer (B, D, F, H, I,
 * J, K, L, M); both are armed only when a transition needs them.
 */
export abstract class TransactionBase {
  protected currentState: TransactionState;
  protected retransmitTimer: TimerHandle | undefined;
  protected lifetimeTimer: TimerHandle | undefined;
  protected retransmitInterval = 0;

  constructor(
    protected readonly host: TransactionHost,
    readonly id: string,
    readonly connection: SipConnection,
    initialState: TransactionState,
  ) {
    this.currentState = initialState;
  }

  get state(): TransactionState {
    return this.currentState;
  }

  /** Stop every timer and go quiet without telling anyone (the layer is closing). */
  dispose(): void {
    this.stopTimers();
    this.currentState = "terminated";
  }

  protected startRetransmitTimer(delayMs: number, fire: () => void): void {
    this.retransmitInterval = delayMs;
    this.retransmitTimer = this.host.clock.setTimer(delayMs, fire);
  }

  protected startLifetimeTimer(delayMs: number, fire: () => void): void {
    if (this.lifetimeTimer) this.host.clock.clearTimer(this.lifetimeTimer);
    this.lifetimeTimer = this.host.clock.setTimer(delayMs, fire);
  }

  protected stopTimers(): void {
    const clock = this.host.clock;
    if (this.retransmitTimer) clock.clearTimer(this.retransmitTimer);
    if (this.lifetimeTimer) clock.clearTimer(this.lifetimeTimer);
    this.retransmitTimer = undefined;
    this.lifetimeTimer = undefined;
  }
}
