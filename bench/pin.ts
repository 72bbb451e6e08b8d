import { spawnSync } from "node:child_process";

/** `taskset` (util-linux) when present: the bench pins each server to one core with it. */
export const hasTaskset = spawnSync("taskset", ["--version"], { encoding: "utf8" }).status === 0;

/** The core servers are pinned to: the last one, away from core 0 where the generator runs. */
export function serverCore(cores: number): number {
  return Math.max(0, cores - 1);
}

/** `command args` prefixed with `taskset -c core` when taskset is there. */
export function pinnedCommand(
  core: number | undefined,
  command: string,
  args: readonly string[],
): [string, string[]] {
  if (core === undefined || !hasTaskset) return [command, [...args]];
  return ["taskset", ["-c", String(core), command, ...args]];
}

/** Moves a running process (all its threads) to `core`; false when taskset is missing or fails. */
export function pinProcess(pid: number, core: number): boolean {
  if (!hasTaskset) return false;
  return (
    spawnSync("taskset", ["-a", "-p", "-c", String(core), String(pid)], { encoding: "utf8" }).status === 0
  );
}
