import { fork } from "node:child_process";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

/** One REST load phase: the same request from `concurrency` workers, bounded by time and count. */
export interface RestLoadSpec {
  /** https://127.0.0.1:<port> */
  readonly origin: string;
  /** the emulator's CA (PEM) */
  readonly ca: string;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body; every "{n}" becomes the request's sequence number (distinct systemIds) */
  readonly bodyTemplate?: string;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly maxRequests: number;
}

export interface RestLoadResult {
  readonly requests: number;
  /** answers other than 2xx, plus requests that got no answer */
  readonly failures: number;
  /** answers by status code ("error" for no answer) */
  readonly statuses: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Runs a phase in its own process (bench/rest-load-process), so the load generator's CPU
 * does not count against the emulator's and the emulator's event loop is not shared.
 */
export function runRestLoad(spec: RestLoadSpec): Promise<RestLoadResult> {
  const here = fileURLToPath(import.meta.url);
  // Under tsx this file is .ts (and fork keeps tsx's loader in execArgv); compiled, it is .js.
  const entry = here.replace(/rest-load(\.[cm]?[jt]s)$/, `rest-load-process${extname(here)}`);
  const child = fork(entry, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => child.kill("SIGKILL"), spec.durationMs + 60_000);
    child.once("message", (result) => {
      clearTimeout(limit);
      child.disconnect();
      resolve(result as RestLoadResult);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(limit);
      reject(new Error(`the load process ended without a result (code ${code}, signal ${signal})`));
    });
    child.send(spec);
  });
}
