import { randomInt } from "node:crypto";
import type { RemoteInfo, Socket } from "node:dgram";
import type { BenchCall } from "./calls-dialer.js";
import type { RtpResult, RtpSpec } from "./calls-protocol.js";

const PERIOD_MS = 20;
/** 20 ms of PCMU at 8 kHz. */
const SAMPLES = 160;
const HEADER = 12;
/** A late generator catches up at most this many ticks at once; older ones are skipped. */
const MAX_BURST = 2;

/** RTP header (RFC 3550 §5.1, PT 0 = PCMU) and a payload of PCMU silence that names the call. */
function packetTemplate(index: number, ssrc: number): Buffer {
  const packet = Buffer.alloc(HEADER + SAMPLES, 0xff);
  packet[0] = 0x80;
  packet[1] = 0;
  packet.writeUInt32BE(ssrc, 8);
  packet.writeUInt32BE(index, HEADER);
  return packet;
}

/** Where the payload starts: after the CSRC list and a header extension (RFC 3550 §5.3.1). */
function payloadOffset(packet: Buffer): number {
  let offset = HEADER + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10 && packet.length >= offset + 4) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  return offset;
}

/**
 * Phase (2): every call sends one PCMU packet per 20 ms tick from the one shared socket
 * to its server port (distinct SSRC, sequence and timestamp per call); the emulator
 * echoes each to the latched source. Echoes are told apart by the server port they come
 * from, and checked against the call index in their payload. Counts after a drain.
 */
export function runRtp(
  socket: Socket,
  upCalls: readonly BenchCall[],
  spec: RtpSpec,
  mark: (at: "start" | "end") => void,
): Promise<RtpResult> {
  const calls = upCalls.slice(0, spec.calls).filter((c) => c.serverRtpPort > 0);
  const n = calls.length;
  const callByPort = new Int32Array(65536).fill(-1);
  calls.forEach((c, i) => {
    callByPort[c.serverRtpPort] = i;
  });
  const templates = calls.map((_, i) => packetTemplate(i, randomInt(0, 2 ** 32)));
  const firstSeq = calls.map(() => randomInt(0, 65536));
  const firstTimestamp = calls.map(() => randomInt(0, 2 ** 32));
  const received = new Uint32Array(n);
  let misrouted = 0;
  let unknown = 0;
  let sendErrors = 0;
  const onMessage = (packet: Buffer, from: RemoteInfo) => {
    const i = callByPort[from.port] ?? -1;
    const offset = packet.length >= HEADER ? payloadOffset(packet) : packet.length;
    if (i < 0 || packet.length < offset + 4) unknown++;
    else if (packet.readUInt32BE(offset) !== i) misrouted++;
    else received[i]!++;
  };
  const onError = () => {
    sendErrors++;
  };
  socket.on("message", onMessage);
  socket.on("error", onError);

  const sendTick = (tick: number) => {
    for (let i = 0; i < n; i++) {
      const packet = Buffer.allocUnsafe(HEADER + SAMPLES);
      templates[i]!.copy(packet);
      packet.writeUInt16BE((firstSeq[i]! + tick) & 0xffff, 2);
      packet.writeUInt32BE((firstTimestamp[i]! + tick * SAMPLES) % 2 ** 32, 4);
      socket.send(packet, calls[i]!.serverRtpPort, "127.0.0.1");
    }
  };

  const totalTicks = Math.max(1, Math.round((spec.seconds * 1000) / PERIOD_MS));
  return new Promise((resolve) => {
    let ticks = 0;
    let sentTicks = 0;
    let skippedTicks = 0;
    let lateTicks = 0;
    let maxLagMs = 0;
    const t0 = performance.now();
    const cpuStart = process.cpuUsage();
    mark("start");
    const tick = () => {
      const now = performance.now();
      const due = Math.min(totalTicks, Math.floor((now - t0) / PERIOD_MS) + 1);
      if (due - ticks > MAX_BURST) {
        skippedTicks += due - ticks - MAX_BURST;
        ticks = due - MAX_BURST;
      }
      for (; ticks < due; ticks++, sentTicks++) {
        const lag = now - (t0 + ticks * PERIOD_MS);
        if (lag > maxLagMs) maxLagMs = lag;
        if (lag > PERIOD_MS) lateTicks++;
        sendTick(ticks);
      }
      if (ticks < totalTicks) {
        setTimeout(tick, Math.max(0, t0 + ticks * PERIOD_MS - performance.now()));
        return;
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      mark("end");
      setTimeout(() => {
        socket.off("message", onMessage);
        socket.off("error", onError);
        const perCall = sentTicks;
        let receivedTotal = 0;
        let callsWithLoss = 0;
        let silentCalls = 0;
        for (const r of received) {
          receivedTotal += r;
          if (r < perCall) callsWithLoss++;
          if (r === 0) silentCalls++;
        }
        resolve({
          calls: n,
          seconds,
          targetPackets: n * totalTicks,
          sent: n * sentTicks - sendErrors,
          received: receivedTotal,
          misrouted,
          unknown,
          skippedTicks,
          lateTicks,
          maxLagMs,
          callsWithLoss,
          silentCalls,
          sendErrors,
          generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
        });
      }, spec.drainMs);
    };
    tick();
  });
}
