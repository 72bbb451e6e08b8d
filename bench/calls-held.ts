import {
  type BenchCall,
  type CallFailure,
  type CallListener,
  countFailure,
  type Dialer,
} from "./calls-dialer.js";
import { type EstablishResult, type FailureCounts, percentile } from "./calls-protocol.js";

/**
 * Calls that stay up (phases 2 and 3): established `window` at a time, held while media
 * flows, then hung up with BYE. A held call that ends without our BYE counts as dropped.
 */
export class HeldCalls implements CallListener {
  /** Established and not ended, in the order they came up. */
  readonly up: BenchCall[] = [];
  /** Held calls that ended without our BYE (e.g. the emulator's BYE, connection lost). */
  readonly dropped: FailureCounts = {};
  private inviting = new Set<BenchCall>();
  private byeSent = new Set<BenchCall>();
  private failures: FailureCounts = {};
  private hungUp = 0;
  /** Starts what the current stage still has to start, or settles it. */
  private step: () => void = () => {};

  constructor(
    private readonly dialer: Dialer,
    /** Our shared RTP socket's port, the SDP media port of every call. */
    private readonly rtpPort: number,
  ) {}

  /** Brings up `count` calls, `window` INVITEs in flight at a time. */
  establish(count: number, window: number): Promise<EstablishResult> {
    const started = performance.now();
    this.failures = {};
    let dialed = 0;
    return new Promise((resolve) => {
      this.step = () => {
        while (this.inviting.size < window && dialed < count) {
          dialed++;
          this.inviting.add(this.dialer.dial(this.rtpPort, this));
        }
        if (this.inviting.size > 0 || dialed < count) return;
        this.step = () => {};
        const setup = this.up.map((c) => c.setupMs).sort((a, b) => a - b);
        resolve({
          established: this.up.length,
          seconds: (performance.now() - started) / 1000,
          p50Ms: percentile(setup, 50),
          p99Ms: percentile(setup, 99),
          failures: this.failures,
        });
      };
      this.step();
    });
  }

  /** BYE to every call still up, `window` at a time; resolves with how many got a 2xx. */
  hangUp(window: number): Promise<{ hungUp: number; failures: FailureCounts }> {
    this.failures = {};
    this.hungUp = 0;
    const queue = [...this.up];
    return new Promise((resolve) => {
      this.step = () => {
        while (this.byeSent.size < window && queue.length > 0) {
          const call = queue.pop()!;
          if (call.state !== "up") continue;
          this.byeSent.add(call);
          call.hangUp();
        }
        if (this.byeSent.size > 0 || queue.length > 0) return;
        this.step = () => {};
        resolve({ hungUp: this.hungUp, failures: this.failures });
      };
      this.step();
    });
  }

  established(call: BenchCall): void {
    this.up.push(call);
    if (this.inviting.delete(call)) this.step();
  }

  done(call: BenchCall, failure: CallFailure): void {
    if (call.dialog !== undefined) this.up.splice(this.up.indexOf(call), 1);
    if (this.inviting.delete(call)) countFailure(this.failures, failure);
    else if (this.byeSent.delete(call)) {
      if (failure === undefined) this.hungUp++;
      else countFailure(this.failures, failure);
    } else {
      countFailure(this.dropped, failure ?? "ended");
      return;
    }
    this.step();
  }
}
