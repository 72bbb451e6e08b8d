/**
 * `npm run bench -- --anchored-calls [--calls 200] [--seconds 20]` (issue 14 goal): N anchored
 * client calls' media in one "emulator core" process — a WebRtcEndpoint per call (ICE,
 * DTLS-SRTP with werift) bridged to a plain RTP socket toward the PBX — with werift peers as
 * the browsers in another process and the PBX side's RTP sockets in this one. Every leg sends
 * 50 pps each way. Prints setup time, loss per direction, the core's CPU per call and RSS per
 * call. Bounded: at most 1000 calls, 120 s of media, and every step has a timeout.
 */
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { extname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FRAME_BYTES, FRAME_MS, FramePacer, RpcChild } from "./anchored-calls-protocol.js";
import { BenchUsageError, bounded, parseOrUsage } from "./bench-options.js";
import { formatHotSpots, topSelfTime } from "./cpu-profile-report.js";
import { readCpuSeconds, readMachineCpu } from "./proc-stats.js";

export const ANCHORED_USAGE = `usage: npm run bench -- --anchored-calls [--calls N] [--seconds N] [--parallel N] [--relay endpoint|b2bua] [--profile]
  --calls N     concurrent anchored calls (default 200, 1–1000)
  --seconds N   measured seconds of media after a 2 s warm-up (default 20, 1–120)
  --parallel N  calls set up at a time (default 10, 1–50)
  --relay R     the core's relay: "endpoint" (default: a WebRtcEndpoint bridged to a plain
                socket, the media gateway alone) or "b2bua" (the B2BUA's ClientMedia: a
                MediaSession toward the PBX, a WebRtcLeg toward the browser, the RTP fault gate)
  --profile     run the core with --cpu-prof and print its top self-time functions`;

const WARMUP_MS = 2000;
const DRAIN_MS = 1000;
const GOAL_CALLS = 200;
const GOAL_LOSS = 0.01;

interface AnchoredOptions {
  calls: number;
  seconds: number;
  parallel: number;
  profile: boolean;
  relay: "endpoint" | "b2bua";
}

function parse(argv: string[]): AnchoredOptions | "help" {
  const { values } = parseOrUsage(
    () =>
      parseArgs({
        args: argv,
        options: {
          "anchored-calls": { type: "boolean" },
          calls: { type: "string" },
          seconds: { type: "string" },
          parallel: { type: "string" },
          profile: { type: "boolean" },
          relay: { type: "string" },
          help: { type: "boolean" },
        },
      }),
    ANCHORED_USAGE,
  );
  if (values.help) return "help";
  const relay = values.relay ?? "endpoint";
  if (relay !== "endpoint" && relay !== "b2bua")
    throw new BenchUsageError("--relay must be endpoint or b2bua", ANCHORED_USAGE);
  return {
    calls: bounded("calls", values.calls, 200, 1, 1000, ANCHORED_USAGE),
    seconds: bounded("seconds", values.seconds, 20, 1, 120, ANCHORED_USAGE),
    parallel: bounded("parallel", values.parallel, 10, 1, 50, ANCHORED_USAGE),
    profile: values.profile ?? false,
    relay,
  };
}

/** The PBX side: one plain RTP socket per call, paced at 50 pps toward the core. */
class PbxSide {
  readonly sockets: { socket: Socket; corePort: number; seq: number }[] = [];
  sent = 0;
  received = 0;
  private readonly payload = Buffer.alloc(12 + FRAME_BYTES, 0xd5);
  private readonly pacer = new FramePacer(() => {
    for (const leg of this.sockets) {
      leg.seq = (leg.seq + 1) & 0xffff;
      const packet = this.payload;
      packet[0] = 0x80;
      packet[1] = 0;
      packet.writeUInt16BE(leg.seq, 2);
      packet.writeUInt32BE((leg.seq * 160) >>> 0, 4);
      packet.writeUInt32BE(0xbeef, 8);
      leg.socket.send(packet, leg.corePort, "127.0.0.1");
      this.sent += 1;
    }
  });

