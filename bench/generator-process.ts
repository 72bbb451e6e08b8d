import { type ChildProcess, fork } from "node:child_process";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type {
  GeneratorEvent,
  PhaseResult,
  PhaseSpec,
  PhaseTiming,
  RunnerCommand,
} from "./generator-protocol.js";

type OpenCommand = Extract<RunnerCommand, { type: "open" }>;

/** Slack on top of a phase's own bounds before the runner gives up on the generator. */
const COMMAND_SLACK_MS = 30_000;

/**
 * The runner's handle on one load-generator process (bench/load-generator.ts, forked with
 * the runner's own loader flags so it also runs from TypeScript under tsx). One command at
 * a time; `mark` events are passed to the phase's callback as they arrive.
 */
export class GeneratorProcess {
  private readonly child: ChildProcess;
  private waiter:
    | { type: GeneratorEvent["type"]; resolve: (e: GeneratorEvent) => void; reject: (e: Error) => void }
    | undefined;
  private onMark: (at: "start" | "end") => void = () => {};
  private exited = false;

  constructor() {
    const self = fileURLToPath(import.meta.url);
    const entry = new URL(`./load-generator${extname(self)}`, import.meta.url);
    this.child = fork(fileURLToPath(entry), [], { execArgv: process.execArgv, stdio: "inherit" });
    this.child.on("message", (event: GeneratorEvent) => this.onEvent(event));
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.waiter?.reject(new Error(`load generator exited (code ${code}, signal ${signal})`));
      this.waiter = undefined;
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  async open(cmd: Omit<OpenCommand, "type">): Promise<number> {
    const event = await this.command({ type: "open", ...cmd }, "opened", 120_000);
    return event.type === "opened" ? event.connections : 0;
  }

  async phase(
    spec: PhaseSpec,
    timing: PhaseTiming,
    onMark: (at: "start" | "end") => void,
  ): Promise<PhaseResult> {
    this.onMark = onMark;
    const limit = timing.warmupMs + timing.measureMs + COMMAND_SLACK_MS;
    const event = await this.command({ type: "phase", spec, timing }, "result", limit);
    if (event.type !== "result") throw new Error("unexpected generator event");
    return event.result;
  }

  async release(): Promise<{ held: number; lost: number }> {
    const event = await this.command({ type: "release" }, "released", 30_000);
    return event.type === "released" ? { held: event.held, lost: event.lost } : { held: 0, lost: 0 };
  }

  /** Asks the generator to exit; kills it if it has not after `graceMs`. */
  exit(graceMs = 5000): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.kill(), graceMs);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.send({ type: "exit" } satisfies RunnerCommand);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }

  private command(
    cmd: RunnerCommand,
    expect: GeneratorEvent["type"],
    timeoutMs: number,
  ): Promise<GeneratorEvent> {
    if (this.exited) return Promise.reject(new Error("load generator is not running"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`load generator: no "${expect}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        type: expect,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.child.send(cmd);
    });
  }

  private onEvent(event: GeneratorEvent): void {
    if (event.type === "mark") {
      this.onMark(event.at);
      return;
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    if (event.type === "error") waiter?.reject(new Error(`load generator: ${event.message}`));
    else if (waiter?.type === event.type) waiter.resolve(event);
    else waiter?.reject(new Error(`load generator: expected "${waiter.type}", got "${event.type}"`));
  }
}
