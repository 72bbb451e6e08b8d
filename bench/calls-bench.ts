/**
 * Issue 4 goals: calls through one trunk. Starts the compiled emulator (dist/main.js,
 * rebuilt when src/ is newer) on 127.0.0.1 and drives it as the PBX from a forked
 * generator process over one registered TLS connection, with a virtual user that answers
 * at once with echo media:
 *   (2)+(3) 1,000 calls up: server RSS per active call; RTP at 50 packets/s per call for
 *           10 s, echoed back, loss counted (fewer calls too when the goal is missed);
 *   (1)     call rate: INVITE → 100/180/200 → ACK → BYE → 200, W calls in flight.
 * About 1 minute.
 *
 *   npx tsx bench/calls-bench.ts [--profile rate|media]
 *   --profile rate: only phase (1), the server under --cpu-prof; prints its top self-time functions;
 *   --profile media: the same for phases (3) and (2) only.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { setCallBehaviour } from "./calls-admin.js";
import { CallsGenerator } from "./calls-generator-process.js";
import type { RateResult, RtpResult } from "./calls-protocol.js";
import {
  type CpuWindow,
  callsPerSecond,
  failureTotal,
  formatEstablish,
  formatHangup,
  formatRate,
  formatRtp,
  formatUnasked,
  GOAL_CONCURRENT_CALLS,
  GOAL_LOSS_PERCENT,
  generatorBound,
  goalTable,
  lossPercent,
  type Measured,
  RTP_DRAIN_MS,
} from "./calls-report.js";
import {
  CALLEE_EMAIL,
  CALLEE_NUMBER,
  CALLS_TENANT,
  CALLS_TRUNK_USER,
  TRUNK_LINES,
  writeCallsSeed,
} from "./calls-seed.js";
import { formatHotSpots, newestProfile, topSelfTime } from "./cpu-profile-report.js";
import { readCpuSeconds, readMachineCpu, readRssBytes } from "./proc-stats.js";
import { freshBuild, repositoryRoot } from "./rest-server.js";
import { type ServerProcess, startServer } from "./server-process.js";

const MB = 1024 * 1024;
/** 2,000 even ports: every call of the benchmark has its own. */
const RTP_PORTS = "20000-23999";
const HELD_CALLS = Math.min(GOAL_CONCURRENT_CALLS, TRUNK_LINES);
const ESTABLISH_WINDOW = 100;
const RTP_SECONDS = 10;
/** Where loss starts, when the full run missed: shorter runs with fewer calls. */
const RTP_FALLBACK = [500, 250] as const;
const RTP_FALLBACK_SECONDS = 5;
const RATE_WINDOWS = [50, 100, 200] as const;
const TRIAL = { warmupMs: 500, measureMs: 2_500 };
const MAIN = { warmupMs: 1_000, measureMs: 8_000 };
/** Bounds every rate phase by count too. */
const MAX_CALLS_PER_PHASE = 200_000;
/** On top of a phase's own bounds before the runner gives up on the generator. */
const SLACK_MS = 30_000;

export interface CallsBenchOptions {
  /**
   * Only phase (1) ("rate") or phases (3) and (2) ("media"), with the server under
   * `--cpu-prof`; prints its top self-time functions and keeps the profile.
   */
  readonly profile?: "rate" | "media";
}

type MutableMeasured = { -readonly [K in keyof Measured]: Measured[K] };

interface Session {
  readonly server: ServerProcess;
  readonly gen: CallsGenerator;
  readonly say: (text: string) => void;
}

/** Samples server and machine CPU when the generator marks the start and end of its window. */
function cpuWindow(pid: number) {
  let server = readCpuSeconds(pid);
  let machine = readMachineCpu().busySeconds;
  const window = { serverCpuSeconds: 0, machineBusySeconds: 0, rssAtEnd: 0 };
  const onMark = (at: "start" | "end") => {
    if (at === "start") {
      server = readCpuSeconds(pid);
      machine = readMachineCpu().busySeconds;
      return;
    }
    window.serverCpuSeconds = readCpuSeconds(pid) - server;
    window.machineBusySeconds = readMachineCpu().busySeconds - machine;
    window.rssAtEnd = readRssBytes(pid);
  };
  return { window, onMark };
}

