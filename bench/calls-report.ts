import type {
  EstablishResult,
  FailureCounts,
  HangupResult,
  RateResult,
  RtpResult,
} from "./calls-protocol.js";

/** CPU the server and the whole machine spent over a measured window (from /proc). */
export interface CpuWindow {
  readonly serverCpuSeconds: number;
  readonly machineBusySeconds: number;
}

export const GOAL_CALLS_PER_CORE_SECOND = 1000;
export const GOAL_CONCURRENT_CALLS = 1000;
export const GOAL_LOSS_PERCENT = 1;
/** Below this share of the target send rate the generator, not the server, set the pace. */
export const KEPT_UP_SHARE = 0.99;
/** How long echoes may come after the last packet sent and still count. */
export const RTP_DRAIN_MS = 500;

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const ms = (n: number): string => `${n.toFixed(2)} ms`;
const pct = (part: number, whole: number): number => (whole > 0 ? (100 * part) / whole : 0);

/** CPU of everything but the server and the generator: > 20% of a core skews the figures. */
function others(cpu: CpuWindow, generatorCpuSeconds: number, seconds: number): string {
  const share = pct(
    Math.max(0, cpu.machineBusySeconds - cpu.serverCpuSeconds - generatorCpuSeconds),
    seconds,
  );
  const warning = share > 20 ? "  (the machine was not quiet: the figures are skewed)" : "";
  return `   other processes ${share.toFixed(0)}% of a core${warning}`;
}

export function failureTotal(f: FailureCounts): number {
  return Object.values(f).reduce((a, b) => a + b, 0);
}

export function describeFailures(f: FailureCounts): string {
  const total = failureTotal(f);
  if (total === 0) return "none";
  const parts = Object.entries(f).map(([kind, n]) => `${int(n)}× ${kind}`);
  return `!!!!!!!!!!!! ${int(total)} FAILED: ${parts.join(", ")} !!!!!!!!!!!!`;
}

function provisional(r: RateResult): string {
  if (r.withoutTrying === 0 && r.withoutRinging === 0) return "each got 100 and 180 before its 200";
  return `${int(r.withoutTrying)} got no 100, ${int(r.withoutRinging)} no 180 before the 200`;
}

export const callsPerSecond = (r: RateResult): number => (r.seconds > 0 ? r.completed / r.seconds : 0);

export const callsPerCoreSecond = (r: RateResult, cpu: CpuWindow): number =>
  cpu.serverCpuSeconds > 0 ? r.completed / cpu.serverCpuSeconds : 0;

export function formatRate(title: string, r: RateResult, cpu: CpuWindow): string {
  const perCall = r.completed > 0 ? `${((cpu.serverCpuSeconds * 1e6) / r.completed).toFixed(0)} µs` : "n/a";
  const genPerCall =
    r.completed > 0 ? `${((r.generatorCpuSeconds * 1e6) / r.completed).toFixed(0)} µs` : "n/a";
  return [
    `── ${title}`,
    `   ${r.window} calls in flight; ${int(r.completed)} calls completed in ${r.seconds.toFixed(2)} s measured; ${provisional(r)}`,
    `   call rate       ${int(callsPerSecond(r))} calls/s`,
    `   setup latency   INVITE → 200: p50 ${ms(r.p50Ms)}   p99 ${ms(r.p99Ms)}   max ${ms(r.maxMs)}`,
    `   server CPU      ${perCall} per call  →  ${int(callsPerCoreSecond(r, cpu))} calls per server-core-second  (server ${pct(cpu.serverCpuSeconds, r.seconds).toFixed(0)}% of a core)`,
    `   generator CPU   ${genPerCall} per call (generator ${pct(r.generatorCpuSeconds, r.seconds).toFixed(0)}% of a core)`,
    others(cpu, r.generatorCpuSeconds, r.seconds),
    `   failures        ${describeFailures(r.failures)}`,
  ].join("\n");
}

export function formatEstablish(asked: number, r: EstablishResult): string {
  return `── established ${int(r.established)} of ${int(asked)} calls in ${r.seconds.toFixed(2)} s (INVITE → 200 p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}); failures ${describeFailures(r.failures)}`;
}

/** Loss in percent of what was sent. */
export const lossPercent = (r: RtpResult): number => pct(Math.max(0, r.sent - r.received), r.sent);
/** The share of the target (50 packets/s per call) the generator actually sent. */
export const sendShare = (r: RtpResult): number => (r.targetPackets > 0 ? r.sent / r.targetPackets : 0);

/**
 * The generator set the figures, not the server: it sent less than KEPT_UP_SHARE of the
 * target, or its own socket dropped more than the rest of the echoes (it was not reading).
 */
export const generatorBound = (r: RtpResult): boolean =>
  sendShare(r) < KEPT_UP_SHARE || r.droppedAtGenerator > (1 - KEPT_UP_SHARE) * r.sent;

