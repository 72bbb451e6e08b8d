/** Messages between the runner (bench/run.ts) and the load generator process, over IPC. */

export type PhaseSpec =
  /** REGISTER → 401 → REGISTER + Authorization → 200 on distinct trunks; op = one registration. */
  | { readonly kind: "digest-full"; readonly windowPerConnection: number }
  /** Re-REGISTER with the last nonce and nc+1 (one round trip); op = one refresh. */
  | { readonly kind: "digest-refresh"; readonly windowPerConnection: number }
  /** As digest-refresh, open loop at a fixed rate, to measure latency below saturation. */
  | { readonly kind: "digest-refresh-paced"; readonly ratePerSecond: number }
  /** REGISTER on an `auth: false` trunk; op = one round trip. */
  | { readonly kind: "plain"; readonly windowPerConnection: number }
  /** New TLS connection + plain REGISTER + close; op = one iteration. */
  | { readonly kind: "connect-register-close"; readonly parallel: number }
  /** Open and digest-register `connections` TLS connections, then hold them until "release". */
  | { readonly kind: "idle"; readonly connections: number; readonly parallel: number };

export interface PhaseTiming {
  readonly warmupMs: number;
  readonly measureMs: number;
  /** The measured window also ends after this many operations. */
  readonly maxOps: number;
}

export type RunnerCommand =
  | {
      readonly type: "open";
      readonly port: number;
      readonly connections: number;
      readonly secret: string;
      readonly digestTrunks: number;
      readonly plainTrunks: number;
    }
  | { readonly type: "phase"; readonly spec: PhaseSpec; readonly timing: PhaseTiming }
  /** Close the connections an "idle" phase holds. */
  | { readonly type: "release" }
  | { readonly type: "exit" };

export interface FailureCounts {
  /** Final responses other than the expected ones, by status code. */
  readonly statuses: Record<string, number>;
  readonly timeouts: number;
  /** Connections closed or reset under us, and TLS connects that failed. */
  readonly resets: number;
  /** Responses that matched no request in flight. */
  readonly unmatched: number;
}

export interface PhaseResult {
  readonly ops: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly failures: FailureCounts;
  /** CPU the generator itself spent in the measured window (user + system). */
  readonly generatorCpuSeconds: number;
  readonly note?: string;
}

export type GeneratorEvent =
  | { readonly type: "opened"; readonly connections: number }
  /** Sent when the measured window starts and ends, so the runner samples server CPU then. */
  | { readonly type: "mark"; readonly at: "start" | "end" }
  | { readonly type: "result"; readonly result: PhaseResult }
  /** `held`: connections open until the release; `lost`: those the server closed before it. */
  | { readonly type: "released"; readonly held: number; readonly lost: number }
  | { readonly type: "error"; readonly message: string };

export function failureTotal(f: FailureCounts): number {
  let n = f.timeouts + f.resets + f.unmatched;
  for (const count of Object.values(f.statuses)) n += count;
  return n;
}
