import { randomInt } from "node:crypto";
import type { RemoteInfo, Socket } from "node:dgram";
import { performance } from "node:perf_hooks";
import type { AudioFrames } from "./audio-frames.js";
import { type CodecChoice, SAMPLES_PER_FRAME } from "./codecs.js";
import { sends } from "./direction.js";
import { DtmfDetector } from "./dtmf-detector.js";
import { DtmfSender } from "./dtmf-sender.js";
import type { MediaTicker, Tickable } from "./media-ticker.js";
import { type Direction, isMediaMode, type MediaMode, type MediaStats } from "./media-types.js";
import { type Negotiated, OfferAnswer } from "./offer-answer.js";
import { isRtcp } from "./rtcp-packet.js";
import { RtcpSession } from "./rtcp-session.js";
import { buildRtpPacket, parseRtpPacket, type RtpPacket } from "./rtp-packet.js";
import { RtpReceiveStats } from "./rtp-receive-stats.js";
import type { RemoteAddress } from "./sdp-negotiation.js";
import { parseTelephoneEvent } from "./telephone-event.js";

export type AnswerResult =
  | { ok: true; sdp: string; codec: CodecChoice; direction: Direction }
  | { ok: false; status: 488 | 415 | 400; reason: string };

export type ApplyAnswerResult =
  | { ok: true; codec: CodecChoice; direction: Direction }
  | { ok: false; status: 488 | 400; reason: string };

/** What the engine hands a new session; sessions are made by MediaEngine.createSession(). */
export interface MediaSessionInit {
  socket: Socket;
  /** Bound on port + 1. */
  rtcpSocket: Socket;
  port: number;
  host: string;
  mode: MediaMode;
  ssrc: number;
  /** Our SDES CNAME (RFC 3550 §6.5.1). */
  cname: string;
  /** Mean RTCP report interval. */
  rtcpIntervalMs: number;
  ticker: MediaTicker;
  frames: AudioFrames;
  log: (event: string, detail: object) => void;
  now: () => number;
  /** Called at close(). */
  onClose: (session: MediaSession) => void;
  /** Called once both sockets are closed (after the RTCP BYE went out): the ports are free. */
  onReleased: () => void;
}

/** Milliseconds since 1970 that never step back: NTP time for RTCP (RFC 3550 §4). */
const wallclockMs = (): number => performance.timeOrigin + performance.now();

/** Who a session belongs to, set by the B2BUA; RTP fault rules match on it. */
export interface MediaTags {
  readonly callId?: string;
  readonly tenantId?: string;
  readonly tenant?: string;
  readonly trunkId?: string;
  readonly trunk?: string;
}

/** Fault injection on RTP (src/faults): decides the fate of each packet. */
export interface RtpFaultHooks {
  /** False when no rule acts in that direction now: the packet then bypasses the hooks. */
  applies?(direction: "in" | "out"): boolean;
  /** `rtp.in`: `deliver` processes the packet now, later or never. */
  incoming(session: MediaSession, packet: Buffer, deliver: () => void): void;
  /** `rtp.out`: `transmit` sends the packet (or a rewritten copy) now, later or never. */
  outgoing(session: MediaSession, packet: Buffer, transmit: (packet: Buffer) => void): void;
}

function sameAddress(a: RemoteAddress | null, b: RemoteAddress | null): boolean {
  return a?.address === b?.address && a?.port === b?.port;
}

