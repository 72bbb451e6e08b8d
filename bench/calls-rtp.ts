import { randomInt } from "node:crypto";
import type { RemoteInfo, Socket } from "node:dgram";
import type { BenchCall } from "./calls-dialer.js";
import type { RtpResult, RtpSpec } from "./calls-protocol.js";
import { udpDrops } from "./calls-udp-drops.js";

const PERIOD_MS = 20;
/** 20 ms of PCMU at 8 kHz. */
const SAMPLES = 160;
const HEADER = 12;
/** A late generator catches up at most this many ticks at once; older ones are skipped. */
const MAX_BURST = 2;
/** After the drain, echoes still coming are counted as late until this much silence (or the bound). */
const QUIET_MS = 300;
const MAX_QUIET_WAIT_MS = 5_000;

/** RTP header (RFC 3550 §5.1, PT 0 = PCMU) and a payload of PCMU silence naming the call and the run. */
function packetTemplate(index: number, run: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(HEADER + SAMPLES, 0xff);
  packet[0] = 0x80;
  packet[1] = 0;
  packet.writeUInt32BE(ssrc, 8);
  packet.writeUInt32BE(index, HEADER);
  packet.writeUInt32BE(run, HEADER + 4);
  return packet;
}

/** Where the payload starts: after the CSRC list and a header extension (RFC 3550 §5.3.1). */
function payloadOffset(packet: Buffer): number {
  let offset = HEADER + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10 && packet.length >= offset + 4) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  return offset;
}

/** Echo counters of one run; the payload tells the call and the run an echo belongs to. */
class EchoCounter {
  readonly received: Uint32Array;
  misrouted = 0;
  unknown = 0;
  /** Echoes of an earlier run. */
  stale = 0;
  /** Echoes of this run after the drain. */
  late = 0;
  drained = false;
  lastEchoAt = performance.now();
  private readonly callByPort = new Int32Array(65536).fill(-1);

  constructor(
    calls: readonly BenchCall[],
    private readonly run: number,
  ) {
    this.received = new Uint32Array(calls.length);
    calls.forEach((c, i) => {
      this.callByPort[c.serverRtpPort] = i;
    });
  }

  readonly onMessage = (packet: Buffer, from: RemoteInfo): void => {
    this.lastEchoAt = performance.now();
    const i = this.callByPort[from.port] ?? -1;
    const offset = packet.length >= HEADER ? payloadOffset(packet) : packet.length;
    if (packet.length < offset + 8) this.unknown++;
    else if (packet.readUInt32BE(offset + 4) !== this.run) this.stale++;
    else if (this.drained) this.late++;
    else if (i < 0) this.unknown++;
    else if (packet.readUInt32BE(offset) !== i) this.misrouted++;
    else this.received[i]!++;
  };
}

/** Resolves once no echo came for QUIET_MS (at most MAX_QUIET_WAIT_MS). */
function quiet(echoes: EchoCounter): Promise<void> {
  const since = performance.now();
  return new Promise((resolve) => {
    const check = () => {
      const now = performance.now();
      if (now - echoes.lastEchoAt >= QUIET_MS || now - since >= MAX_QUIET_WAIT_MS) resolve();
      else setTimeout(check, QUIET_MS / 3);
    };
    check();
  });
}

interface Pacing {
  sentTicks: number;
  skippedTicks: number;
  lateTicks: number;
  maxLagMs: number;
}

