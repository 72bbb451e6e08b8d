import { type ChildProcess, spawn } from "node:child_process";
import { pinnedCommand } from "./pin.js";

export interface ServerOptions {
  /** dist/main.js of the compiled build. */
  readonly mainPath: string;
  readonly seedPath: string;
  readonly certsDir: string;
  /** Directory for `--cpu-prof` output; no profiling when absent. */
  readonly profileDir?: string;
  readonly startTimeoutMs: number;
  /** Appended to the server's command line (e.g. `--rtp-ports 20000-23999`). */
  readonly extraArgs?: readonly string[];
  /** Pin the server to this core (taskset), as `--compare` does. */
  readonly core?: number;
  /** Node flags before the script (V8 GC flags, say). */
  readonly nodeArgs?: readonly string[];
  /** Log every GC pause to this file (bench/gc-watch.mjs preloaded). */
  readonly gcLogPath?: string;
  /** Added to the server's environment (what a preloaded bench module reads). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The emulator under test, in its own process. */
export interface ServerProcess {
  readonly pid: number;
  readonly sipPort: number;
  /** The banner and anything the server wrote to stderr, for error reports. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL now if still running (for the runner's exit path). */
  kill(): void;
}

/** Starts `node dist/main.js` and resolves with the SIP port of its `ready:` banner line. */
export function startServer(options: ServerOptions): Promise<ServerProcess> {
  const nodeArgs = options.profileDir ? ["--cpu-prof", "--cpu-prof-dir", options.profileDir] : [];
  nodeArgs.push(...(options.nodeArgs ?? []));
  if (options.gcLogPath) nodeArgs.push("--import", new URL("./gc-watch.mjs", import.meta.url).href);
  const [command, args] = pinnedCommand(options.core, process.execPath, [
    ...nodeArgs,
    options.mainPath,
    "--ephemeral",
    "--bind",
    "127.0.0.1",
    "--sip-port",
    "0",
    "--https-port",
    "0",
    "--stun-port",
    "off",
    "--seed",
    options.seedPath,
    "--max-connections-per-source",
    "20000",
    "--log-level",
    "warn",
    "--certs-dir",
    options.certsDir,
    ...(options.extraArgs ?? []),
  ]);
  const env = {
    ...process.env,
    ...options.env,
    ...(options.gcLogPath ? { UPE_BENCH_GC_LOG: options.gcLogPath } : {}),
  };
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  const append = (chunk: Buffer) => {
    // Keep the tail only: a warn-level log line per event must not grow without bound.
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stderr?.on("data", append);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server not ready after ${options.startTimeoutMs} ms:\n${output}`));
    }, options.startTimeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited during start (code ${code}, signal ${signal}):\n${output}`));
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      append(chunk);
      const ready = /^ready: sip=(\d+) https=(\d+)/m.exec(output);
      if (!ready || child.pid === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout?.removeAllListeners("data");
      child.stdout?.on("data", append);
      let stopping = false;
      child.once("exit", (code, signal) => {
        if (!stopping)
          console.error(`!!! the server exited unexpectedly (code ${code}, signal ${signal}):\n${output}`);
      });
      resolve({
        pid: child.pid,
        sipPort: Number(ready[1]),
        output: () => output,
        stop: (graceMs) => {
          stopping = true;
          return stopChild(child, graceMs);
        },
        kill: () => {
          stopping = true;
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        },
      });
    });
  });
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