/** One RTP stream on one UDP port: SDP offer/answer, sending per mode, counters, DTMF. */
export class MediaSession implements Tickable {
  readonly localPort: number;
  tags: MediaTags = {};
  private readonly init: MediaSessionInit;
  private currentMode: MediaMode;
  private negotiated: { codec: CodecChoice; direction: Direction; sdpRemote: RemoteAddress | null } | null =
    null;
  /** Where we send: the SDP address until a packet arrives from elsewhere (symmetric RTP). */
  private remote: RemoteAddress | null = null;
  private readonly sdp: OfferAnswer;
  private sequence = randomInt(0, 65536);
  private timestamp = randomInt(0, 2 ** 32);
  /** Our last RTP packet's timestamp and when it went out (wallclock ms; NaN before any): the SR's RTP time. */
  private lastSentTimestamp = 0;
  private lastSentAtMs = Number.NaN;
  private readonly rtcp: RtcpSession;
  /** The next audio packet starts a talkspurt (RFC 3551 §4.1: marker bit). */
  private marker = true;
  private readonly counters = {
    packetsSent: 0,
    packetsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    packetsIgnored: 0,
  };
  private lastReceivedAt: number | null = null;
  /** The last received audio packet, to carry the peer's pauses into our echo timestamps. */
  private lastAudio: { ssrc: number; timestamp: number; length: number } | null = null;
  private readonly receiveStats = new RtpReceiveStats();
  private readonly detector = new DtmfDetector();
  private readonly dtmfSender = new DtmfSender();
  private readonly dtmfListeners: ((digit: string) => void)[] = [];
  private digits = "";
  private closed = false;
  private faults: RtpFaultHooks | undefined;
  /** Relay mode: received RTP goes here instead of being echoed (the connector's anchored client calls). */
  private sink: ((packet: RtpPacket) => void) | null = null;
  /** The relayed source we follow and the offset from its RTP timestamps to ours. */
  private relayedFrom: { ssrc: number; offset: number } | null = null;
  private loggedIgnored = false;
  private lastSendError: string | null = null;
  private readonly afterSend = (error: Error | null): void => {
    if (error && error.message !== this.lastSendError) {
      this.lastSendError = error.message;
      this.init.log("send_error", { port: this.localPort, to: this.remote, message: error.message });
    }
  };

  constructor(init: MediaSessionInit) {
    this.init = init;
    this.localPort = init.port;
    this.currentMode = init.mode;
    this.sdp = new OfferAnswer(init.host, init.port);
    this.rtcp = new RtcpSession({
      ssrc: init.ssrc,
      cname: init.cname,
      port: init.port,
      rtpSocket: init.socket,
      rtcpSocket: init.rtcpSocket,
      intervalMs: init.rtcpIntervalMs,
      log: init.log,
      wallclockMs,
      source: {
        sender: (nowMs) => this.senderState(nowMs),
        reception: () => this.receiveStats.snapshot(),
        rtpRemote: () => this.remote,
        clockRate: () => this.negotiated?.codec.clockRate ?? 8000,
      },
    });
    init.socket.on("message", (data, from) => this.receive(data, from));
    init.socket.on("error", (error) =>
      init.log("socket_error", { port: this.localPort, message: error.message }),
    );
    this.updateTicking();
  }

  /**
   * RFC 3264 §6 answerer. A later call (re-INVITE, UPDATE) renegotiates: same o= session
   * id, version + 1 (§8). A refused offer leaves the session as it was.
   */
  answer(offerSdp: string): AnswerResult {
    const result = this.sdp.answer(offerSdp);
    if (!result.ok) {
      this.init.log("offer_refused", { port: this.localPort, status: result.status, reason: result.reason });
      return result;
    }
    this.apply(result, "answer");
    return { ok: true, sdp: result.sdp, codec: result.stream.codec, direction: result.direction };
  }

  /** RFC 3264 §5 offerer: all our codecs and telephone-event, in the given direction. */
  offer(direction: Direction = "sendrecv"): string {
    return this.sdp.offer(direction);
  }

  /** Applies the answer to our last offer(). */
  applyAnswer(answerSdp: string): ApplyAnswerResult {
    const result = this.sdp.applyAnswer(answerSdp);
    if (!result.ok) {
      this.init.log("answer_refused", { port: this.localPort, status: result.status, reason: result.reason });
      return result;
    }
    this.apply(result, "offer");
    return { ok: true, codec: result.stream.codec, direction: result.direction };
  }

