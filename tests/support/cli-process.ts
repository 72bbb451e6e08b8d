import { type ChildProcessByStdio, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { until } from "./until.js";

export interface CliProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Its own scratch folder: `data/` and `certs/` live here. */
  readonly dir: string;
  /** stdout and stderr so far. */
  output(): string;
  readonly exited: Promise<number | null>;
  /** The ports of the ready line, once it is printed (fails if the process exits first). */
  ready(): Promise<{ sip: number; https: number }>;
}

/** The emulator's command line from source (tsx), with `args`, data and certs in a fresh folder. */
export function spawnCli(args: readonly string[]): CliProcess {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-cli-"));
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: {
      ...process.env,
      UPE_DATA_DIR: path.join(dir, "data"),
      UPE_CERTS_DIR: path.join(dir, "certs"),
      UPE_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const READY = /ready: sip=(\d+) https=(\d+)/;
  return {
    child,
    dir,
    output: () => out,
    exited,
    ready: async () => {
      await until(
        () => READY.test(out) || child.exitCode !== null,
        () => `the ready line:\n${out}`,
        15_000,
      );
      const match = READY.exec(out);
      if (!match) throw new Error(`exited before the ready line:\n${out}`);
      return { sip: Number(match[1]), https: Number(match[2]) };
    },
  };
}
