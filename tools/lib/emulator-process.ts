import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MEMORY_PROBE = fileURLToPath(new URL("./memory-probe.mjs", import.meta.url));

export interface EmulatorStartOptions {
  readonly seedPath: string;
  /** Reused across restarts so the certificates are generated once. */
  readonly certsDir: string;
  readonly adminToken: string;
  /** Run src/main.ts through tsx instead of the compiled dist/main.js. */
  readonly fromSource: boolean;
  readonly startTimeoutMs: number;
  readonly extraArgs?: readonly string[];
  /** Options for node itself, before the entry point (e.g. --import of a test hook). */
  readonly nodeArgs?: readonly string[];
}

export interface EmulatorPorts {
  readonly sip: number;
  readonly https: number;
  readonly stun: number | null;
  readonly sipTcp: number | null;
  readonly sipUdp: number | null;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface MemoryUsage {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
}

/** Tells whether the compiled build is older than the sources it was built from. */
export function staleBuildWarning(): string | undefined {
  const main = join(ROOT, "dist/main.js");
  if (!existsSync(main)) return "dist/main.js is missing: run `npm run build` first (or pass --from-source)";
  const built = statSync(main).mtimeMs;
  const app = join(ROOT, "src/app.ts");
  if (existsSync(app) && statSync(app).mtimeMs > built) {
    return "src/app.ts is newer than dist/main.js: `npm run build` to test the current sources";
  }
  return undefined;
}

/**
 * The emulator under test in its own process (127.0.0.1 only, every port chosen by the
 * kernel, data in memory), with a tap on its memory through the IPC channel.
 */
export class EmulatorProcess {
  readonly pid: number;
  readonly ports: EmulatorPorts;
  readonly ca: string;
  readonly adminToken: string;
  readonly exited: Promise<ExitInfo>;
  #child: ChildProcess;
  #output: { text: string; errorLines: string[] };
  #exit: ExitInfo | undefined;
  #stopping = false;

  private constructor(
    child: ChildProcess,
    ports: EmulatorPorts,
    ca: string,
    adminToken: string,
    output: { text: string; errorLines: string[] },
    exited: Promise<ExitInfo>,
  ) {
    this.#child = child;
    this.pid = child.pid!;
    this.ports = ports;
    this.ca = ca;
    this.adminToken = adminToken;
    this.#output = output;
    this.exited = exited.then((info) => {
      this.#exit = info;
      return info;
    });
  }

  static start(options: EmulatorStartOptions): Promise<EmulatorProcess> {
    const entry = options.fromSource
      ? ["--import", "tsx", join(ROOT, "src/main.ts")]
      : [join(ROOT, "dist/main.js")];
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        "--import",
        MEMORY_PROBE,
        ...(options.nodeArgs ?? []),
        ...entry,
        "--ephemeral",
        "--bind",
        "127.0.0.1",
        "--host",
        "127.0.0.1",
        "--sip-port",
        "0",
        "--https-port",
        "0",
        "--stun-port",
        "0",
        "--sip-udp-port",
        "0",
        "--sip-tcp-port",
        "0",
        "--certs-dir",
        options.certsDir,
        "--seed",
        options.seedPath,
        "--admin-token",
        options.adminToken,
        "--log-level",
        "warn",
        ...(options.extraArgs ?? []),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe", "ipc"] },
    );
    const output = { text: "", errorLines: [] as string[] };
    const append = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      // pino level 50+ (error, fatal): kept apart, they count as findings of interest.
      for (const line of text.split("\n")) {
        if (/"level":(5|6)\d/.test(line) && output.errorLines.length < 50) output.errorLines.push(line);
      }
      output.text = (output.text + text).slice(-30_000);
    };
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    const exited = new Promise<ExitInfo>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`emulator not ready after ${options.startTimeoutMs} ms:\n${output.text}`));
      }, options.startTimeoutMs);
      void exited.then((info) => {
        clearTimeout(timer);
        reject(new Error(`emulator exited while starting (${describeExit(info)}):\n${output.text}`));
      });
      const onData = () => {
        const ready = /^ready: sip=(\d+) https=(\d+).* stun=(\d+|off)/m.exec(output.text);
        if (!ready) return;
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        const port = (label: string) => {
          const m = new RegExp(`SIP \\(${label}\\)\\s+127\\.0\\.0\\.1:(\\d+)`).exec(output.text);
          return m ? Number(m[1]) : null;
        };
        const ports: EmulatorPorts = {
          sip: Number(ready[1]),
          https: Number(ready[2]),
          stun: ready[3] === "off" ? null : Number(ready[3]),
          sipTcp: port("TCP"),
          sipUdp: port("UDP"),
        };
        const ca = readFileSync(join(options.certsDir, "ca.pem"), "utf8");
        resolve(new EmulatorProcess(child, ports, ca, options.adminToken, output, exited));
      };
      child.stdout!.on("data", onData);
    });
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** Set once the process is gone. */
  get exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  /** True when the exit was ours (stop/kill), not a crash. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The tail of stdout+stderr. */
  output(): string {
    return this.#output.text;
  }

  /** Log lines at level error or fatal (at most 50 kept). */
  errorLines(): readonly string[] {
    return this.#output.errorLines;
  }

  /** process.memoryUsage() of the emulator (after a full GC when `gc`), or undefined on timeout. */
  memory(gc: boolean, timeoutMs = 5000): Promise<MemoryUsage | undefined> {
    const child = this.#child;
    if (!this.alive || !child.connected) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onMessage = (message: unknown) => {
        if (typeof message !== "object" || message === null || !("memory" in message)) return;
        finish(message.memory as MemoryUsage);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (value: MemoryUsage | undefined) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(value);
      };
      child.on("message", onMessage);
      child.send(gc ? "memory-gc" : "memory", (error) => {
        if (error) finish(undefined);
      });
    });
  }

  /** SIGTERM, SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 8000): Promise<ExitInfo> {
    this.#stopping = true;
    if (this.alive) {
      const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
      this.#child.kill("SIGTERM");
      await this.exited;
      clearTimeout(timer);
    }
    return this.exited;
  }

  kill(): void {
    this.#stopping = true;
    if (this.alive) this.#child.kill("SIGKILL");
  }
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}