  /**
   * Relay mode (anchored media, b2bua/client-media.ts): every received RTP packet, audio and
   * telephone-event alike, goes to `sink` after it is counted, instead of being echoed; the
   * session sends only what `forward()` hands it (and DTMF from `sendDtmf`). Null leaves relay mode.
   */
  relay(sink: ((packet: RtpPacket) => void) | null): void {
    this.sink = sink;
  }

  /**
   * Sends a packet relayed from another leg with our SSRC and sequence numbers; its RTP
   * timestamps keep their spacing, shifted onto ours (a new source starts a talkspurt). The
   * payload type is the caller's (mapped to this side's). Dropped while this side may not send.
   */
  forward(packet: Pick<RtpPacket, "payloadType" | "marker" | "timestamp" | "ssrc" | "payload">): boolean {
    if (!this.canSend() || this.dtmfSender.active) return false;
    let marker = packet.marker;
    if (this.relayedFrom?.ssrc !== packet.ssrc) {
      this.relayedFrom = { ssrc: packet.ssrc, offset: (this.timestamp - packet.timestamp) >>> 0 };
      marker = true;
    }
    const timestamp = (packet.timestamp + this.relayedFrom.offset) >>> 0;
    this.send(packet.payloadType, marker, packet.payload, timestamp);
    if (packet.payloadType !== this.negotiated?.codec.telephoneEvent) {
      // For G.711 and G.722 one payload octet lasts one timestamp unit.
      const next = (timestamp + packet.payload.length) >>> 0;
      if (((next - this.timestamp) | 0) > 0) this.timestamp = next;
    }
    return true;
  }

  /** Where we send RTP now (latched from the peer's packets, else from its SDP); null before. */
  get remoteAddress(): RemoteAddress | null {
    return this.remote;
  }

  /** The negotiated codec (and telephone-event payload type); null before any negotiation. */
  get codec(): CodecChoice | null {
    return this.negotiated?.codec ?? null;
  }

  /** Subject every packet in and out to these fault hooks (undefined: none). */
  useFaults(faults: RtpFaultHooks | undefined): void {
    this.faults = faults;
  }

  setMode(mode: MediaMode): void {
    if (!isMediaMode(mode)) throw new RangeError(`unknown media mode "${mode}": use echo, tone or silence`);
    if (mode === this.currentMode) return;
    this.currentMode = mode;
    this.marker = true;
    this.init.log("mode", { port: this.localPort, mode });
    this.updateTicking();
  }

  get mode(): MediaMode {
    return this.currentMode;
  }

  /** The negotiated direction from our point of view; inactive before any negotiation. */
  get direction(): Direction {
    return this.negotiated?.direction ?? "inactive";
  }

  get stats(): MediaStats {
    const clockRate = this.negotiated?.codec.clockRate ?? 8000;
    return {
      ...this.counters,
      packetsLost: this.receiveStats.packetsLost,
      jitterMs: (this.receiveStats.jitterUnits * 1000) / clockRate,
      lastReceivedAt: this.lastReceivedAt,
      rtcp: this.rtcp.stats,
    };
  }

  get dtmf(): string {
    return this.digits;
  }

  onDtmf(listener: (digit: string) => void): void {
    this.dtmfListeners.push(listener);
  }

  /** RFC 4733 events; our audio pauses while they are sent. Resolves when the last digit ended. */
  sendDtmf(digits: string, durationMs?: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the media session is closed"));
    if (this.negotiated?.codec.telephoneEvent == null) {
      return Promise.reject(new Error("telephone-event was not negotiated: RFC 4733 DTMF cannot be sent"));
    }
    if (!this.canSend())
      return Promise.reject(new Error(`cannot send DTMF: the stream is ${this.direction}`));
    const sent = this.dtmfSender.enqueue(digits, durationMs);
    this.updateTicking();
    return sent;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.init.ticker.delete(this);
    this.dtmfSender.cancel(new Error("the media session closed before the DTMF digits were sent"));
    this.init.log("session_closed", { port: this.localPort, stats: this.stats, dtmf: this.digits });
    this.init.onClose(this);
    // RTCP BYE (RFC 3550 §6.6) first: closing a socket drops a datagram not yet sent.
    this.rtcp.close(() => this.closeSockets());
  }

