import { type FailureCounts, failureTotal, type PhaseResult } from "./generator-protocol.js";

/** One measured phase as the runner saw it: the generator's figures plus server CPU. */
export interface PhaseReport {
  readonly title: string;
  readonly setup: string;
  readonly result: PhaseResult;
  /** utime + stime of the server process over the measured window. */
  readonly serverCpuSeconds: number;
  /** Machine-wide busy CPU over the window, and hypervisor steal (/proc/stat). */
  readonly machineBusySeconds: number;
  readonly stealSeconds: number;
}

export function opsPerSecond(r: PhaseReport): number {
  return r.result.seconds > 0 ? r.result.ops / r.result.seconds : 0;
}

/** Operations per second of server CPU: what one fully busy server core would do. */
export function opsPerServerCoreSecond(r: PhaseReport): number {
  return r.serverCpuSeconds > 0 ? r.result.ops / r.serverCpuSeconds : 0;
}

export const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const ms = (n: number): string => `${n.toFixed(2)} ms`;
const micros = (cpuSeconds: number, ops: number): string =>
  ops > 0 ? `${((cpuSeconds * 1e6) / ops).toFixed(1)} µs/op` : "n/a";

export function describeFailures(f: FailureCounts): string {
  const parts = Object.entries(f.statuses).map(([status, n]) => `${int(n)}× ${status}`);
  if (f.timeouts > 0) parts.push(`${int(f.timeouts)} timeouts`);
  if (f.resets > 0) parts.push(`${int(f.resets)} resets/closed connections`);
  if (f.unmatched > 0) parts.push(`${int(f.unmatched)} unmatched responses`);
  return parts.join(", ");
}

export function formatPhase(r: PhaseReport): string {
  const { result } = r;
  const serverBusy = result.seconds > 0 ? (100 * r.serverCpuSeconds) / result.seconds : 0;
  const generatorBusy = result.seconds > 0 ? (100 * result.generatorCpuSeconds) / result.seconds : 0;
  const lines = [
    `── ${r.title}`,
    `   ${r.setup}; ${int(result.ops)} ops in ${result.seconds.toFixed(2)} s measured`,
    `   throughput      ${int(opsPerSecond(r))} ops/s`,
    `   latency         p50 ${ms(result.p50Ms)}   p99 ${ms(result.p99Ms)}   max ${ms(result.maxMs)}`,
    `   server CPU      ${micros(r.serverCpuSeconds, result.ops)}  →  ${int(opsPerServerCoreSecond(r))} ops per server-core-second  (server ${serverBusy.toFixed(0)}% of a core)`,
    `   generator CPU   ${micros(result.generatorCpuSeconds, result.ops)}  (generator ${generatorBusy.toFixed(0)}% of a core)`,
  ];
  const others = Math.max(0, r.machineBusySeconds - r.serverCpuSeconds - result.generatorCpuSeconds);
  const pct = (cpu: number) => (result.seconds > 0 ? (100 * cpu) / result.seconds : 0);
  lines.push(
    `   other processes ${pct(others).toFixed(0)}% of a core, steal ${pct(r.stealSeconds).toFixed(0)}%${pct(others) + pct(r.stealSeconds) > 20 ? "  (the machine was not quiet: rates are skewed)" : ""}`,
  );
  if (result.note) lines.push(`   note            ${result.note}`);
  const failures = failureTotal(result.failures);
  if (failures === 0) lines.push("   failures        none");
  else {
    const bar = "!".repeat(12);
    lines.push(`   ${bar} FAILURES: ${describeFailures(result.failures)} ${bar}`);
  }
  return lines.join("\n");
}