/** Calls `send(tick)` every 20 ms for `totalTicks`, catching up at most MAX_BURST ticks at once. */
function paced(totalTicks: number, send: (tick: number) => void): Promise<Pacing> {
  const pacing: Pacing = { sentTicks: 0, skippedTicks: 0, lateTicks: 0, maxLagMs: 0 };
  const t0 = performance.now();
  let ticks = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(totalTicks, Math.floor((now - t0) / PERIOD_MS) + 1);
      if (due - ticks > MAX_BURST) {
        pacing.skippedTicks += due - ticks - MAX_BURST;
        ticks = due - MAX_BURST;
      }
      for (; ticks < due; ticks++) {
        const lag = now - (t0 + ticks * PERIOD_MS);
        pacing.maxLagMs = Math.max(pacing.maxLagMs, lag);
        if (lag > PERIOD_MS) pacing.lateTicks++;
        send(ticks);
        pacing.sentTicks++;
      }
      if (ticks < totalTicks) setTimeout(tick, Math.max(0, t0 + ticks * PERIOD_MS - performance.now()));
      else resolve(pacing);
    };
    tick();
  });
}

/**
 * Phase (2): every call sends one PCMU packet per 20 ms tick from the one shared socket
 * to its server port (distinct SSRC, sequence and timestamp per call); the emulator
 * echoes each to the latched source. Echoes are told apart by the server port they come
 * from and checked against the call and run named in their payload; counted after a drain.
 */
export async function runRtp(
  socket: Socket,
  upCalls: readonly BenchCall[],
  spec: RtpSpec,
  mark: (at: "start" | "end") => void,
): Promise<RtpResult> {
  const calls = upCalls.slice(0, spec.calls).filter((c) => c.serverRtpPort > 0);
  const n = calls.length;
  const run = randomInt(0, 2 ** 32);
  const templates = calls.map((_, i) => packetTemplate(i, run, randomInt(0, 2 ** 32)));
  const firstSeq = calls.map(() => randomInt(0, 65536));
  const firstTimestamp = calls.map(() => randomInt(0, 2 ** 32));
  const echoes = new EchoCounter(calls, run);
  let sendErrors = 0;
  const onError = () => {
    sendErrors++;
  };
  const serverPorts = new Set(calls.map((c) => c.serverRtpPort));
  const ownPort = new Set([socket.address().port]);
  const dropsBefore = { server: udpDrops(serverPorts), generator: udpDrops(ownPort) };
  socket.on("message", echoes.onMessage);
  socket.on("error", onError);
  const totalTicks = Math.max(1, Math.round((spec.seconds * 1000) / PERIOD_MS));
  const t0 = performance.now();
  const cpuStart = process.cpuUsage();
  mark("start");
  const pacing = await paced(totalTicks, (tick) => {
    for (let i = 0; i < n; i++) {
      const packet = Buffer.allocUnsafe(HEADER + SAMPLES);
      templates[i]!.copy(packet);
      packet.writeUInt16BE((firstSeq[i]! + tick) & 0xffff, 2);
      packet.writeUInt32BE((firstTimestamp[i]! + tick * SAMPLES) % 2 ** 32, 4);
      socket.send(packet, calls[i]!.serverRtpPort, "127.0.0.1");
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  mark("end");
  await new Promise((resolve) => setTimeout(resolve, spec.drainMs));
  echoes.drained = true;
  await quiet(echoes);
  socket.off("message", echoes.onMessage);
  socket.off("error", onError);
  const droppedAtServer = udpDrops(serverPorts) - dropsBefore.server;
  const droppedAtGenerator = udpDrops(ownPort) - dropsBefore.generator;

  let received = 0;
  let callsWithLoss = 0;
  let silentCalls = 0;
  for (const r of echoes.received) {
    received += r;
    if (r < pacing.sentTicks) callsWithLoss++;
    if (r === 0) silentCalls++;
  }
  return {
    calls: n,
    seconds,
    targetPackets: n * totalTicks,
    sent: n * pacing.sentTicks - sendErrors,
    received,
    misrouted: echoes.misrouted,
    unknown: echoes.unknown,
    stale: echoes.stale,
    late: echoes.late,
    droppedAtServer,
    droppedAtGenerator,
    skippedTicks: pacing.skippedTicks,
    lateTicks: pacing.lateTicks,
    maxLagMs: pacing.maxLagMs,
    callsWithLoss,
    silentCalls,
    sendErrors,
    generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}