  private closeSockets(): void {
    for (const socket of [this.init.socket, this.init.rtcpSocket]) {
      try {
        socket.close();
      } catch {
        // The socket was already closed.
      }
    }
    this.init.onReleased();
  }

  onTick(tick: number): void {
    const event = this.dtmfSender.step(this.timestamp);
    const codec = this.negotiated?.codec;
    if (codec && this.canSend()) {
      if (event) this.send(codec.telephoneEvent!, event.marker, event.payload, event.timestamp);
      else if (this.currentMode !== "echo") {
        const frame = this.init.frames.frame(codec.name, this.currentMode, tick);
        this.send(codec.payloadType, this.marker, frame, this.timestamp);
        this.marker = false;
      }
    }
    this.timestamp = (this.timestamp + SAMPLES_PER_FRAME) >>> 0;
    if (!this.dtmfSender.active) this.updateTicking();
  }

  private apply({ stream, direction }: Negotiated, role: "answer" | "offer"): void {
    const previous = this.negotiated;
    // A latched address stays while the SDP repeats the address it replaced (NAT, SPEC §1).
    if (stream.remote && !sameAddress(previous?.sdpRemote ?? null, stream.remote))
      this.remote = stream.remote;
    if (!previous || !sends(previous.direction)) this.marker = true;
    this.negotiated = {
      codec: stream.codec,
      direction,
      sdpRemote: stream.remote ?? previous?.sdpRemote ?? null,
    };
    this.rtcp.negotiated(stream.rtcp);
    this.init.log("negotiated", {
      port: this.localPort,
      role,
      codec: stream.codec,
      direction,
      remote: this.remote,
      rtcpMux: stream.rtcp.mux,
    });
  }

  private canSend(): boolean {
    return (
      !this.closed && this.remote !== null && this.negotiated !== null && sends(this.negotiated.direction)
    );
  }

  private updateTicking(): void {
    if (!this.closed && (this.currentMode !== "echo" || this.dtmfSender.active)) this.init.ticker.add(this);
    else this.init.ticker.delete(this);
  }

  private senderState(nowMs: number): { packets: number; octets: number; rtpTimestamp: number } {
    const { packetsSent, bytesSent } = this.counters;
    const clockRate = this.negotiated?.codec.clockRate ?? 8000;
    const rtpTimestamp = Number.isNaN(this.lastSentAtMs)
      ? this.timestamp
      : (this.lastSentTimestamp + Math.round(((nowMs - this.lastSentAtMs) * clockRate) / 1000)) >>> 0;
    return { packets: packetsSent, octets: bytesSent, rtpTimestamp };
  }

  private send(payloadType: number, marker: boolean, payload: Uint8Array, timestamp: number): void {
    const remote = this.remote!;
    this.lastSentTimestamp = timestamp;
    this.lastSentAtMs = wallclockMs();
    const header = { marker, payloadType, sequenceNumber: this.sequence, timestamp, ssrc: this.init.ssrc };
    const packet = buildRtpPacket(header, payload);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.counters.packetsSent++;
    this.counters.bytesSent += payload.length;
    const faults = this.faults;
    if (faults && faults.applies?.("out") !== false)
      faults.outgoing(this, packet, (out) => this.transmit(out, remote));
    else this.transmit(packet, remote);
  }

  /** A fault may delay a packet past the close: then it is not sent. */
  private transmit(packet: Buffer, remote: RemoteAddress): void {
    if (!this.closed) this.init.socket.send(packet, remote.port, remote.address, this.afterSend);
  }

