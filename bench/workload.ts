import type { PhaseStats } from "./phase-stats.js";

/** A load pattern the generator can start, stop issuing, and wait to drain. */
export interface Workload {
  start(): void;
  /** Issue no new operations; what is in flight finishes (or times out). */
  stop(): void;
  inFlight(): number;
  /** True once the workload has nothing left to do (a bounded batch), ending the window early. */
  finished?(): boolean;
}

/** State shared by the slots of a closed-loop workload. */
export interface LoopState {
  running: boolean;
  readonly stats: PhaseStats;
}
