import { type CallListener, countFailure, type Dialer } from "./calls-dialer.js";
import { type FailureCounts, percentile, type RateResult, type RateSpec } from "./calls-protocol.js";

/** The discard port (RFC 863) as the SDP media port: the echo user sends nothing unasked. */
const DISCARD_PORT = 9;

/**
 * Phase (1): keeps `window` calls in flight, each INVITE → 200 → ACK → BYE → 200 with no
 * media, warms up, then counts the calls completed in the measured window. `mark` is
 * called as the window opens and closes (the runner reads the server's CPU then).
 */
export function runRate(
  dialer: Dialer,
  spec: RateSpec,
  mark: (at: "start" | "end") => void,
): Promise<RateResult> {
  return new Promise((resolve) => {
    const failures: FailureCounts = {};
    const latencies = new Float64Array(spec.maxCalls);
    let phase: "warmup" | "measure" | "drain" = "warmup";
    let started = 0;
    let inFlight = 0;
    let completed = 0;
    let withoutTrying = 0;
    let withoutRinging = 0;
    let windowStart = 0;
    let windowEnd = 0;
    let cpuStart = process.cpuUsage();
    let generatorCpuSeconds = 0;
    let finished = false;

    const finish = () => {
      if (finished) return;
      finished = true;
      const sorted = latencies.subarray(0, completed).sort();
      resolve({
        window: spec.window,
        completed,
        withoutTrying,
        withoutRinging,
        seconds: (windowEnd - windowStart) / 1000,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: percentile(sorted, 100),
        failures,
        generatorCpuSeconds,
      });
    };
    const closeWindow = () => {
      if (phase === "drain") return;
      const wasMeasuring = phase === "measure";
      phase = "drain";
      windowEnd = performance.now();
      if (!wasMeasuring) windowStart = windowEnd;
      const cpu = process.cpuUsage(cpuStart);
      generatorCpuSeconds = wasMeasuring ? (cpu.user + cpu.system) / 1e6 : 0;
      mark("end");
      if (inFlight === 0) finish();
    };
    const listener: CallListener = {
      established: (call) => call.hangUp(),
      done: (call, failure) => {
        inFlight--;
        countFailure(failures, failure);
        if (failure === undefined && phase === "measure") {
          latencies[completed++] = call.setupMs;
          if (!call.trying) withoutTrying++;
          if (!call.ringing) withoutRinging++;
        }
        if (failure === "connection lost") closeWindow();
        if (phase === "drain") {
          if (inFlight === 0) finish();
          return;
        }
        launch();
      },
    };
    const launch = () => {
      while (phase !== "drain" && inFlight < spec.window && started < spec.maxCalls) {
        started++;
        inFlight++;
        dialer.dial(DISCARD_PORT, listener);
      }
      if (started >= spec.maxCalls && inFlight === 0) closeWindow();
    };
    setTimeout(() => {
      if (phase !== "warmup") return;
      phase = "measure";
      windowStart = performance.now();
      cpuStart = process.cpuUsage();
      mark("start");
      setTimeout(closeWindow, spec.measureMs);
    }, spec.warmupMs);
    launch();
  });
}
