import { spawn } from "node:child_process";
import path from "node:path";

const ENTRY = path.join(import.meta.dirname, "mock-osbiz-cli-entry.ts");

/**
 * `unify-phone-emulator mock-osbiz` from source in a child process, its stdout collected line
 * by line; the caller kills `proc` after the test.
 */
export function startMockCli(args: string[]) {
  const proc = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], { stdio: "pipe" });
  const out: string[] = [];
  let err = "";
  let buffered = "";
  const waiters = new Set<() => void>();
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    out.push(...parts);
    for (const wake of waiters) wake();
  });
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return {
    proc,
    out,
    stderr: () => err,
    exited,
    send: (line: string) => proc.stdin.write(`${line}\n`),
    /** Resolves with the first line matching `pattern`. */
    line: (pattern: RegExp) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const found = out.find((l) => pattern.test(l));
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
        void exited.then(() => {
          check();
          reject(new Error(`exited before printing ${pattern}:\n${out.join("\n")}\n${err}`));
        });
      }),
  };
}
