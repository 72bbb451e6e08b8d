import { spawnSync } from "node:child_process";

/** True when `command` can be executed (the Debian package providing it is installed). */
export function installed(command: string, args: string[] = ["--version"]): boolean {
  return spawnSync(command, args, { stdio: "ignore", timeout: 5_000 }).error === undefined;
}

/** Logs one line saying which package is missing and what is skipped; returns `present`. */
export function requirePackage(present: boolean, pkg: string, what: string): boolean {
  if (!present) console.warn(`skipping ${what}: Debian package ${pkg} not installed`);
  return present;
}