export function formatRtp(title: string, r: RtpResult, cpu: CpuWindow): string {
  const perPacket = r.received > 0 ? `${((cpu.serverCpuSeconds * 1e6) / r.received).toFixed(1)} µs` : "n/a";
  const keptUp = generatorBound(r)
    ? `THE GENERATOR DID NOT KEEP UP (sent ${(100 * sendShare(r)).toFixed(1)}% of the target, its socket dropped ${int(r.droppedAtGenerator)} echoes): these figures measure the generator as much as the server`
    : "the generator kept up";
  return [
    `── ${title}`,
    `   ${int(r.calls)} calls × 50 packets/s for ${r.seconds.toFixed(2)} s; target ${int(r.targetPackets)} packets`,
    `   sent            ${int(r.sent)} (${int(r.sent / r.seconds)} packets/s = ${(r.sent / r.seconds / Math.max(1, r.calls)).toFixed(1)}/s per call); ${keptUp}`,
    `   ticks           ${int(r.skippedTicks)} skipped, ${int(r.lateTicks)} sent > 20 ms late, worst lag ${ms(r.maxLagMs)}`,
    `   echoed back     ${int(r.received)} within the run + a ${RTP_DRAIN_MS} ms drain  →  loss ${lossPercent(r).toFixed(3)} %  (${int(r.callsWithLoss)} calls lost ≥ 1 packet, ${int(r.silentCalls)} got no echo)`,
    `   odd echoes      ${int(r.late)} after the drain (counted lost), ${int(r.stale)} of an earlier run, ${int(r.misrouted)} misrouted, ${int(r.unknown)} unknown; ${int(r.sendErrors)} send errors`,
    `   kernel drops    ${int(r.droppedAtServer)} at the server's call sockets, ${int(r.droppedAtGenerator)} at the generator's socket (receive buffer full, /proc/net/udp)`,
    `   server CPU      ${pct(cpu.serverCpuSeconds, r.seconds).toFixed(0)}% of a core, ${perPacket} per echoed packet (in + out)`,
    `   generator CPU   ${pct(r.generatorCpuSeconds, r.seconds).toFixed(0)}% of a core`,
    others(cpu, r.generatorCpuSeconds, r.seconds),
  ].join("\n");
}

export function formatHangup(r: HangupResult): string {
  return `── hung up ${int(r.hungUp)} calls with BYE → 200; failures ${describeFailures(r.failures)}`;
}

/** What the emulator did unasked over the whole run. */
export function formatUnasked(r: HangupResult): string {
  const requests = Object.entries(r.serverRequests)
    .map(([method, n]) => `${int(n)}× ${method}`)
    .join(", ");
  return `── requests from the emulator over the whole run: ${requests || "none"}; responses to no open call (late retransmissions): ${int(r.strays)}`;
}

export interface Measured {
  readonly rate?: { readonly result: RateResult; readonly cpu: CpuWindow };
  /** Only the phase with every established call sending. */
  readonly rtp?: { readonly result: RtpResult; readonly cpu: CpuWindow };
  readonly memory?: { readonly calls: number; readonly bytesPerCall: number };
}

/** The goals of issue 4 against what was measured. */
export function goalTable(m: Measured): string {
  const rows: [string, string, string, string][] = [["goal", "measured", "target", ""]];
  if (m.rate) {
    const { result, cpu } = m.rate;
    const perCore = callsPerCoreSecond(result, cpu);
    const failures = failureTotal(result.failures);
    rows.push([
      "call rate through one trunk",
      `${int(perCore)} calls per server-core-second (${int(callsPerSecond(result))} calls/s), ${int(failures)} failures`,
      `≥ ${int(GOAL_CALLS_PER_CORE_SECOND)}, 0 failures`,
      perCore >= GOAL_CALLS_PER_CORE_SECOND && failures === 0 ? "met" : "MISSED",
    ]);
  } else rows.push(["call rate through one trunk", "not measured", "", ""]);
  if (m.rtp) {
    const { result } = m.rtp;
    const loss = lossPercent(result);
    const verdict = generatorBound(result)
      ? "not shown (generator-bound)"
      : result.calls >= GOAL_CONCURRENT_CALLS && loss < GOAL_LOSS_PERCENT
        ? "met"
        : "MISSED";
    rows.push([
      "concurrent calls, RTP echo 50 pps",
      `${int(result.calls)} calls, loss ${loss.toFixed(3)} %, ${(100 * sendShare(result)).toFixed(1)}% of target sent`,
      `≥ ${int(GOAL_CONCURRENT_CALLS)}, < ${GOAL_LOSS_PERCENT} %`,
      verdict,
    ]);
  } else rows.push(["concurrent calls, RTP echo 50 pps", "not measured", "", ""]);
  rows.push(
    m.memory
      ? [
          "memory per active call",
          `${(m.memory.bytesPerCall / 1024).toFixed(1)} KiB (server RSS, ${int(m.memory.calls)} calls up)`,
          "report",
          "",
        ]
      : ["memory per active call", "not measured", "", ""],
  );
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell))
        .join("   ")
        .trimEnd(),
    )
    .join("\n");
}
