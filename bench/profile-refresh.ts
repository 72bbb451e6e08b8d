/**
 * `npx tsx bench/profile-refresh.ts [seconds] [full]`: profiles the emulator (`--cpu-prof`)
 * while only digest refreshes run (after a short full-flow phase that gets the nonces), or
 * only full flows (REGISTER → 401 → REGISTER → 200) with `full`, and prints the top
 * self-time functions.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatHotSpots, newestProfile, topSelfTime } from "./cpu-profile-report.js";
import { GeneratorProcess } from "./generator-process.js";
import { readCpuSeconds } from "./proc-stats.js";
import { writeBenchSeed } from "./seed-file.js";
import { startServer } from "./server-process.js";

const seconds = Math.min(60, Math.max(1, Number(process.argv[2] ?? 10) || 10));
const kind = process.argv[3] === "full" ? "digest-full" : "digest-refresh";
const mainPath = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (!existsSync(mainPath)) throw new Error(`${mainPath} missing: run \`npm run build\` first`);
const work = mkdtempSync(join(tmpdir(), "upe-bench-profile-"));
const profileDir = join(work, "profile");
const secret = randomBytes(6).toString("hex");
const open = { secret, digestTrunks: 4096, plainTrunks: 16 };
const server = await startServer({
  mainPath,
  seedPath: writeBenchSeed(work, open),
  certsDir: join(work, "certs"),
  profileDir,
  startTimeoutMs: 120_000,
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
    },
  );
  const what = kind === "digest-full" ? "full flow" : "refresh";
  console.log(`${what}: ${result.ops} ops, ${((cpu * 1e6) / result.ops).toFixed(1)} µs CPU per ${what}`);
  await gen.exit();
  const total = readCpuSeconds(server.pid);
  await server.stop(20_000);
  const profile = newestProfile(profileDir);
  if (profile) console.log(formatHotSpots(topSelfTime(profile, 40), total));
} finally {
  gen.kill();
  server.kill();
  if (process.env.KEEP_PROFILE === undefined) rmSync(work, { recursive: true, force: true });
  else console.log(`profile kept in ${profileDir}`);
}
