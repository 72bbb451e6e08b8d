/**
 * `npm run bench -- --compare kamailio` (issue 16): the emulator and Debian's Kamailio as
 * TLS registrars with digest auth for the same trunks, each pinned to the same core, driven
 * in turn by the same closed-loop load generator (pinned to another core). Prints server CPU
 * µs per registration for both and the ratio, for the full digest flow and for the refresh
 * reusing the nonce, and the p99 of a refresh paced at half of each server's saturated rate.
 * CPU time per operation, not wall-clock rate, is the figure: it holds on a shared machine.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { formatHotSpots, newestProfile, topSelfTime } from "./cpu-profile-report.js";
import { formatGcPauses, type GcPauses, readGcPauses } from "./gc-pauses.js";
import { GeneratorProcess } from "./generator-process.js";
import { failureTotal, type PhaseResult, type PhaseSpec, type PhaseTiming } from "./generator-protocol.js";
import {
  type FloorProcess,
  KAMAILIO_INSTALL_HINT,
  type KamailioProcess,
  kamailioModules,
  startKamailio,
  startTlsFloor,
} from "./kamailio-process.js";
import { describeFailures, int } from "./phase-report.js";
import { hasTaskset, pinProcess, serverCore } from "./pin.js";
import { readCpuSeconds } from "./proc-stats.js";
import { writeBenchSeed } from "./seed-file.js";
import { type ServerProcess, startServer } from "./server-process.js";

export interface CompareOptions {
  readonly mainPath: string;
  readonly seconds: number;
  readonly connections: number;
  readonly window: number;
  readonly rounds: number;
  readonly profile: boolean;
}

interface Target {
  readonly name: "kamailio" | "emulator" | "floor";
  readonly port: number;
  cpuSeconds(): number;
  /** GC pauses between two epoch times, for a Node server that logs them. */
  gcPauses?(fromMs: number, toMs: number): GcPauses;
}

/** One server's figures in one round. */
interface Measured {
  readonly fullUs: number;
  readonly refreshUs: number;
  readonly fullRate: number;
  readonly refreshRate: number;
  readonly pacedRate: number;
  readonly pacedP50Ms: number;
  readonly pacedP99Ms: number;
  readonly pacedMaxMs: number;
  readonly pacedUs: number;
  /** The emulator's GC pauses during the paced phase (undefined for the other servers). */
  readonly pacedGc: GcPauses | undefined;
  readonly failures: number;
}

const WARMUP_MS = 1000;
const WARMUP_PHASE_MS = 4000;

/** Runs one phase and returns its result with the target's CPU over the measured window. */
async function measure(
  gen: GeneratorProcess,
  target: Target,
  spec: PhaseSpec,
  timing: PhaseTiming,
): Promise<{ result: PhaseResult; cpuSeconds: number; gc: GcPauses | undefined }> {
  let start = 0;
  let end = 0;
  let startedAt = 0;
  let endedAt = 0;
  const result = await gen.phase(spec, timing, (at) => {
    if (at === "start") {
      start = target.cpuSeconds();
      startedAt = Date.now();
    } else {
      end = target.cpuSeconds();
      endedAt = Date.now();
    }
  });
  if (failureTotal(result.failures) > 0)
    console.log(`   !!! ${target.name} ${spec.kind}: ${describeFailures(result.failures)}`);
  // gc-watch.mjs writes its lines every 500 ms: wait for the window's last ones.
  if (target.gcPauses) await new Promise((r) => setTimeout(r, 700));
  return { result, cpuSeconds: end - start, gc: target.gcPauses?.(startedAt, endedAt) };
}

const perOpUs = (m: { result: PhaseResult; cpuSeconds: number }): number =>
  m.result.ops > 0 ? (m.cpuSeconds * 1e6) / m.result.ops : Number.NaN;
const rate = (r: PhaseResult): number => (r.seconds > 0 ? r.ops / r.seconds : 0);

