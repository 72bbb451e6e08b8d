import { setTimeout as sleep } from "node:timers/promises";
import type { BenchConnection } from "./bench-connection.js";
import type { PhaseResult, PhaseTiming } from "./generator-protocol.js";
import type { PhaseStats } from "./phase-stats.js";
import type { Workload } from "./workload.js";

const REQUEST_TIMEOUT_MS = 5000;
const DRAIN_MS = 6000;
const POLL_MS = 10;

export interface TimedPhaseOptions {
  readonly workload: Workload;
  readonly stats: PhaseStats;
  readonly timing: PhaseTiming;
  /** Persistent connections whose requests in flight are checked for timeouts. */
  readonly connections: readonly BenchConnection[];
  /** Called as the measured window opens and closes (the runner samples server CPU then). */
  readonly mark: (at: "start" | "end") => void;
}

/**
 * Warm-up, then a measured window bounded by time and by operation count (and by the
 * workload finishing), then a bounded drain of what is still in flight.
 */
export async function runTimedPhase(o: TimedPhaseOptions): Promise<Omit<PhaseResult, "note">> {
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const conn of o.connections) conn.sweep(now, REQUEST_TIMEOUT_MS);
  }, 250);
  try {
    o.workload.start();
    if (o.timing.warmupMs > 0) await sleep(o.timing.warmupMs);
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    o.stats.recording = true;
    o.mark("start");
    while (
      performance.now() - startedAt < o.timing.measureMs &&
      o.stats.ops < o.timing.maxOps &&
      !o.workload.finished?.()
    ) {
      await sleep(POLL_MS);
    }
    o.stats.recording = false;
    o.mark("end");
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    o.workload.stop();
    const drainUntil = performance.now() + DRAIN_MS;
    while (o.workload.inFlight() > 0 && performance.now() < drainUntil) await sleep(POLL_MS);
    const { p50, p99, max } = o.stats.percentiles();
    return {
      ops: o.stats.ops,
      seconds,
      p50Ms: p50,
      p99Ms: p99,
      maxMs: max,
      failures: o.stats.failures(),
      generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    o.workload.stop();
    clearInterval(sweeper);
  }
}