/** RSS after the server settles (GC, freed buffers): the last of a few samples. */
async function settledRss(pid: number): Promise<number> {
  let rss = 0;
  for (let i = 0; i < 3; i++) {
    await sleep(500);
    rss = readRssBytes(pid);
  }
  return rss;
}

async function rtpRun(
  s: Session,
  calls: number,
  seconds: number,
): Promise<{ result: RtpResult; cpu: CpuWindow }> {
  const { window, onMark } = cpuWindow(s.server.pid);
  const { result } = await s.gen.command(
    { type: "rtp", spec: { calls, seconds, drainMs: RTP_DRAIN_MS } },
    "rtp",
    seconds * 1000 + RTP_DRAIN_MS + SLACK_MS,
    onMark,
  );
  s.say(formatRtp(`(2) RTP echo: ${calls} calls, one PCMU packet per call every 20 ms`, result, window));
  s.say(`   server RSS      ${(window.rssAtEnd / MB).toFixed(0)} MB with media flowing\n`);
  return { result, cpu: window };
}

/** (3) then (2): calls up, RSS per call, media through them, then BYE to all. */
async function heldPhases(s: Session, m: MutableMeasured) {
  const rssBefore = await settledRss(s.server.pid);
  const { result: up } = await s.gen.command(
    { type: "establish", calls: HELD_CALLS, window: ESTABLISH_WINDOW },
    "establish",
    120_000,
  );
  s.say(formatEstablish(HELD_CALLS, up));
  if (up.established < HELD_CALLS)
    s.say(`   only ${up.established} of ${HELD_CALLS} calls came up: the RTP phase runs with those`);
  const rssUp = await settledRss(s.server.pid);
  if (up.established > 0) {
    const bytesPerCall = (rssUp - rssBefore) / up.established;
    m.memory = { calls: up.established, bytesPerCall };
    s.say(
      `── (3) memory: server RSS ${(rssBefore / MB).toFixed(1)} MB with no call → ${(rssUp / MB).toFixed(1)} MB with ${up.established} calls up (media session bound, no packets yet): ${(bytesPerCall / 1024).toFixed(1)} KiB per active call\n`,
    );
    m.rtp = await rtpRun(s, up.established, RTP_SECONDS);
    const { result } = m.rtp;
    if (lossPercent(result) >= GOAL_LOSS_PERCENT || generatorBound(result)) {
      s.say("   goal not shown at full size: fewer calls, to see where loss starts\n");
      for (const calls of RTP_FALLBACK)
        if (calls < up.established) await rtpRun(s, calls, RTP_FALLBACK_SECONDS);
    }
  }
  const { result: down } = await s.gen.command(
    { type: "hangup", window: ESTABLISH_WINDOW },
    "hangup",
    120_000,
  );
  s.say(`${formatHangup(down)}\n`);
}

async function ratePhase(s: Session, title: string, window: number, timing: typeof MAIN) {
  const { window: cpu, onMark } = cpuWindow(s.server.pid);
  const { result } = await s.gen.command(
    { type: "rate", spec: { window, ...timing, maxCalls: MAX_CALLS_PER_PHASE } },
    "rate",
    timing.warmupMs + timing.measureMs + SLACK_MS,
    onMark,
  );
  s.say(`${formatRate(title, result, cpu)}\n`);
  return { result, cpu };
}

/** (1): short trials of each window, then the measured run with the best one. */
async function rateSweep(s: Session): Promise<Measured["rate"]> {
  let best: RateResult | undefined;
  for (const w of RATE_WINDOWS) {
    const { result } = await ratePhase(s, `(1) call rate trial, ${w} in flight`, w, TRIAL);
    if (!best || callsPerSecond(result) > callsPerSecond(best)) best = result;
  }
  const w = best?.window ?? RATE_WINDOWS[0];
  return ratePhase(
    s,
    `(1) call rate: INVITE → 100/180/200 → ACK → BYE → 200, virtual user answering at once; ${w} in flight (best trial)`,
    w,
    MAIN,
  );
}