async function runTarget(
  target: Target,
  o: CompareOptions,
  open: { secret: string; digestTrunks: number; plainTrunks: number },
  children: Set<{ kill(): void }>,
): Promise<Measured> {
  const gen = new GeneratorProcess();
  children.add(gen);
  try {
    if (cpus().length > 1) pinProcess(gen.pid, 0);
    await gen.open({ port: target.port, connections: o.connections, ...open });
    const timing: PhaseTiming = { warmupMs: WARMUP_MS, measureMs: o.seconds * 1000, maxOps: 5_000_000 };
    const full = await measure(gen, target, { kind: "digest-full", windowPerConnection: o.window }, timing);
    const refresh = await measure(
      gen,
      target,
      { kind: "digest-refresh", windowPerConnection: o.window },
      timing,
    );
    const half = Math.max(100, Math.round(rate(refresh.result) / 2));
    const paced = await measure(gen, target, { kind: "digest-refresh-paced", ratePerSecond: half }, timing);
    const m: Measured = {
      fullUs: perOpUs(full),
      refreshUs: perOpUs(refresh),
      fullRate: rate(full.result),
      refreshRate: rate(refresh.result),
      pacedRate: rate(paced.result),
      pacedP50Ms: paced.result.p50Ms,
      pacedP99Ms: paced.result.p99Ms,
      pacedMaxMs: paced.result.maxMs,
      pacedUs: perOpUs(paced),
      pacedGc: paced.gc,
      failures: [full, refresh, paced].reduce((n, x) => n + failureTotal(x.result.failures), 0),
    };
    console.log(
      `   ${target.name.padEnd(8)}  full ${m.fullUs.toFixed(1).padStart(6)} µs/reg (${int(m.fullRate)}/s)   refresh ${m.refreshUs.toFixed(1).padStart(6)} µs/reg (${int(m.refreshRate)}/s)   paced ${int(m.pacedRate)}/s ${m.pacedUs.toFixed(1)} µs/reg p50/p99/max ${m.pacedP50Ms.toFixed(2)}/${m.pacedP99Ms.toFixed(2)}/${m.pacedMaxMs.toFixed(1)} ms`,
    );
    if (m.pacedGc) console.log(`             paced: ${formatGcPauses(m.pacedGc, paced.result.seconds)}`);
    await gen.exit();
    return m;
  } finally {
    gen.kill();
    children.delete(gen);
  }
}

