export type RtpLoad = "itsp" | "device-at-home";

export interface RtpChannelUse {
  readonly total: number;
  readonly itsp: number;
  readonly deviceAtHome: number;
  readonly unifyPhone: number;
}

/**
 * The PBX's shared pool of RTP proxy channels: ITSP and Device@Home calls (simulated load)
 * and Unify Phone calls (one channel per call, for as long as it lasts) draw from it.
 */
export class RtpChannelPool {
  private itsp = 0;
  private deviceAtHome = 0;
  private unifyPhone = 0;

  constructor(readonly total: number) {}

  get free(): number {
    return this.total - this.itsp - this.deviceAtHome - this.unifyPhone;
  }

  use(): RtpChannelUse {
    return {
      total: this.total,
      itsp: this.itsp,
      deviceAtHome: this.deviceAtHome,
      unifyPhone: this.unifyPhone,
    };
  }

  /** Simulated ITSP or Device@Home calls take `n` channels; RangeError when fewer are free. */
  occupy(n: number, kind: RtpLoad): void {
    checkCount(n);
    if (n > this.free)
      throw new RangeError(`cannot occupy ${n} RTP channels: ${this.free} of ${this.total} free`);
    if (kind === "itsp") this.itsp += n;
    else this.deviceAtHome += n;
  }

  /** Give back channels `occupy` took; RangeError when that many are not held. */
  release(n: number, kind: RtpLoad): void {
    checkCount(n);
    const held = kind === "itsp" ? this.itsp : this.deviceAtHome;
    if (n > held) throw new RangeError(`cannot release ${n} ${kind} RTP channels: ${held} held`);
    if (kind === "itsp") this.itsp -= n;
    else this.deviceAtHome -= n;
  }

  /** A Unify Phone call takes a channel; false when none is free. The returned release is idempotent. */
  take(): (() => void) | undefined {
    if (this.free <= 0) return undefined;
    this.unifyPhone++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.unifyPhone--;
    };
  }
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`RTP channel count ${n}: want a whole number ≥ 0`);
}

export function isRtpLoad(kind: string): kind is RtpLoad {
  return kind === "itsp" || kind === "device-at-home";
}
