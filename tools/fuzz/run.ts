/**
 * `npm run fuzz -- --seconds N` (issue 9): a mutation fuzzer against the emulator in a child
 * process, over TLS, the debug UDP listener, WebSocket (/ws) and STUN, seeded from the
 * conformance corpus, PBX-like messages and RFC 5769 vectors. A crash (the child exits), a
 * hang (the probe goes unanswered) or RSS growth past a bound is a finding: the tool writes
 * the last messages and, when one message alone reproduces it, that message shrunk by delta
 * debugging, then exits 1. Loopback only; every loop is bounded by the deadline.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AdminApi } from "../lib/admin-api.js";
import {
  describeExit,
  EmulatorProcess,
  type EmulatorStartOptions,
  type MemoryUsage,
} from "../lib/emulator-process.js";
import { readFdCount, readRss, Series } from "../lib/proc-stats.js";
import { Rng } from "../lib/rng.js";
import { runTool } from "../lib/tool-cli.js";
import { CALLEE_NUMBER, writeToolSeed } from "../lib/tool-seed.js";
import { readFinding, recentEntries, writeFinding } from "./findings.js";
import { FuzzContext, type SentMessage, TRANSPORTS } from "./fuzz-context.js";
import { type FuzzOptions, parseFuzzOptions, USAGE } from "./fuzz-options.js";
import { probe } from "./probe.js";
import type { FindingKind } from "./reproduce.js";
import { replayFinding, searchReproducer } from "./search-reproducer.js";
import { buildCorpus } from "./seed-corpus.js";
import { stunWorker, tlsWorker, udpWorker, wsWorker } from "./workers.js";

const MB = 1024 * 1024;
/** Messages kept per transport for the reproducer of a finding. */
const RECENT = 256;
/** Messages listed in finding.json (the newest). */
const RECENT_WRITTEN = 128;
const SAMPLE_MS = 1000;
/** Trunks without digest that fuzz connections register as (the probe uses the digest one). */
const plainTrunks = (count: number): string[] =>
  Array.from({ length: Math.max(1, count) }, (_, i) => String(5_100_000_000 + i));

interface Finding {
  readonly kind: FindingKind;
  readonly detail: string;
}