/** Full flow then refresh, `WARMUP_PHASE_MS` each, nothing kept: the JIT has the hot path compiled after it. */
async function warmUp(
  target: Target,
  o: CompareOptions,
  open: { secret: string; digestTrunks: number; plainTrunks: number },
  children: Set<{ kill(): void }>,
): Promise<void> {
  const gen = new GeneratorProcess();
  children.add(gen);
  try {
    if (cpus().length > 1) pinProcess(gen.pid, 0);
    await gen.open({ port: target.port, connections: o.connections, ...open });
    const timing: PhaseTiming = { warmupMs: 0, measureMs: WARMUP_PHASE_MS, maxOps: 5_000_000 };
    for (const kind of ["digest-full", "digest-refresh"] as const)
      await gen.phase({ kind, windowPerConnection: o.window }, timing, () => {});
    await gen.exit();
  } finally {
    gen.kill();
    children.delete(gen);
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: readonly number[], digits: number): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

function formatTable(rounds: readonly { k: Measured; e: Measured; f: Measured }[]): string {
  const rows: [string, (m: Measured) => number, number][] = [
    ["full digest flow, CPU µs per registration", (m) => m.fullUs, 1],
    ["refresh (nonce reused, nc+1), CPU µs per registration", (m) => m.refreshUs, 1],
    ["refresh p50 at half of saturation, ms", (m) => m.pacedP50Ms, 2],
    ["refresh p99 at half of saturation, ms", (m) => m.pacedP99Ms, 2],
    ["refresh max at half of saturation, ms", (m) => m.pacedMaxMs, 1],
  ];
  const lines = [
    `${"workload".padEnd(54)}  ${"kamailio".padStart(20)}  ${"emulator".padStart(20)}  ${"ratio".padStart(18)}`,
  ];
  for (const [label, pick, digits] of rows) {
    const k = rounds.map((r) => pick(r.k));
    const e = rounds.map((r) => pick(r.e));
    const ratios = rounds.map((r) => pick(r.e) / pick(r.k));
    lines.push(
      `${label.padEnd(54)}  ${spread(k, digits).padStart(20)}  ${spread(e, digits).padStart(20)}  ${spread(ratios, 2).padStart(18)}`,
    );
  }
  const f = (pick: (m: Measured) => number) =>
    spread(
      rounds.map((r) => pick(r.f)),
      1,
    );
  const above = (pick: (m: Measured) => number) =>
    spread(
      rounds.map((r) => pick(r.e) - pick(r.f)),
      1,
    );
  lines.push(
    "(median of the rounds, min–max in brackets; ratio = emulator / kamailio per round)",
    `floor: bare Node TLS answering with fixed text (bench/tls-floor-server.ts): full ${f((m) => m.fullUs)} µs, refresh ${f((m) => m.refreshUs)} µs;`,
    `       the emulator spends above it: full ${above((m) => m.fullUs)} µs, refresh ${above((m) => m.refreshUs)} µs`,
  );
  return lines.join("\n");
}

export async function runCompareKamailio(
  o: CompareOptions,
  children: Set<{ kill(): void }>,
): Promise<boolean> {
  const modules = kamailioModules();
  if (!modules) {
    console.error(KAMAILIO_INSTALL_HINT);
    return false;
  }
  const core = cpus().length > 1 ? serverCore(cpus().length) : undefined;
  console.log(
    `emulator vs kamailio as TLS digest registrars — node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${cpus().length}, load average ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(
    hasTaskset && core !== undefined
      ? `both servers pinned to core ${core} (taskset), the load generator to core 0`
      : "servers NOT pinned to a core (taskset missing or one core only): CPU per operation still holds, rates do not",
  );
  console.log(
    `${o.connections} TLS connections × ${o.window} in flight (closed loop), ${o.seconds} s measured per phase, ${o.rounds} rounds, order alternating`,
  );
  // The emulator process inherits the environment: UPE_REGISTER_SHORTCUT=off measures the full path.
  console.log(`emulator's refresh shortcut (docs/sip.md): ${process.env.UPE_REGISTER_SHORTCUT ?? "on"}\n`);
  const secret = randomBytes(6).toString("hex");
  const digestTrunks = Math.max(4096, o.connections * o.window * 4);
  const open = { secret, digestTrunks, plainTrunks: o.connections };
  const work = mkdtempSync(join(tmpdir(), "upe-bench-compare-"));
  const profileDir = o.profile ? join(work, "profile") : undefined;
  let server: ServerProcess | undefined;
  let kamailio: KamailioProcess | undefined;
  let floor: FloorProcess | undefined;
  try {
    const seedPath = writeBenchSeed(work, { digestTrunks, plainTrunks: o.connections, secret });
    const gcLogPath = join(work, "gc.log");
    server = await startServer({
      gcLogPath,
      mainPath: o.mainPath,
      seedPath,
      certsDir: join(work, "certs"),
      startTimeoutMs: 120_000,
      ...(core === undefined ? {} : { core }),
      ...(profileDir ? { profileDir } : {}),
    });
    children.add(server);
    const kamDir = join(work, "kamailio");
    mkdirSync(kamDir);
    kamailio = await startKamailio({ dir: kamDir, modules, secret, core, startTimeoutMs: 20_000 });
    children.add(kamailio);
    floor = await startTlsFloor({ dir: kamDir, core, startTimeoutMs: 20_000 });
    children.add(floor);
    const floorPid = floor.pid;
    const emulatorPid = server.pid;
    const targets: Record<Target["name"], Target> = {
      kamailio: { name: "kamailio", port: kamailio.port, cpuSeconds: () => kamailio?.cpuSeconds() ?? 0 },
      emulator: {
        name: "emulator",
        port: server.sipPort,
        cpuSeconds: () => readCpuSeconds(emulatorPid),
        gcPauses: (from, to) => readGcPauses(gcLogPath, from, to),
      },
      floor: { name: "floor", port: floor.port, cpuSeconds: () => readCpuSeconds(floorPid) },
    };
    // V8 compiles the hot path while the first phases run (on its own threads, counted as the
    // process's CPU); on a busy core that takes longer than one phase's warm-up and the first
    // round's emulator figures came out 2–3× too high. Kamailio is compiled ahead of time.
    console.log("── warm-up of the Node servers (not measured)");
    for (const name of ["emulator", "floor"] as const) await warmUp(targets[name], o, open, children);
    const rounds: { k: Measured; e: Measured; f: Measured }[] = [];
    let failures = 0;
    for (let round = 1; round <= o.rounds; round++) {
      console.log(`── round ${round}`);
      const order: Target["name"][] =
        round % 2 === 1 ? ["kamailio", "emulator", "floor"] : ["floor", "emulator", "kamailio"];
      const got: Partial<Record<Target["name"], Measured>> = {};
      for (const name of order) got[name] = await runTarget(targets[name], o, open, children);
      const k = got.kamailio!;
      const e = got.emulator!;
      const f = got.floor!;
      failures += k.failures + e.failures + f.failures;
      console.log(
        `   ratio     full ${(e.fullUs / k.fullUs).toFixed(2)}   refresh ${(e.refreshUs / k.refreshUs).toFixed(2)}\n`,
      );
      rounds.push({ k, e, f });
    }
    console.log(
      `── summary (server CPU per registration, each server pinned to one core)\n${formatTable(rounds)}`,
    );
    console.log(
      "goals (issue 16): refresh ratio ≤ 1.5, full-flow ratio ≤ 1.8, emulator p99 < 10 ms at half saturation",
    );
    const emulatorCpuSeconds = readCpuSeconds(emulatorPid);
    await server.stop(20_000);
    if (profileDir) {
      const profile = newestProfile(profileDir);
      const table = profile
        ? formatHotSpots(topSelfTime(profile, 25), emulatorCpuSeconds)
        : "no .cpuprofile written";
      console.log(`\n── emulator CPU profile (whole run): ${profile ?? ""}\n${table}`);
    }
    if (failures > 0) console.log(`\n!!!!!!!!!!!! ${failures} failed operations: see above !!!!!!!!!!!!`);
    return failures === 0;
  } finally {
    if (floor) {
      floor.kill();
      children.delete(floor);
    }
    if (kamailio) {
      await kamailio.stop(3000);
      children.delete(kamailio);
    }
    if (server) {
      server.kill();
      children.delete(server);
    }
    rmSync(work, { recursive: true, force: true });
  }
}
