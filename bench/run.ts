/**
 * `npm run bench` (issue 2 §14): starts the compiled emulator in its own process, drives
 * it from separate load-generator processes over TLS on 127.0.0.1, and prints per phase
 * throughput, latency and server CPU per operation, then a table against the goals.
 * Every phase is bounded by time and by count; the whole run takes 1.5–2.5 minutes.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { runAnchoredCalls } from "./anchored-calls.js";
import { type BenchOptions, BenchUsageError, parseBenchOptions, USAGE } from "./bench-options.js";
import { run as runCalls } from "./calls-bench.js";
import { runCompareKamailio } from "./compare-kamailio.js";
import { formatHotSpots, newestProfile, topSelfTime } from "./cpu-profile-report.js";
import { GeneratorProcess } from "./generator-process.js";
import { failureTotal, type PhaseSpec, type PhaseTiming } from "./generator-protocol.js";
import { goalRows, type MeasuredPhases } from "./goals.js";
import { run as runImportRest } from "./import-rest.js";
import { runParserBench } from "./parser-bench.js";
import { formatPhase, int, opsPerSecond, type PhaseReport } from "./phase-report.js";
import { openFilesLimit, readCpuSeconds, readMachineCpu, readRssBytes } from "./proc-stats.js";
import { writeBenchSeed } from "./seed-file.js";
import { type ServerProcess, startServer } from "./server-process.js";
import { formatSummary } from "./summary.js";

const MB = 1024 * 1024;
const WARMUP_MS = 1500;
/** Connections per phase (c): each leaves a TIME_WAIT entry, and ephemeral ports are ~28,000. */
const MAX_CONNECT_OPS = 12_000;
/** File descriptors kept free for everything but the idle connections. */
const FD_RESERVE = 200;
const IDLE_PARALLEL = 64;

