import { existsSync, readFileSync } from "node:fs";
import { constants } from "node:perf_hooks";

/** GC pauses of the emulator within a window, from the lines bench/gc-watch.mjs writes. */
export interface GcPauses {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  /** Major (mark-compact) collections among them. */
  readonly major: number;
}

/** Pauses that started between `fromMs` and `toMs` (epoch ms), read from `file`. */
export function readGcPauses(file: string, fromMs: number, toMs: number): GcPauses {
  let count = 0;
  let totalMs = 0;
  let maxMs = 0;
  let major = 0;
  if (!existsSync(file)) return { count, totalMs, maxMs, major };
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [at, duration, kind] = line.split(" ").map(Number);
    if (at === undefined || duration === undefined || !(at >= fromMs && at <= toMs)) continue;
    count++;
    totalMs += duration;
    maxMs = Math.max(maxMs, duration);
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  }
  return { count, totalMs, maxMs, major };
}

export function formatGcPauses(p: GcPauses, seconds: number): string {
  return `gc ${p.count} pauses (${p.major} major) ${(p.totalMs / Math.max(seconds, 1e-3)).toFixed(1)} ms/s, longest ${p.maxMs.toFixed(1)} ms`;
}
