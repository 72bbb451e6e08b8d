/** IPC between the call benchmark's runner (bench/calls-bench.ts) and its generator process. */

/** Failures by kind: "INVITE 503", "BYE 481", "timeout", "connection lost", … */
export type FailureCounts = Record<string, number>;

export interface RateSpec {
  /** Calls kept in flight. */
  readonly window: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** No more calls are started after this many. */
  readonly maxCalls: number;
}

export interface RateResult {
  readonly window: number;
  /** Calls completed (BYE answered 200) inside the measured window. */
  readonly completed: number;
  /** Of those, calls that got no 100 Trying, and no 180 Ringing, before the 200. */
  readonly withoutTrying: number;
  readonly withoutRinging: number;
  readonly seconds: number;
  /** INVITE → 200 of the calls completed in the window. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Over the whole phase, warm-up and drain included. */
  readonly failures: FailureCounts;
  readonly generatorCpuSeconds: number;
}

export interface EstablishResult {
  readonly established: number;
  readonly seconds: number;
  /** INVITE → 200. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: FailureCounts;
}

export interface RtpSpec {
  /** The first `calls` established calls send (the others stay up, silent). */
  readonly calls: number;
  readonly seconds: number;
  readonly drainMs: number;
}

export interface RtpResult {
  readonly calls: number;
  /** From the first tick to the last packet sent. */
  readonly seconds: number;
  /** calls × ticks of the phase: 50 packets/s per call. */
  readonly targetPackets: number;
  readonly sent: number;
  /** Echoes from the call's own server port carrying the call's own payload. */
  readonly received: number;
  /** Echoes whose payload names another call than the server port they came from. */
  readonly misrouted: number;
  /** Datagrams from ports that belong to no call, or too short to name one. */
  readonly unknown: number;
  /** Echoes of an earlier run (the server's backlog), not counted. */
  readonly stale: number;
  /** Echoes of this run that came after the drain: counted as lost. */
  readonly late: number;
  /** Datagrams the kernel dropped for a full receive buffer (/proc/net/udp) at the server's call ports, and at ours. */
  readonly droppedAtServer: number;
  readonly droppedAtGenerator: number;
  /** Ticks not sent at all because the generator was more than 2 ticks behind. */
  readonly skippedTicks: number;
  /** Ticks sent more than one period (20 ms) after their time, and the worst delay. */
  readonly lateTicks: number;
  readonly maxLagMs: number;
  /** Calls that lost at least one packet, and calls that got no echo at all. */
  readonly callsWithLoss: number;
  readonly silentCalls: number;
  readonly sendErrors: number;
  readonly generatorCpuSeconds: number;
}

export interface HangupResult {
  readonly hungUp: number;
  readonly failures: FailureCounts;
  /** Over the generator's life: requests the emulator sent it, by method (none are expected). */
  readonly serverRequests: Record<string, number>;
  /** Over the generator's life: responses that matched no open call. */
  readonly strays: number;
}

export interface OpenResult {
  /** The generator's shared RTP socket port (SDP m= of the RTP phase's calls). */
  readonly rtpPort: number;
}

export type CallsCommand =
  | { type: "open"; sipPort: number; trunkUser: string; trunkPassword: string; callee: string }
  | { type: "rate"; spec: RateSpec }
  | { type: "establish"; calls: number; window: number }
  | { type: "rtp"; spec: RtpSpec }
  | { type: "hangup"; window: number }
  | { type: "exit" };

export type CallsEvent =
  | { type: "opened"; result: OpenResult }
  | { type: "mark"; at: "start" | "end" }
  | { type: "rate"; result: RateResult }
  | { type: "establish"; result: EstablishResult }
  | { type: "rtp"; result: RtpResult }
  | { type: "hangup"; result: HangupResult }
  | { type: "error"; message: string };

/** Value at percentile `p` of an ascending array (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
