import type { MockCall } from "./mock-call.js";
import type { MockNumbering } from "./mock-options.js";
import { type PbxRefusal, refusalFor, rtpExhausted } from "./pbx-refusal.js";
import type { PbxUserDirectory } from "./pbx-users.js";
import type { RtpChannelPool } from "./rtp-channels.js";

/**
 * What a PBX checks before a Unify Phone call goes either way: every party that is one of its
 * users passes the licence, station-type and route checks, and an RTP proxy channel is free.
 * An admitted call holds its channel until it ends.
 */
export class PbxGate {
  private readonly held = new Map<MockCall, () => void>();

  constructor(
    readonly users: PbxUserDirectory,
    readonly channels: RtpChannelPool,
    /** The provisioned location number, for the users' DIDs. */
    private readonly numbering: () => MockNumbering | undefined,
  ) {}

  /** A channel taken for the call (give it to `hold`), or why the PBX refuses. */
  admit(numbers: readonly string[]): { release: () => void } | { refusal: PbxRefusal } {
    for (const number of numbers) {
      const user = this.users.resolve(number, this.numbering());
      const refusal = user && refusalFor(user);
      if (refusal) return { refusal };
    }
    const release = this.channels.take();
    return release ? { release } : { refusal: rtpExhausted(this.channels.total) };
  }

  /** The call keeps the channel until `ended` (given back at once if it is over already). */
  hold(call: MockCall, release: () => void): void {
    if (call.active) this.held.set(call, release);
    else release();
  }

  ended(call: MockCall): void {
    this.held.get(call)?.();
    this.held.delete(call);
  }
}