  private receive(data: Buffer, from: RemoteInfo): void {
    if (this.closed) return;
    // RTCP on the RTP port (RFC 5761 §4): taken whether or not mux was negotiated; RTP faults do not apply.
    if (isRtcp(data)) this.rtcp.receive(data, from, false);
    else if (this.faults && this.faults.applies?.("in") !== false)
      this.faults.incoming(this, data, () => this.process(data, from));
    else this.process(data, from);
  }

  private process(data: Buffer, from: RemoteInfo): void {
    if (this.closed) return;
    const parsed = parseRtpPacket(data);
    if (!parsed.ok) {
      this.counters.packetsIgnored++;
      if (!this.loggedIgnored) {
        // Logged once per session: a flood of garbage must not flood the log.
        this.loggedIgnored = true;
        this.init.log("rtp_ignored", {
          port: this.localPort,
          from: `${from.address}:${from.port}`,
          reason: parsed.reason,
        });
      }
      return;
    }
    const packet = parsed.packet;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += packet.payload.length;
    this.lastReceivedAt = this.init.now();
    this.latch(from);
    const codec = this.negotiated?.codec;
    const isEvent = codec?.telephoneEvent != null && packet.payloadType === codec.telephoneEvent;
    const arrival = (performance.now() * (codec?.clockRate ?? 8000)) / 1000;
    this.receiveStats.record(packet.ssrc, packet.sequenceNumber, packet.timestamp, arrival, !isEvent);
    if (isEvent) this.detectDtmf(packet.ssrc, packet.timestamp, packet.payload);
    if (this.sink) this.relayOut(packet);
    else if (!isEvent && packet.payloadType === codec?.payloadType) this.echo(packet);
  }

  private relayOut(packet: RtpPacket): void {
    try {
      this.sink?.(packet);
    } catch (error) {
      // The relay's fault must not escape into the socket's message handler.
      this.init.log("relay_error", { port: this.localPort, message: (error as Error).message });
    }
  }

  /** Sends the payload back in echo mode; our timestamps follow the peer's pauses, so they track time. */
  private echo(packet: RtpPacket): void {
    const last = this.lastAudio;
    this.lastAudio = { ssrc: packet.ssrc, timestamp: packet.timestamp, length: packet.payload.length };
    if (this.currentMode !== "echo" || this.dtmfSender.active || !this.canSend()) return;
    if (last?.ssrc === packet.ssrc) {
      // For G.711 and G.722 (64 kbit/s) one payload octet lasts one timestamp unit.
      const gap = ((packet.timestamp - last.timestamp) | 0) - last.length;
      if (gap > 0) this.timestamp = (this.timestamp + gap) >>> 0;
    }
    this.send(packet.payloadType, packet.marker || this.marker, packet.payload, this.timestamp);
    this.marker = false;
    this.timestamp = (this.timestamp + packet.payload.length) >>> 0;
  }

  /** Symmetric RTP (RFC 4961): answer where the peer's packets come from, e.g. its NAT's address. */
  private latch(from: RemoteInfo): void {
    const remote = this.remote;
    if (remote && remote.address === from.address && remote.port === from.port) return;
    this.remote = { address: from.address, port: from.port };
    this.init.log("latched", { port: this.localPort, from: remote, to: this.remote });
  }

  private detectDtmf(ssrc: number, timestamp: number, payload: Buffer): void {
    const event = parseTelephoneEvent(payload);
    if (!event) return;
    for (const digit of this.detector.accept(ssrc, timestamp, event)) {
      this.digits += digit;
      this.init.log("dtmf", { port: this.localPort, digit });
      for (const listener of this.dtmfListeners) {
        try {
          listener(digit);
        } catch (error) {
          // A listener's fault must not escape into the socket's message handler.
          this.init.log("dtmf_listener_error", { port: this.localPort, message: (error as Error).message });
        }
      }
    }
  }
}
