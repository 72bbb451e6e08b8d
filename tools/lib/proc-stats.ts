import { readdirSync, readFileSync } from "node:fs";

/** Resident set size in bytes (VmRSS of /proc/<pid>/status), 0 once the process is gone. */
export function readRss(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Open file descriptors (entries of /proc/<pid>/fd), 0 once the process is gone. */
export function readFdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Start, peak and latest value of a sampled quantity. */
export class Series {
  start: number | undefined;
  peak = Number.NEGATIVE_INFINITY;
  end: number | undefined;

  add(value: number): void {
    this.start ??= value;
    if (value > this.peak) this.peak = value;
    this.end = value;
  }

  format(unit: "MB" | "count"): string {
    const f = (v: number | undefined) =>
      v === undefined || !Number.isFinite(v)
        ? "-"
        : unit === "MB"
          ? `${(v / 1024 / 1024).toFixed(1)} MB`
          : String(v);
    return `start ${f(this.start)}, peak ${f(this.peak)}, end ${f(this.end)}`;
  }
}