/** Every process we started, killed on any way out so none is left behind. */
const children = new Set<{ kill(): void }>();
const killChildren = (): void => {
  for (const child of children) child.kill();
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Context {
  readonly options: BenchOptions;
  readonly server: ServerProcess;
  readonly open: { port: number; secret: string; digestTrunks: number; plainTrunks: number };
  readonly timing: PhaseTiming;
  readonly m: Mutable<MeasuredPhases>;
  lostIdle: number;
}

/** Runs one phase, sampling server and machine CPU when the generator opens and closes its window. */
async function measure(
  gen: GeneratorProcess,
  server: ServerProcess,
  phase: { title: string; setup: string; spec: PhaseSpec; timing: PhaseTiming },
): Promise<PhaseReport> {
  let cpuStart = 0;
  let cpuEnd = 0;
  let machineStart = readMachineCpu();
  let machineEnd = machineStart;
  const result = await gen.phase(phase.spec, phase.timing, (at) => {
    if (at === "start") {
      cpuStart = readCpuSeconds(server.pid);
      machineStart = readMachineCpu();
    } else {
      cpuEnd = readCpuSeconds(server.pid);
      machineEnd = readMachineCpu();
    }
  });
  const report: PhaseReport = {
    title: phase.title,
    setup: phase.setup,
    result,
    serverCpuSeconds: cpuEnd - cpuStart,
    machineBusySeconds: machineEnd.busySeconds - machineStart.busySeconds,
    stealSeconds: machineEnd.stealSeconds - machineStart.stealSeconds,
  };
  console.log(`${formatPhase(report)}\n`);
  return report;
}

/** (d): opens, registers and holds the idle connections, samples RSS, then releases them. */
async function idlePhase(c: Context, gen: GeneratorProcess, idleCount: number): Promise<void> {
  const rssBeforeBytes = readRssBytes(c.server.pid);
  const idle = await measure(gen, c.server, {
    title: `(d) idle: open ${int(idleCount)} TLS connections, digest-register one trunk on each, keep them; op = one connection`,
    setup: `${IDLE_PARALLEL} connecting in parallel`,
    spec: { kind: "idle", connections: idleCount, parallel: IDLE_PARALLEL },
    timing: { warmupMs: 0, measureMs: 60_000, maxOps: idleCount },
  });
  // RSS settles after the burst (GC, freed handshake buffers): keep the last of a few samples.
  let rssBytes = 0;
  for (let i = 0; i < 3; i++) {
    await sleep(1000);
    rssBytes = readRssBytes(c.server.pid);
  }
  const { held, lost } = await gen.release();
  c.lostIdle = lost;
  const perConnection = held > 0 ? `${((rssBytes - rssBeforeBytes) / held / 1024).toFixed(1)} KB` : "-";
  console.log(
    `   server RSS      ${(rssBeforeBytes / MB).toFixed(0)} MB before → ${(rssBytes / MB).toFixed(0)} MB with ${int(held)} idle registered connections (${perConnection} per connection)`,
  );
  if (c.lostIdle > 0)
    console.log(`   !!!!!!!!!!!! ${c.lostIdle} held connections were closed by the server !!!!!!!!!!!!`);
  console.log("");
  c.m.idleReport = idle;
  c.m.idle = { connections: held, rssBytes, rssBeforeBytes };
  // Let the server see the closes before the next phase.
  await sleep(1000);
}

/**
 * (d) first, on a freshly started server, so "RSS before" is a clean baseline; then (c).
 * Their own generator process: (d) holds thousands of sockets.
 */
async function connectionPhases(c: Context, idleCount: number): Promise<void> {
  const { phases } = c.options;
  if (!phases.has("c") && !phases.has("d")) return;
  const gen = new GeneratorProcess();
  children.add(gen);
  await gen.open({ ...c.open, connections: 0 });
  if (phases.has("d")) await idlePhase(c, gen, idleCount);
  if (phases.has("c")) {
    c.m.connect = await measure(gen, c.server, {
      title: "(c) new TLS connection (full handshake) + plain REGISTER + close; op = one connection",
      setup: `${c.options.parallel} in parallel`,
      spec: { kind: "connect-register-close", parallel: c.options.parallel },
      timing: { ...c.timing, maxOps: MAX_CONNECT_OPS },
    });
  }
  await gen.exit();
  children.delete(gen);
}

/** (a) full flow and refresh, (e) paced refresh, (b) plain, over persistent connections. */
async function persistentPhases(c: Context): Promise<void> {
  const { connections, window, phases } = c.options;
  if (!phases.has("a") && !phases.has("b")) return;
  const gen = new GeneratorProcess();
  children.add(gen);
  await gen.open({ ...c.open, connections });
  const setup = `${connections} TLS connections × ${window} in flight`;
  if (phases.has("a")) {
    c.m.full = await measure(gen, c.server, {
      title:
        "(a) digest REGISTER, full flow: REGISTER → 401 → REGISTER + Authorization (MD5, qop=auth, nc=1) → 200; op = one registration (2 round trips), distinct trunks",
      setup,
      spec: { kind: "digest-full", windowPerConnection: window },
      timing: c.timing,
    });
    c.m.refresh = await measure(gen, c.server, {
      title:
        "(a) digest re-REGISTER (refresh): same Call-ID, CSeq+1, same nonce with nc+1 → 200; op = one round trip",
      setup,
      spec: { kind: "digest-refresh", windowPerConnection: window },
      timing: c.timing,
    });
  }
  if (phases.has("e") && c.m.refresh) {
    const rate = Math.max(100, Math.round(opsPerSecond(c.m.refresh) / 2));
    c.m.paced = await measure(gen, c.server, {
      title: `(e) latency below saturation: refresh paced at ${int(rate)}/s (~50% of the saturated refresh rate)`,
      setup: `${connections} TLS connections, open loop`,
      spec: { kind: "digest-refresh-paced", ratePerSecond: rate },
      timing: c.timing,
    });
  }
  if (phases.has("b")) {
    c.m.plain = await measure(gen, c.server, {
      title: "(b) plain REGISTER on auth: false trunks (one per connection); op = one round trip",
      setup,
      spec: { kind: "plain", windowPerConnection: window },
      timing: c.timing,
    });
  }
  await gen.exit();
  children.delete(gen);
}

async function run(argv: string[]): Promise<boolean> {
  // Issue 14's anchored-call media bench has its own processes and options.
  if (argv.includes("--anchored-calls")) return runAnchoredCalls(argv, children);
  const options = parseBenchOptions(argv);
  if (options === "help") {
    console.log(USAGE);
    return true;
  }
  const mainPath = fileURLToPath(new URL("../dist/main.js", import.meta.url));
  if (!existsSync(mainPath)) throw new Error(`${mainPath} missing: run \`npm run build\` first`);
  if (options.compare === "kamailio")
    return runCompareKamailio(
      {
        mainPath,
        seconds: options.seconds,
        connections: options.connections,
        window: options.window,
        rounds: options.rounds,
        profile: options.profile,
      },
      children,
    );
  const fdLimit = openFilesLimit();
  let idleCount = options.idle;
  if (fdLimit < idleCount + FD_RESERVE) {
    idleCount = Math.max(1, fdLimit - FD_RESERVE);
    console.log(
      `open files limit is ${fdLimit} (ulimit -n): phase (d) reduced to ${idleCount} idle connections; raise it with \`ulimit -n\` before \`npm run bench\` for ${options.idle}`,
    );
  }
  const secret = randomBytes(6).toString("hex");
  const digestTrunks = Math.max(10_000, idleCount);
  const plainTrunks = Math.max(options.connections, options.parallel);
  const work = mkdtempSync(join(tmpdir(), "upe-bench-"));
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), "upe-bench-profile-")) : undefined;
  try {
    console.log(
      `unify-phone-emulator registrar benchmark — node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${cpus().length}, open files ${fdLimit}, load average ${loadavg()[0]?.toFixed(2)}`,
    );
    const seedPath = writeBenchSeed(work, { digestTrunks, plainTrunks, secret });
    const startedAt = performance.now();
    const server = await startServer({
      mainPath,
      seedPath,
      certsDir: join(work, "certs"),
      ...(profileDir ? { profileDir } : {}),
      startTimeoutMs: 120_000,
    });
    children.add(server);
    console.log(
      `server pid ${server.pid}, SIP/TLS port ${server.sipPort}; started with ${int(digestTrunks)} digest + ${plainTrunks} plain trunks in ${((performance.now() - startedAt) / 1000).toFixed(1)} s, RSS ${(readRssBytes(server.pid) / MB).toFixed(0)} MB\n`,
    );
    const c: Context = {
      options,
      server,
      open: { port: server.sipPort, secret, digestTrunks, plainTrunks },
      timing: { warmupMs: WARMUP_MS, measureMs: options.seconds * 1000, maxOps: 5_000_000 },
      m: {},
      lostIdle: 0,
    };
    await connectionPhases(c, idleCount);
    await persistentPhases(c);

    const serverCpuSeconds = readCpuSeconds(server.pid);
    await server.stop(20_000);
    children.delete(server);
    if (profileDir) {
      const profile = newestProfile(profileDir);
      if (profile) {
        const table = formatHotSpots(topSelfTime(profile, 25), serverCpuSeconds);
        console.log(`── server CPU profile (whole run): ${profile}\n${table}\n`);
      } else console.log(`no .cpuprofile was written to ${profileDir} (the server did not exit cleanly)\n`);
    }

    if (options.phases.has("p")) {
      console.log("── SIP message layer micro-benchmark (bench/parser.ts, server stopped)");
      console.log(`${(await runParserBench(60_000)).trimEnd()}\n`);
    }

    console.log(`── summary (per core of server CPU)\n${formatSummary(goalRows(c.m))}`);

    // The other issues' goals, each with its own emulator process (issue 3, then issue 4).
    console.log("\n── user import and REST throughput (issue 3)");
    const importRest = await runImportRest();
    console.log("\n── calls through one trunk (issue 4)");
    const calls = await runCalls();
    const missedElsewhere = /MISSED|FAILED/.test(importRest) || /FAILED/.test(calls);
    const { full, refresh, paced, plain, connect, idleReport } = c.m;
    const failing = [full, refresh, paced, plain, connect, idleReport].filter(
      (r) => r && failureTotal(r.result.failures) > 0,
    ).length;
    if (failing > 0 || c.lostIdle > 0)
      console.log(`\n!!!!!!!!!!!! ${failing} phase(s) had failures: see above !!!!!!!!!!!!`);
    if (missedElsewhere)
      console.log("\n!!!!!!!!!!!! the import/REST or call bench reported a failure: see above !!!!!!!!!!!!");
    return failing === 0 && c.lostIdle === 0 && !/FAILED/.test(calls);
  } finally {
    killChildren();
    rmSync(work, { recursive: true, force: true });
  }
}

process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}
run(process.argv.slice(2)).then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (err: unknown) => {
    if (err instanceof BenchUsageError) console.error(`${err.message}\n${err.usage}`);
    else console.error(`bench failed: ${String((err as Error)?.stack ?? err)}`);
    killChildren();
    process.exitCode = 1;
  },
);
