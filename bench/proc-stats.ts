import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`: the unit of utime/stime in /proc/<pid>/stat (normally 100). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    ticksPerSecond = Number.isFinite(out) && out > 0 ? out : 100;
  }
  return ticksPerSecond;
}

/** utime + stime of a process, in seconds (proc(5): fields 14 and 15 of /proc/<pid>/stat). */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces: count fields after its closing ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / clockTicks();
}

export interface MachineCpu {
  /** CPU seconds all processes spent (user, nice, system, irq, softirq), summed over cores. */
  readonly busySeconds: number;
  /** CPU seconds the hypervisor gave to other guests. */
  readonly stealSeconds: number;
}

/** The machine-wide line of /proc/stat, to tell how much else ran beside the benchmark. */
export function readMachineCpu(): MachineCpu {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const ticks = clockTicks();
  return {
    busySeconds: ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / ticks,
    stealSeconds: (steal ?? 0) / ticks,
  };
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** The soft limit on open files this process (and so its children) runs with. */
export function openFilesLimit(): number {
  const limits = readFileSync("/proc/self/limits", "utf8");
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  if (!match || match[1] === "unlimited") return Number.POSITIVE_INFINITY;
  return Number(match[1]);
}