  async open(corePort: number): Promise<number> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => resolve());
    });
    socket.on("message", () => {
      this.received += 1;
    });
    this.sockets.push({ socket, corePort, seq: 0 });
    return socket.address().port;
  }

  start(): void {
    this.pacer.start();
  }

  stop(): void {
    this.pacer.stop();
  }

  close(): void {
    this.pacer.stop();
    for (const leg of this.sockets) leg.socket.close();
  }
}

interface CoreUsage {
  cpuMicros: number;
  rss: number;
  toPbx: number;
  fromPbx: number;
  dropped: number;
  failed: number;
}

const pct = (part: number, whole: number): string =>
  whole === 0 ? "–" : `${((100 * part) / whole).toFixed(2)} %`;
const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** The main thread's profile: tsx's loader thread writes a smaller one beside it. */
function largestProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

/** Runs the bench; true when the goal (≥ 200 calls, < 1 % loss both ways) was met or fewer calls ran clean. */
export async function runAnchoredCalls(argv: string[], children: Set<{ kill(): void }>): Promise<boolean> {
  const options = parse(argv);
  if (options === "help") {
    console.log(ANCHORED_USAGE);
    return true;
  }
  const self = fileURLToPath(import.meta.url);
  const sibling = (name: string) => self.replace(/anchored-calls(\.[cm]?[jt]s)$/, `${name}${extname(self)}`);
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), "upe-anchored-profile-")) : undefined;
  const core = new RpcChild(
    sibling("anchored-calls-core"),
    "core",
    profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  );
  const browsers = new RpcChild(sibling("anchored-calls-browsers"), "browsers");
  children.add(core);
  children.add(browsers);
  const pbx = new PbxSide();
  try {
    console.log(
      `── anchored client calls (issue 14): ${options.calls} × (browser ⇄ DTLS-SRTP ⇄ core ${options.relay === "b2bua" ? "B2BUA relay (WebRtcLeg ⇄ ClientMedia ⇄ MediaSession)" : "WebRtcEndpoint"} ⇄ plain RTP ⇄ PBX), 50 pps each way on both legs — node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${cpus().length}, load ${loadavg()[0]?.toFixed(2)}`,
    );
    const before = await core.call<CoreUsage>("usage");
    const setupMs: number[] = [];
    let failedSetups = 0;
    const setupStart = performance.now();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const call = next++;
        if (call >= options.calls) return;
        const t0 = performance.now();
        try {
          const offer = await browsers.call<string>("offer", { call }, 30_000);
          const { answer, port } = await core.call<{ answer: string; port: number }>(
            "answer",
            { call, offer, relay: options.relay },
            30_000,
          );
          const pbxPort = await pbx.open(port);
          await browsers.call("answer", { call, answer }, 30_000);
          await core.call("connected", { call, pbxPort }, 40_000);
          setupMs.push(performance.now() - t0);
        } catch (error) {
          failedSetups += 1;
          if (failedSetups <= 3) console.log(`  call ${call} failed to set up: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.parallel }, worker));
    const setupSeconds = (performance.now() - setupStart) / 1000;
    setupMs.sort((a, b) => a - b);
    const afterSetup = await core.call<CoreUsage>("usage");
    console.log(
      `setup: ${setupMs.length} calls connected in ${setupSeconds.toFixed(1)} s (${options.parallel} at a time), ${failedSetups} failed; per call p50 ${quantile(setupMs, 0.5).toFixed(0)} ms, p95 ${quantile(setupMs, 0.95).toFixed(0)} ms, max ${quantile(setupMs, 1).toFixed(0)} ms`,
    );

    await browsers.call("start");
    pbx.start();
    await sleep(WARMUP_MS);
    const cpuStart = await core.call<CoreUsage>("usage");
    const browsersCpuStart = readCpuSeconds(browsers.pid);
    const machineStart = readMachineCpu();
    const windowStart = performance.now();
    await sleep(options.seconds * 1000);
    const cpuEnd = await core.call<CoreUsage>("usage");
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const browsersCpu = readCpuSeconds(browsers.pid) - browsersCpuStart;
    const machineBusy = readMachineCpu().busySeconds - machineStart.busySeconds;
    pbx.stop();
    await browsers.call("stop");
    await sleep(DRAIN_MS);
    const browserCounts = await browsers.call<{ sent: number; received: number }>("counts");
    const end = await core.call<CoreUsage>("usage");

    const calls = setupMs.length;
    const upLoss = browserCounts.sent === 0 ? 1 : 1 - pbx.received / browserCounts.sent;
    const downLoss = pbx.sent === 0 ? 1 : 1 - browserCounts.received / pbx.sent;
    const coreCpuSeconds = (cpuEnd.cpuMicros - cpuStart.cpuMicros) / 1e6;
    const perCallMicros = calls === 0 ? 0 : (coreCpuSeconds * 1e6) / calls / windowSeconds;
    // Packets the core actually relayed in the window: under CPU starvation fewer than offered.
    const relayed = cpuEnd.toPbx - cpuStart.toPbx + (cpuEnd.fromPbx - cpuStart.fromPbx);
    const perRelayed = relayed === 0 ? 0 : (coreCpuSeconds * 1e6) / relayed;
    const offered = calls * 2 * (1000 / FRAME_MS);
    const rssPerCall = calls === 0 ? 0 : (afterSetup.rss - before.rss) / calls;
    console.log(
      `browser → PBX: ${browserCounts.sent} sent, ${end.toPbx} through the core, ${pbx.received} received at the PBX: loss ${pct(browserCounts.sent - pbx.received, browserCounts.sent)}`,
    );
    console.log(
      `PBX → browser: ${pbx.sent} sent, ${end.fromPbx} through the core (${end.dropped} dropped: leg not connected), ${browserCounts.received} received at the browsers: loss ${pct(pbx.sent - browserCounts.received, pbx.sent)}`,
    );
    console.log(
      `core CPU over ${windowSeconds.toFixed(1)} s: ${((100 * coreCpuSeconds) / windowSeconds).toFixed(0)} % of one core = ${perCallMicros.toFixed(0)} µs per call per second; ${perRelayed.toFixed(1)} µs per packet relayed (${relayed} relayed = ${((100 * relayed) / (offered * windowSeconds)).toFixed(0)} % of the ${offered}/s offered; at that cost ${calls} calls need ${((perRelayed * offered) / 1e4).toFixed(0)} % of one core); browsers process ${((100 * browsersCpu) / windowSeconds).toFixed(0)} %; machine ${((100 * machineBusy) / windowSeconds / cpus().length).toFixed(0)} % of ${cpus().length} cores`,
    );
    console.log(
      `core RSS: ${(before.rss / 2 ** 20).toFixed(0)} MB idle → ${(afterSetup.rss / 2 ** 20).toFixed(0)} MB with ${calls} calls = ${(rssPerCall / 1024).toFixed(0)} KB per call; ${end.failed} legs not connected at the end`,
    );
    const lossOk = upLoss < GOAL_LOSS && downLoss < GOAL_LOSS && failedSetups === 0 && end.failed === 0;
    const verdict =
      calls >= GOAL_CALLS
        ? lossOk
          ? "MET"
          : "MISSED"
        : lossOk
          ? `not tried (${calls} calls ran clean)`
          : "FAILED";
    console.log(`goal: ≥ ${GOAL_CALLS} anchored calls with < 1 % loss each way — ${verdict}`);
    return verdict !== "MISSED" && verdict !== "FAILED";
  } finally {
    pbx.close();
    await Promise.allSettled([core.call("close", {}, 20_000), browsers.call("close", {}, 20_000)]);
    const coreCpuSeconds = readCpuSeconds(core.pid);
    await Promise.all([core.stop(10_000), browsers.stop(10_000)]);
    children.delete(core);
    children.delete(browsers);
    const profile = profileDir && largestProfile(profileDir);
    if (profile)
      console.log(
        `── core CPU profile: ${profile}\n${formatHotSpots(topSelfTime(profile, 25), coreCpuSeconds)}`,
      );
  }
}