/** Runs the benchmark; prints as it goes and returns the figures with the goal table. */
export async function run(options: CallsBenchOptions = {}): Promise<string> {
  const root = repositoryRoot(dirname(fileURLToPath(import.meta.url)));
  const mainPath = freshBuild(root);
  const work = mkdtempSync(join(tmpdir(), "upe-bench-calls-"));
  const profileDir = options.profile ? join(work, "profile") : undefined;
  const lines: string[] = [];
  const say = (text: string) => {
    console.log(text);
    lines.push(text);
  };
  let server: ServerProcess | undefined;
  let gen: CallsGenerator | undefined;
  // However the runner ends (an error, process.exit on a signal), no server or generator stays behind.
  const killChildren = () => {
    gen?.kill();
    server?.kill();
  };
  process.once("exit", killChildren);
  try {
    const trunkPassword = randomBytes(8).toString("hex");
    const adminToken = randomBytes(16).toString("hex");
    const certsDir = join(work, "certs");
    server = await startServer({
      mainPath,
      seedPath: writeCallsSeed(work, trunkPassword),
      certsDir,
      startTimeoutMs: 120_000,
      extraArgs: ["--rtp-ports", RTP_PORTS, "--admin-token", adminToken],
      ...(profileDir ? { profileDir } : {}),
    });
    const https = /^ready: sip=\d+ https=(\d+)/m.exec(server.output())?.[1];
    if (!https) throw new Error(`no https port in the server's banner:\n${server.output()}`);
    const api = {
      origin: `https://127.0.0.1:${https}`,
      ca: readFileSync(join(certsDir, "ca.pem"), "utf8"),
      token: adminToken,
    };
    const behaviour = await setCallBehaviour(api, CALLS_TENANT, CALLEE_EMAIL, { mode: "answer", ringMs: 0 });
    say(
      `call benchmark — node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${cpus().length}, load average ${loadavg()[0]?.toFixed(2)}; server pid ${server.pid} (--rtp-ports ${RTP_PORTS}), RSS ${(readRssBytes(server.pid) / MB).toFixed(0)} MB; trunk ${CALLS_TRUNK_USER} (digest, ${TRUNK_LINES} lines) calls ${CALLEE_NUMBER}, behaviour ${JSON.stringify(behaviour)}${options.profile ? `; server under --cpu-prof (${options.profile} phases only)` : ""}\n`,
    );
    gen = new CallsGenerator();
    await gen.command(
      {
        type: "open",
        sipPort: server.sipPort,
        trunkUser: CALLS_TRUNK_USER,
        trunkPassword,
        callee: CALLEE_NUMBER,
      },
      "opened",
      30_000,
    );
    const session: Session = { server, gen, say };
    const m: MutableMeasured = {};
    if (options.profile !== "rate") await heldPhases(session, m);
    if (options.profile !== "media") m.rate = await rateSweep(session);
    const { result: last } = await gen.command(
      { type: "hangup", window: ESTABLISH_WINDOW },
      "hangup",
      30_000,
    );
    say(`${formatUnasked(last)}\n`);
    await gen.exit();
    const serverCpuSeconds = readCpuSeconds(server.pid);
    await server.stop(20_000);
    if (profileDir) {
      const profile = newestProfile(profileDir);
      say(
        profile
          ? `── server CPU profile (whole run): ${profile}\n${formatHotSpots(topSelfTime(profile, 25), serverCpuSeconds)}\n`
          : `no .cpuprofile was written to ${profileDir} (the server did not exit cleanly)\n`,
      );
    }
    const table = goalTable(m);
    console.log(table);
    const rateFailures = m.rate ? failureTotal(m.rate.result.failures) : 0;
    if (rateFailures > 0)
      console.log(`\n!!!!!!!!!!!! the call-rate phase had ${rateFailures} failures !!!!!!!!!!!!`);
    return [...lines, table].join("\n");
  } finally {
    killChildren();
    process.off("exit", killChildren);
    // With --profile the work dir stays: it holds the .cpuprofile.
    if (!options.profile) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.once(signal, () => process.exit(130));
  const at = process.argv.indexOf("--profile");
  const profile = at < 0 ? undefined : process.argv[at + 1] === "media" ? "media" : "rate";
  run(profile ? { profile } : {}).catch((error: unknown) => {
    console.error(`bench failed: ${String((error as Error)?.stack ?? error)}`);
    process.exitCode = 1;
  });
}
