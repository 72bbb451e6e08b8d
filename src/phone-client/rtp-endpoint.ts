import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import { type Clock, SystemClock, type TimerHandle } from "../shared/clock.js";
import type { AudioCodec } from "./client-sdp.js";

/** What the client sends: the peer's audio back (in order), or G.711 silence. */
export type ClientMediaMode = "echo" | "silence";

export interface ClientMediaStats {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** Expected minus received, from sequence numbers (RFC 3550 §A.3). */
  packetsLost: number;
  /** RFC 4733 digits sent and received, in order. */
  dtmfSent: string;
  dtmfReceived: string;
  /** Our RTP port, and the port we send to (the connector's, when its media is anchored). */
  localPort?: number;
  remotePort?: number;
}

export interface RtpTarget {
  readonly address: string;
  readonly port: number;
  readonly codec: AudioCodec;
  readonly telephoneEvent: number | null;
  /** False while the negotiated direction does not let us send (hold). */
  readonly sending: boolean;
}

const PACKET_MS = 20;
const SAMPLES_PER_PACKET = 160;
const HEADER_BYTES = 12;
/** RFC 4733 §3.2: events 0–9, *, #, A–D. */
const DTMF_EVENTS = "0123456789*#ABCD";
const DIGIT_PACKETS = 5;
const END_PACKETS = 3;
const GAP_PACKETS = 3;
const ECHO_QUEUE = 50;
const MAX_CATCH_UP_MS = 200;

interface DtmfInProgress {
  readonly event: number;
  readonly timestamp: number;
  sent: number;
}

/**
 * A tiny RTP (RFC 3550) endpoint on 127.0.0.1: one UDP socket, one packet every 20 ms
 * toward the negotiated address (echoed audio or silence), RFC 4733 telephone-events
 * for DTMF, and counters of what came back. Not a jitter buffer, not a codec: a probe.
 */
export class RtpEndpoint {
  readonly stats: ClientMediaStats = {
    packetsSent: 0,
    bytesSent: 0,
    packetsReceived: 0,
    bytesReceived: 0,
    packetsLost: 0,
    dtmfSent: "",
    dtmfReceived: "",
  };
  mode: ClientMediaMode;
  private target: RtpTarget | undefined;
  private ticker: TimerHandle | undefined;
  /** When the next packet is due: kept in logical time so late ticks catch up. */
  private nextDue = 0;
  private readonly ssrc = randomInt(0x7fffffff);
  private seq = randomInt(0xffff);
  private timestamp = randomInt(0x7fffffff);
  private readonly echo: Buffer[] = [];
  private readonly dtmfQueue: Array<{ event: number } | { gap: number } | { done: () => void }> = [];
  private dtmf: DtmfInProgress | undefined;
  private gap = 0;
  private receivedBase: number | undefined;
  private receivedHighest = 0;
  private lastDtmfTimestamp: number | undefined;
  private readonly audioListeners = new Set<(payload: Buffer) => void>();

  private constructor(
    private readonly socket: dgram.Socket,
    readonly address: string,
    readonly port: number,
    mode: ClientMediaMode,
    private readonly clock: Clock,
  ) {
    this.mode = mode;
    this.stats.localPort = port;
    socket.on("message", (data) => this.onPacket(data));
  }

