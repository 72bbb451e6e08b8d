import { RtpReceiveStats } from "../rtp-receive-stats.js";

/** What the browser's latest RTCP report (RFC 3550 §6.4) says about the stream we send. */
export interface RemoteReport {
  readonly ssrc: number;
  /** Fraction lost since the previous report, in 1/256 units. */
  readonly fractionLost: number;
  readonly packetsLost: number;
  /** Interarrival jitter in RTP timestamp units. */
  readonly jitter: number;
}

/** Counters of one WebRTC leg. Bytes are RTP payload octets (as in RFC 3550 §6.4.1). */
export interface WebRtcStats {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** Expected minus received, from the browser's sequence numbers (RFC 3550 §A.3). */
  packetsLost: number;
  /** Interarrival jitter of what we receive (RFC 3550 §A.8), in ms. */
  jitterMs: number;
  /** RTCP packets the browser sent about our stream. */
  rtcpReceived: number;
  /** The browser's latest report about our stream; null before the first. */
  remote: { packetsLost: number; fractionLost: number; jitterMs: number } | null;
}

const CLOCK_KHZ = 8;

export class WebRtcCounters {
  private readonly stats: WebRtcStats = {
    packetsSent: 0,
    bytesSent: 0,
    packetsReceived: 0,
    bytesReceived: 0,
    packetsLost: 0,
    jitterMs: 0,
    rtcpReceived: 0,
    remote: null,
  };
  private readonly reception = new RtpReceiveStats();

  sent(bytes: number): void {
    this.stats.packetsSent += 1;
    this.stats.bytesSent += bytes;
  }

  /** Counts a received packet; only audio packets (`forJitter`) feed the jitter estimate. */
  received(
    packet: { ssrc: number; sequenceNumber: number; timestamp: number; payload: Buffer },
    forJitter: boolean,
  ): void {
    this.stats.packetsReceived += 1;
    this.stats.bytesReceived += packet.payload.length;
    const arrival = Math.round(performance.now() * CLOCK_KHZ);
    this.reception.record(packet.ssrc, packet.sequenceNumber, packet.timestamp, arrival, forJitter);
  }

  rtcpReceived(): void {
    this.stats.rtcpReceived += 1;
  }

  remoteReport(report: RemoteReport): void {
    this.stats.remote = {
      packetsLost: report.packetsLost,
      fractionLost: report.fractionLost / 256,
      jitterMs: report.jitter / CLOCK_KHZ,
    };
  }

  snapshot(): WebRtcStats {
    return {
      ...this.stats,
      packetsLost: this.reception.packetsLost,
      jitterMs: this.reception.jitterUnits / CLOCK_KHZ,
      remote: this.stats.remote && { ...this.stats.remote },
    };
  }
}