async function main(options: FuzzOptions): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), "upe-fuzz-"));
  try {
    const seed = writeToolSeed(work, "fuzz", 1, "Fuzz-Trunk-Secret-1", plainTrunks(options.tlsConnections));
    const start: EmulatorStartOptions = {
      seedPath: seed.path,
      certsDir: join(work, "certs"),
      adminToken: `upe-fuzz-${process.pid}-admin-token`,
      fromSource: options.fromSource,
      startTimeoutMs: 60_000,
      extraArgs: options.serverArgs,
      nodeArgs: options.nodeArgs,
    };
    const trunkUser = seed.trunks[0]!.username;
    return options.replay
      ? await replay(options, start, trunkUser, options.replay)
      : await fuzz(options, start, trunkUser);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function fuzz(options: FuzzOptions, start: EmulatorStartOptions, trunkUser: string): Promise<number> {
  const rng = new Rng(options.seed);
  const plain = plainTrunks(options.tlsConnections);
  const corpus = buildCorpus(rng.fork("corpus"), plain[0]!, CALLEE_NUMBER);
  console.log(
    `fuzz: seed ${options.seed}, ${options.seconds} s, corpus ${corpus.sip.length} SIP + ${corpus.stun.length} STUN messages`,
  );
  const emulator = await EmulatorProcess.start(start);
  // The callee answers at once (default: after 1 s), so calls are up while a connection lasts.
  const admin = new AdminApi({ port: emulator.ports.https, ca: emulator.ca, token: emulator.adminToken });
  for (const id of (await admin.tenants()).values()) await admin.answerAtOnce(id);
  const ctx = new FuzzContext(emulator, RECENT, plain);
  const rss = new Series();
  const fds = new Series();
  const probeMs = new Series();
  let probes = 0;
  /** When the last probe that was answered began: a hang's trigger was sent after it. */
  let lastGoodProbe = Date.now();
  let finding: Finding | undefined;
  const found = (kind: FindingKind, detail: string) => {
    if (finding) return;
    finding = { kind, detail };
    ctx.running = false;
    console.error(`!!! ${kind}: ${detail}`);
  };
  void emulator.exited.then((info) => {
    if (!emulator.stopping) found("crash", `the emulator exited: ${describeExit(info)}`);
  });
  const sample = () => {
    if (!emulator.alive) return;
    rss.add(readRss(emulator.pid));
    fds.add(readFdCount(emulator.pid));
  };
  probeMs.add(await probe(emulator, trunkUser, options.hangMs));
  const memoryStart = await emulator.memory(true);
  sample();
  const started = Date.now();
  const deadline = started + options.seconds * 1000;

  const workers: Promise<void>[] = [];
  const spawn = (count: number, name: string, worker: typeof tlsWorker, pool: readonly Buffer[]) => {
    for (let i = 0; i < count; i++) workers.push(worker(ctx, pool, rng.fork(`${name}-${i}`), i));
  };
  spawn(options.tlsConnections, "tls", tlsWorker, corpus.sip);
  spawn(options.wsConnections, "ws", wsWorker, corpus.sip);
  spawn(options.udpSockets, "udp", udpWorker, corpus.sip);
  spawn(options.stunSockets, "stun", stunWorker, corpus.stun);

  let nextProbe = Date.now() + options.probeIntervalMs;
  let nextReport = Date.now() + 10_000;
  while (ctx.running && Date.now() < deadline) {
    await sleep(Math.min(SAMPLE_MS, Math.max(0, deadline - Date.now())));
    sample();
    const growth = (rss.end ?? 0) - (rss.start ?? 0);
    if (growth > options.rssLimitMb * MB) {
      found("rss", `RSS grew by ${(growth / MB).toFixed(0)} MB (limit ${options.rssLimitMb} MB)`);
    }
    if (ctx.running && Date.now() >= nextProbe) {
      probes++;
      const probeStart = Date.now();
      const latency = await livenessCheck(emulator, trunkUser, options.hangMs);
      if (typeof latency === "number") {
        probeMs.add(latency);
        lastGoodProbe = probeStart;
      } else if (emulator.alive) found("hang", latency);
      nextProbe = Date.now() + options.probeIntervalMs;
    }
    if (Date.now() >= nextReport) {
      nextReport += 10_000;
      const total = TRANSPORTS.reduce((sum, t) => sum + ctx.messages[t], 0);
      console.log(
        `  ${Math.round((Date.now() - started) / 1000)} s: ${total} messages, RSS ${((rss.end ?? 0) / MB).toFixed(1)} MB, fds ${fds.end}`,
      );
    }
  }
  ctx.running = false;
  await Promise.race([Promise.allSettled(workers), sleep(15_000)]);
  const elapsed = (Date.now() - started) / 1000;

  let memoryEnd: MemoryUsage | undefined;
  if (!finding && emulator.alive) {
    // Let the emulator drop what the last connections held, then one more liveness check.
    await sleep(1000);
    sample();
    const latency = await livenessCheck(emulator, trunkUser, options.hangMs);
    if (typeof latency === "number") probeMs.add(latency);
    else if (emulator.alive) found("hang", latency);
    memoryEnd = await emulator.memory(true);
  }
  const errorLines = emulator.errorLines();
  const output = emulator.output();
  if (!finding) {
    const exit = await emulator.stop();
    if (exit.code !== 0 && exit.signal === null)
      found("crash", `unclean shutdown on SIGTERM: ${describeExit(exit)}`);
  } else {
    emulator.kill();
  }
  await emulator.exited;

  let folder: string | undefined;
  if (finding)
    folder = await recordFinding(options, start, trunkUser, finding, ctx.recent(), lastGoodProbe, output);

  console.log(`\nfuzz summary — seed ${options.seed}, ${elapsed.toFixed(0)} s`);
  console.log("  transport   messages      bytes  connections  answers  connect errors");
  for (const t of TRANSPORTS) {
    console.log(
      `  ${t.padEnd(9)} ${String(ctx.messages[t]).padStart(10)} ${String(ctx.bytes[t]).padStart(10)} ${String(ctx.connections[t]).padStart(12)} ${String(ctx.responses[t]).padStart(8)} ${String(ctx.connectErrors[t]).padStart(15)}`,
    );
  }
  const total = TRANSPORTS.reduce((sum, t) => sum + ctx.messages[t], 0);
  console.log(`  total messages ${total} (${(total / Math.max(1, elapsed)).toFixed(0)}/s)`);
  console.log(
    `  crashes ${finding?.kind === "crash" ? 1 : 0}, hangs ${finding?.kind === "hang" ? 1 : 0}, RSS findings ${finding?.kind === "rss" ? 1 : 0}`,
  );
  console.log(`  probes ${probes + 1}, latency ms ${probeMs.format("count")}`);
  console.log(`  calls answered by the emulator on fuzz connections (2xx to INVITE): ${ctx.callsAnswered}`);
  console.log(`  RSS ${rss.format("MB")}`);
  console.log(`  fds ${fds.format("count")}`);
  console.log(`  heap after GC: start ${mb(memoryStart?.heapUsed)}, end ${mb(memoryEnd?.heapUsed)}`);
  console.log(
    `  error-level log lines ${errorLines.length}${errorLines.length > 0 ? ` (first: ${errorLines[0]!.slice(0, 300)})` : ""}`,
  );
  if (finding) {
    console.log(`  FINDING ${finding.kind}: ${finding.detail}\n  reproducer: ${folder}`);
    return 1;
  }
  console.log("  result: clean");
  return 0;
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? "-" : `${(bytes / MB).toFixed(1)} MB`;
}

/** The probe, retried once before calling it a hang: returns the latency or what failed. */
async function livenessCheck(
  emulator: EmulatorProcess,
  trunkUser: string,
  hangMs: number,
): Promise<number | string> {
  let failure = "";
  for (let attempt = 0; attempt < 2 && emulator.alive; attempt++) {
    try {
      return await probe(emulator, trunkUser, hangMs);
    } catch (error) {
      failure = (error as Error).message;
    }
  }
  return `probe failed twice: ${failure}`;
}

async function recordFinding(
  options: FuzzOptions,
  start: EmulatorStartOptions,
  trunkUser: string,
  finding: Finding,
  recent: SentMessage[],
  lastGoodProbe: number,
  output: string,
): Promise<string> {
  const found = await searchReproducer(
    start,
    trunkUser,
    options.hangMs,
    finding.kind,
    recent,
    lastGoodProbe,
    options.minimiseSeconds,
  );
  return writeFinding(options.findings, {
    kind: finding.kind,
    seed: options.seed,
    detail: finding.detail,
    ...found,
    recent: recentEntries(recent.slice(-RECENT_WRITTEN)),
    output,
  });
}

/** `--replay finding.json`: exit 1 when the finding comes back on a fresh emulator. */
async function replay(
  options: FuzzOptions,
  start: EmulatorStartOptions,
  trunkUser: string,
  path: string,
): Promise<number> {
  const record = readFinding(path);
  const reproduced = await replayFinding(start, trunkUser, options.hangMs, record);
  console.log(reproduced ? `reproduced: ${record.kind}` : "not reproduced");
  return reproduced ? 1 : 0;
}

runTool(USAGE, parseFuzzOptions, main);
