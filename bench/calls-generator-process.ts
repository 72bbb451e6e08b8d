import { type ChildProcess, fork } from "node:child_process";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { CallsCommand, CallsEvent } from "./calls-protocol.js";

type Answer<T extends CallsEvent["type"]> = Extract<CallsEvent, { type: T }>;

/**
 * The runner's handle on the call generator (bench/calls-generator.ts, forked with the
 * runner's loader flags so it also runs from TypeScript under tsx). One command at a time;
 * `mark` events go to the command's callback as they arrive.
 */
export class CallsGenerator {
  private readonly child: ChildProcess;
  private waiter: ((event: CallsEvent | Error) => void) | undefined;
  private onMark: (at: "start" | "end") => void = () => {};
  private exited = false;

  constructor() {
    const self = fileURLToPath(import.meta.url);
    const entry = self.replace(/calls-generator-process(\.[cm]?[jt]s)$/, `calls-generator${extname(self)}`);
    this.child = fork(entry, [], { execArgv: process.execArgv, stdio: "inherit" });
    this.child.on("message", (event: CallsEvent) => {
      if (event.type === "mark") this.onMark(event.at);
      else this.waiter?.(event);
    });
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      this.waiter?.(new Error(`call generator exited (code ${code}, signal ${signal})`));
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Sends `cmd` and resolves with the generator's `expect` answer, or rejects after `timeoutMs`. */
  command<T extends CallsEvent["type"]>(
    cmd: CallsCommand,
    expect: T,
    timeoutMs: number,
    onMark: (at: "start" | "end") => void = () => {},
  ): Promise<Answer<T>> {
    if (this.exited) return Promise.reject(new Error("call generator is not running"));
    this.onMark = onMark;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`call generator: no "${expect}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (event) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (event instanceof Error) reject(event);
        else if (event.type === "error") reject(new Error(`call generator: ${event.message}`));
        else if (event.type === expect) resolve(event as Answer<T>);
        else reject(new Error(`call generator: expected "${expect}", got "${event.type}"`));
      };
      this.child.send(cmd);
    });
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
      this.child.send({ type: "exit" } satisfies CallsCommand);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}
