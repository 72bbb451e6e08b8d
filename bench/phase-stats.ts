import type { FailureCounts } from "./generator-protocol.js";

/** Latency samples beyond this many are not kept (they still count as operations). */
const MAX_SAMPLES = 4_000_000;

export type FailureKind = "timeout" | "reset" | "unmatched";

/**
 * Counts operations and latencies inside the measured window, and failures at any time
 * during the phase (a failure in the warm-up is still a failure).
 */
export class PhaseStats {
  recording = false;
  ops = 0;
  private samples = new Float64Array(1 << 16);
  private sampleCount = 0;
  private readonly statuses: Record<string, number> = {};
  private timeouts = 0;
  private resets = 0;
  private unmatched = 0;

  /** One completed operation that took `latencyMs`. */
  complete(latencyMs: number): void {
    if (!this.recording) return;
    this.ops++;
    if (this.sampleCount === this.samples.length && this.samples.length < MAX_SAMPLES) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    if (this.sampleCount < this.samples.length) this.samples[this.sampleCount++] = latencyMs;
  }

  unexpectedStatus(status: number): void {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }

  fail(kind: FailureKind): void {
    if (kind === "timeout") this.timeouts++;
    else if (kind === "reset") this.resets++;
    else this.unmatched++;
  }

  failures(): FailureCounts {
    return {
      statuses: { ...this.statuses },
      timeouts: this.timeouts,
      resets: this.resets,
      unmatched: this.unmatched,
    };
  }

  /** p50, p99 and max of the recorded latencies in ms; zeros without samples. */
  percentiles(): { p50: number; p99: number; max: number } {
    if (this.sampleCount === 0) return { p50: 0, p99: 0, max: 0 };
    const sorted = this.samples.slice(0, this.sampleCount).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
  }
}
