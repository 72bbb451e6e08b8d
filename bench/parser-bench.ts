import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Runs bench/parser.ts (the SIP message layer micro-benchmark) in its own process, with
 * the runner's loader flags (tsx), and returns what it printed. Killed after `timeoutMs`.
 */
export function runParserBench(timeoutMs: number): Promise<string> {
  const script = fileURLToPath(new URL("./parser.ts", import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    const timer = setTimeout(() => {
      out += `\n(parser benchmark killed after ${timeoutMs} ms)`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? out : `${out}\n(parser benchmark exited with code ${code})`);
    });
  });
}
