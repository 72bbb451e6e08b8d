import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { until } from "../../support/until.js";

/** Longest a peer may run, in seconds: longer than any interop test file. */
const MAX_LIFETIME_S = 300;

/** A spawned peer whose stdout+stderr are collected, for waiting on lines and for failure messages. */
export class Peer {
  readonly child: ChildProcess;
  /** The peer's config/scratch folder, removed once it has stopped. */
  private readonly scratchDir: string | undefined;
  output = "";

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; scratchDir?: string } = {},
  ) {
    this.scratchDir = options.scratchDir;
    // coreutils timeout bounds the peer's life even if this test process dies without
    // stopping it (it passes our SIGTERM on to the peer).
    this.child = spawn("timeout", ["-k", "5", String(MAX_LIFETIME_S), command, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString("utf8");
      // bounded: keep the last 2 MB for diagnostics
      if (this.output.length > 2_000_000) this.output = this.output.slice(-1_000_000);
    };
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
    this.child.stdin?.on("error", () => {});
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Offset into the output, to wait for something that happens after now. */
  mark(): number {
    return this.output.length;
  }

  /** Waits until the output after `from` matches `pattern`; returns the match. */
  async waitFor(pattern: RegExp, what: string, limitMs = 15_000, from = 0): Promise<RegExpMatchArray> {
    let match: RegExpMatchArray | null = null;
    await until(
      () => {
        match = this.output.slice(from).match(pattern);
        return match !== null || this.exited;
      },
      () => `${this.name}: ${what}\n--- ${this.name} output (tail) ---\n${this.tail()}`,
      limitMs,
    );
    if (!match) throw new Error(`${this.name} exited before ${what}\n${this.tail()}`);
    return match;
  }

  tail(chars = 6_000): string {
    return this.output.slice(-chars);
  }

  /** SIGTERM, then SIGKILL if still alive after `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await gone;
      clearTimeout(timer);
    }
    if (this.scratchDir) rmSync(this.scratchDir, { recursive: true, force: true });
  }
}
