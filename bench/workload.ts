import type { PhaseStats } from "./phase-stats.js";

/** A load pattern the generator can start, stop issuing, and wait to drain. */
export interface Workload {
  start(): void;
  /** Issue no new operations; what is in flight finishes (or times out). */
  stop(): void;
  inFlight(): number;
}

/** State shared by the slots of a closed-loop workload. */
export interface LoopState {
  running: boolean;
  readonly stats: PhaseStats;
}
