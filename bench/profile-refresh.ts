/**
 * `npx tsx bench/profile-refresh.ts [seconds] [full] [--alloc]`: profiles the emulator
 * (`--cpu-prof`) while only digest refreshes run (after a short full-flow phase that gets the
 * nonces), or only full flows (REGISTER → 401 → REGISTER → 200) with `full`, and prints the
 * top self-time functions. With `--alloc`, what each function allocates per operation
 * instead (V8's sampling heap profiler over the measured window, bench/alloc-sampler.mjs):
 * the garbage that sets how often the GC pauses.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatAllocations, readSamplingProfile, topAllocations } from "./alloc-profile-report.js";
import { formatHotSpots, newestProfile, topSelfTime } from "./cpu-profile-report.js";
import { GeneratorProcess } from "./generator-process.js";
import { readCpuSeconds } from "./proc-stats.js";
import { writeBenchSeed } from "./seed-file.js";
import { startServer } from "./server-process.js";

const args = process.argv.slice(2).filter((a) => a !== "--alloc");
const alloc = args.length < process.argv.length - 2;
const seconds = Math.min(60, Math.max(1, Number(args[0] ?? 10) || 10));
const kind = args[1] === "full" ? "digest-full" : "digest-refresh";
const mainPath = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (!existsSync(mainPath)) throw new Error(`${mainPath} missing: run \`npm run build\` first`);
const work = mkdtempSync(join(tmpdir(), "upe-bench-profile-"));
const profileDir = join(work, "profile");
const allocPath = join(work, "alloc.heapprofile");
const secret = randomBytes(6).toString("hex");
const open = { secret, digestTrunks: 4096, plainTrunks: 16 };
const server = await startServer({
  mainPath,
  seedPath: writeBenchSeed(work, open),
  certsDir: join(work, "certs"),
  ...(alloc
    ? { nodeArgs: ["--import", new URL("./alloc-sampler.mjs", import.meta.url).href] }
    : { profileDir }),
  startTimeoutMs: 120_000,
  ...(alloc ? { env: { UPE_BENCH_ALLOC_PROFILE: allocPath } } : {}),
});
const gen = new GeneratorProcess();
try {
  await gen.open({ port: server.sipPort, connections: 16, ...open });
  const timing = { warmupMs: 500, measureMs: 2000, maxOps: 5_000_000 };
  await gen.phase({ kind: "digest-full", windowPerConnection: 16 }, timing, () => {});
  let cpu = 0;
  const result = await gen.phase(
    { kind, windowPerConnection: 16 },
    { ...timing, measureMs: seconds * 1000 },
    (at) => {
      cpu = at === "start" ? readCpuSeconds(server.pid) : readCpuSeconds(server.pid) - cpu;
      // The sampler starts and stops with the measured window (bench/alloc-sampler.mjs).
      if (alloc) process.kill(server.pid, "SIGUSR2");
    },
  );
  const what = kind === "digest-full" ? "full flow" : "refresh";
  console.log(`${what}: ${result.ops} ops, ${((cpu * 1e6) / result.ops).toFixed(1)} µs CPU per ${what}`);
  await gen.exit();
  const total = readCpuSeconds(server.pid);
  if (alloc) {
    await waitForFile(allocPath, 20_000);
    console.log(formatAllocations(topAllocations(readSamplingProfile(allocPath), result.ops, 40), what));
  }
  await server.stop(20_000);
  const profile = alloc ? undefined : newestProfile(profileDir);
  if (profile) console.log(formatHotSpots(topSelfTime(profile, 40), total));
} finally {
  gen.kill();
  server.kill();
  if (process.env.KEEP_PROFILE === undefined) rmSync(work, { recursive: true, force: true });
  else console.log(`profile kept in ${alloc ? allocPath : profileDir}`);
}

async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`no allocation profile after ${timeoutMs} ms: ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