  /** Bind a UDP socket on `host`, port chosen by the OS; `clock` paces the 20 ms packets. */
  static open(host: string, mode: ClientMediaMode, clock: Clock = new SystemClock()): Promise<RtpEndpoint> {
    const socket = dgram.createSocket("udp4");
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, host, () => {
        socket.off("error", reject);
        socket.on("error", () => {});
        resolve(new RtpEndpoint(socket, host, socket.address().port, mode, clock));
      });
    });
  }

  /** Where to send and in which codec; undefined stops sending. */
  configure(target: RtpTarget | undefined): void {
    this.target = target;
    if (target) this.stats.remotePort = target.port;
    if (target && !this.ticker) {
      this.nextDue = this.clock.now() + PACKET_MS;
      this.schedule();
    }
  }

  /** Called with every received audio payload (not DTMF events). */
  onAudio(listener: (payload: Buffer) => void): () => void {
    this.audioListeners.add(listener);
    return () => this.audioListeners.delete(listener);
  }

  /**
   * RFC 4733 §2.5: each digit as 100 ms of events (first with the marker bit, three end
   * packets), 60 ms apart. Resolves once the last end packet is out.
   */
  sendDtmf(digits: string): Promise<void> {
    const events = [...digits.toUpperCase()].map((d) => DTMF_EVENTS.indexOf(d));
    if (events.some((e) => e < 0)) return Promise.reject(new Error(`not DTMF digits: "${digits}"`));
    if (!this.target?.sending || this.target.telephoneEvent === null)
      return Promise.reject(new Error("DTMF needs a sending stream with telephone-event negotiated"));
    return new Promise((resolve) => {
      for (const event of events) this.dtmfQueue.push({ event }, { gap: GAP_PACKETS });
      this.dtmfQueue.push({ done: resolve });
    });
  }

  close(): void {
    if (this.ticker) this.clock.clearTimer(this.ticker);
    this.ticker = undefined;
    this.target = undefined;
    for (const item of this.dtmfQueue) if ("done" in item) item.done();
    this.dtmfQueue.length = 0;
    this.socket.close();
  }

  private schedule(): void {
    const now = this.clock.now();
    // After a long stall, pick the 20 ms rhythm up from now rather than sending a burst.
    if (this.nextDue < now - MAX_CATCH_UP_MS) this.nextDue = now;
    this.ticker = this.clock.setTimer(this.nextDue - now, () => this.tick());
  }

  private tick(): void {
    this.nextDue += PACKET_MS;
    this.schedule();
    const target = this.target;
    this.timestamp = (this.timestamp + SAMPLES_PER_PACKET) >>> 0;
    if (!target?.sending) {
      this.echo.length = 0;
      return;
    }
    if (this.sendDtmfPacket(target)) return;
    const queued = this.mode === "echo" ? this.echo.shift() : undefined;
    const payload = queued ?? Buffer.alloc(SAMPLES_PER_PACKET, target.codec.name === "PCMA" ? 0xd5 : 0xff);
    this.send(target, target.codec.payloadType, false, this.timestamp, payload);
  }

  /** True when this tick belonged to DTMF (an event packet or the pause after a digit). */
  private sendDtmfPacket(target: RtpTarget): boolean {
    if (!this.dtmf && this.gap === 0) {
      const next = this.dtmfQueue.shift();
      if (next && "event" in next) this.dtmf = { event: next.event, timestamp: this.timestamp, sent: 0 };
      else if (next && "gap" in next) this.gap = next.gap;
      else if (next) next.done();
    }
    if (this.gap > 0) {
      this.gap--;
      return false;
    }
    const dtmf = this.dtmf;
    if (!dtmf) return false;
    dtmf.sent++;
    const end = dtmf.sent >= DIGIT_PACKETS;
    const duration = Math.min(dtmf.sent, DIGIT_PACKETS) * SAMPLES_PER_PACKET;
    const payload = Buffer.from([dtmf.event, end ? 0x80 | 10 : 10, duration >> 8, duration & 0xff]);
    this.send(target, target.telephoneEvent!, dtmf.sent === 1, dtmf.timestamp, payload);
    if (dtmf.sent === DIGIT_PACKETS) this.stats.dtmfSent += DTMF_EVENTS[dtmf.event];
    if (dtmf.sent >= DIGIT_PACKETS + END_PACKETS - 1) this.dtmf = undefined;
    return true;
  }

  private send(
    target: RtpTarget,
    payloadType: number,
    marker: boolean,
    timestamp: number,
    payload: Buffer,
  ): void {
    const packet = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
    packet[0] = 0x80;
    packet[1] = (marker ? 0x80 : 0) | payloadType;
    packet.writeUInt16BE(this.seq, 2);
    packet.writeUInt32BE(timestamp, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    payload.copy(packet, HEADER_BYTES);
    this.seq = (this.seq + 1) & 0xffff;
    this.socket.send(packet, target.port, target.address);
    this.stats.packetsSent++;
    this.stats.bytesSent += payload.length;
  }

  private onPacket(data: Buffer): void {
    if (data.length < HEADER_BYTES || data[0]! >> 6 !== 2) return;
    const payloadType = data[1]! & 0x7f;
    // RFC 5761 §4: 200–204 in the second byte is RTCP, not RTP.
    if (data[1]! >= 200 && data[1]! <= 204) return;
    const offset = HEADER_BYTES + 4 * (data[0]! & 0x0f);
    const payload = data.subarray(offset);
    this.countReceived(data.readUInt16BE(2), payload.length);
    const target = this.target;
    if (target?.telephoneEvent === payloadType) {
      this.onTelephoneEvent(data.readUInt32BE(4), payload);
      return;
    }
    for (const listener of this.audioListeners) listener(payload);
    if (this.mode === "echo" && target && payloadType === target.codec.payloadType) {
      if (this.echo.length >= ECHO_QUEUE) this.echo.shift();
      this.echo.push(Buffer.from(payload));
    }
  }

  /** RFC 3550 §A.1: extended highest sequence number; lost = expected - received. */
  private countReceived(seq: number, bytes: number): void {
    this.stats.packetsReceived++;
    this.stats.bytesReceived += bytes;
    if (this.receivedBase === undefined) {
      this.receivedBase = seq;
      this.receivedHighest = seq;
    } else {
      const delta = (seq - (this.receivedHighest & 0xffff) + 0x10000) & 0xffff;
      if (delta < 0x8000) this.receivedHighest += delta;
    }
    const expected = this.receivedHighest - this.receivedBase + 1;
    this.stats.packetsLost = Math.max(0, expected - this.stats.packetsReceived);
  }

  /** One digit per event timestamp, on its first end packet (RFC 4733 §2.5.1.4 retransmits them). */
  private onTelephoneEvent(timestamp: number, payload: Buffer): void {
    if (payload.length < 4 || (payload[1]! & 0x80) === 0 || timestamp === this.lastDtmfTimestamp) return;
    this.lastDtmfTimestamp = timestamp;
    const digit = DTMF_EVENTS[payload[0]!];
    if (digit) this.stats.dtmfReceived += digit;
  }
}
