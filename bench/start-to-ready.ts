/**
 * `npx tsx bench/start-to-ready.ts [runs]` (issue 16 "keep" goal: < 1 s): spawns
 * `node dist/main.js --ephemeral` with every port chosen by the kernel, `runs` times in turn,
 * and prints the time from spawn to its `ready:` banner line (median, min–max). `npx` adds
 * about a second of its own on top; suites skip it as the README says.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCpuSeconds } from "./proc-stats.js";

const runs = Math.min(20, Math.max(1, Number(process.argv[2] ?? 5) || 5));
const mainPath = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (!existsSync(mainPath)) throw new Error(`${mainPath} missing: run \`npm run build\` first`);

/** Wall-clock ms from spawn to `ready:`, and the CPU ms the process had used by then. */
function once(certsDir: string): Promise<{ ms: number; cpuMs: number }> {
  const started = performance.now();
  const args = [mainPath, "--ephemeral", "--bind", "127.0.0.1", "--sip-port", "0", "--https-port", "0"];
  const child = spawn(process.execPath, [...args, "--stun-port", "off", "--certs-dir", certsDir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`not ready after 30 s:\n${out}`));
    }, 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (!/^ready: /m.test(out)) return;
      const ms = performance.now() - started;
      const cpuMs = child.pid ? readCpuSeconds(child.pid) * 1000 : Number.NaN;
      clearTimeout(timer);
      child.once("exit", () => resolve({ ms, cpuMs }));
      child.kill("SIGTERM");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    child.once("error", reject);
  });
}

const work = mkdtempSync(join(tmpdir(), "upe-bench-ready-"));
try {
  const certsDir = join(work, "certs");
  await once(certsDir); // the first start makes the certificates; later ones reuse them
  const results: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < runs; i++) results.push(await once(certsDir));
  const spread = (xs: number[]) => {
    xs.sort((a, b) => a - b);
    return `median ${xs[Math.floor(xs.length / 2)]!.toFixed(0)} ms (${xs[0]!.toFixed(0)}–${xs.at(-1)!.toFixed(0)})`;
  };
  console.log(
    `start to ready (node dist/main.js --ephemeral, ${runs} runs): ${spread(results.map((r) => r.ms))}; goal < 1000 ms`,
  );
  console.log(
    `CPU used by then: ${spread(results.map((r) => r.cpuMs))} (holds better than wall time on a busy machine)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
