import type { RemoteInfo, Socket } from "node:dgram";
import {
  buildBye,
  buildReceiverReport,
  buildSdesCname,
  buildSenderReport,
  parseRtcp,
  type ReportBlock,
  type RtcpPacket,
} from "./rtcp-packet.js";
import {
  compactNtp,
  compactNtpOf,
  type LastSenderReport,
  ntpTimestamp,
  type PeerReport,
  peerReport,
  ReceptionReporter,
  type ReceptionSnapshot,
} from "./rtcp-report.js";
import type { RemoteAddress } from "./sdp-negotiation.js";

/** RTCP of one session as the call journal shows it. */
export interface RtcpStats {
  /** Compound packets we sent (reports and the final BYE). */
  sent: number;
  /** Compound packets received and understood. */
  received: number;
  /** Datagrams that looked like RTCP but were malformed: counted and dropped. */
  ignored: number;
  /** Our SDES CNAME. */
  cname: string;
  /** The peer's CNAME, once it sent an SDES. */
  peerCname: string | null;
  /** The peer's latest report block about our stream. */
  lastReport: PeerReport | null;
}

/** What the RTP side of the session tells its RTCP. */
export interface RtcpSource {
  /** Packets and payload octets sent so far, and our RTP timestamp at `nowMs`. */
  sender(nowMs: number): { packets: number; octets: number; rtpTimestamp: number };
  /** The source we receive, or null before its first packet. */
  reception(): ReceptionSnapshot | null;
  /** Where RTP goes now (latched), for multiplexed RTCP. */
  rtpRemote(): RemoteAddress | null;
  clockRate(): number;
}

export interface RtcpSessionInit {
  ssrc: number;
  cname: string;
  port: number;
  rtpSocket: Socket;
  rtcpSocket: Socket;
  /** The mean report interval; each one is randomised to 0.5–1.5 times it. */
  intervalMs: number;
  source: RtcpSource;
  log: (event: string, detail: object) => void;
  /** Milliseconds since 1970 on a monotonic clock: NTP timestamps, LSR/DLSR and RTT. */
  wallclockMs: () => number;
}

/**
 * RTCP for one RTP session (RFC 3550 §6): a compound SR or RR + SDES CNAME every interval,
 * RR + SDES + BYE at the end, and the peer's reports read for loss, jitter and RTT. The
 * interval is fixed (no bandwidth scaling: one peer, one stream), randomised by ±50 %
 * (§6.2), the first one at half of it (§6.2's initial Tmin); no reconsideration.
 */
export class RtcpSession {
  private readonly init: RtcpSessionInit;
  private readonly reporter = new ReceptionReporter();
  private mux = false;
  /** Where RTCP goes without mux: the SDP's address until RTCP arrives from elsewhere (RFC 4961). */
  private remote: RemoteAddress | null = null;
  private sdpRemote: RemoteAddress | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastSr: LastSenderReport | null = null;
  private packetsAtLastReport = 0;
  private receivedAtLastReport = 0;
  private loggedIgnored = false;
  private lastSendError: string | null = null;
  private readonly counters: RtcpStats;

  constructor(init: RtcpSessionInit) {
    this.init = init;
    this.counters = {
      sent: 0,
      received: 0,
      ignored: 0,
      cname: init.cname,
      peerCname: null,
      lastReport: null,
    };
    init.rtcpSocket.on("message", (data, from) => this.receive(data, from, true));
    init.rtcpSocket.on("error", (error) =>
      init.log("socket_error", { port: init.port + 1, message: error.message }),
    );
  }

  get stats(): RtcpStats {
    const last = this.counters.lastReport;
    return { ...this.counters, lastReport: last && { ...last } };
  }

  /** The SDP outcome: mux or not, and the peer's RTCP address. Starts the reports. */
  negotiated(rtcp: { mux: boolean; remote: RemoteAddress | null }): void {
    this.mux = rtcp.mux;
    // As for RTP, a latched address stays while the SDP repeats the address it replaced.
    if (!sameAddress(rtcp.remote, this.sdpRemote)) this.remote = rtcp.remote;
    this.sdpRemote = rtcp.remote;
    if (!this.timer && !this.closed) this.schedule(this.init.intervalMs / 2);
  }

  /** A datagram for RTCP: from the RTCP port, or demultiplexed from the RTP port (RFC 5761 §4). */
  receive(data: Buffer, from: RemoteInfo, onRtcpPort: boolean): void {
    // STUN (first octet 0–3, RFC 7983 §7): peers such as linphone probe the RTCP port with
    // binding requests. Not RTCP, and not malformed RTCP either: dropped uncounted.
    if (this.closed || (data.length > 0 && data[0]! < 4)) return;
    const parsed = parseRtcp(data);
    if (!parsed.ok) {
      this.counters.ignored++;
      if (!this.loggedIgnored) {
        // Once per session: a flood of garbage must not flood the log.
        this.loggedIgnored = true;
        this.init.log("rtcp_ignored", {
          port: onRtcpPort ? this.init.port + 1 : this.init.port,
          from: `${from.address}:${from.port}`,
          reason: parsed.reason,
        });
      }
      return;
    }
    this.counters.received++;
    if (onRtcpPort) this.latch(from);
    const arrivedAtMs = this.init.wallclockMs();
    for (const packet of parsed.packets) this.read(packet, arrivedAtMs);
  }

  /**
   * Sends RR (or SR) + SDES + BYE if there is anyone to tell, then calls `done` (sockets may
   * close). A session that never sent RTP or RTCP leaves silently (RFC 3550 §6.3.7).
   */
  close(done: () => void): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const spoke = this.counters.sent > 0 || this.init.source.sender(this.init.wallclockMs()).packets > 0;
    if (!spoke || !this.send([buildBye(this.init.ssrc)], done)) done();
  }

  private read(packet: RtcpPacket, arrivedAtMs: number): void {
    switch (packet.type) {
      case "sr":
        this.lastSr = {
          ssrc: packet.ssrc,
          compact: compactNtp(packet.sender.ntpSeconds, packet.sender.ntpFraction),
          arrivedAtMs,
        };
        this.readReports(packet.reports, arrivedAtMs);
        break;
      case "rr":
        this.readReports(packet.reports, arrivedAtMs);
        break;
      case "sdes":
        for (const chunk of packet.chunks)
          if (chunk.ssrc !== this.init.ssrc && chunk.cname !== null) this.counters.peerCname = chunk.cname;
        break;
      case "bye":
        this.init.log("rtcp_bye", { port: this.init.port, ssrcs: packet.ssrcs, reason: packet.reason });
        break;
      case "other":
        break;
    }
  }

  private readReports(reports: ReportBlock[], arrivedAtMs: number): void {
    for (const block of reports) {
      if (block.ssrc !== this.init.ssrc) continue;
      this.counters.lastReport = peerReport(block, this.init.source.clockRate(), compactNtpOf(arrivedAtMs));
    }
  }

  /** Symmetric RTCP (RFC 4961): report to where the peer's RTCP comes from. */
  private latch(from: RemoteInfo): void {
    if (this.mux) return;
    const remote = this.remote;
    if (remote?.address === from.address && remote.port === from.port) return;
    this.remote = { address: from.address, port: from.port };
    this.init.log("rtcp_latched", { port: this.init.port + 1, from: remote, to: this.remote });
  }

  private schedule(meanMs: number): void {
    const delay = meanMs * (0.5 + Math.random());
    this.timer = setTimeout(() => {
      this.send([]);
      this.schedule(this.init.intervalMs);
    }, delay);
    this.timer.unref();
  }

  /**
   * One compound packet: SR if we sent RTP since the last report, else RR; a report block
   * if the peer's RTP arrived since then (§6.4); SDES CNAME; then `tail`. False when there
   * is no address to send to (not negotiated, or on hold with 0.0.0.0).
   */
  private send(tail: Buffer[], done?: () => void): boolean {
    const { rtpSocket, rtcpSocket, ssrc, cname, source } = this.init;
    const target = this.mux ? source.rtpRemote() : this.remote;
    if (!target) return false;
    const nowMs = this.init.wallclockMs();
    const sender = source.sender(nowMs);
    const reception = source.reception();
    const reports =
      reception && reception.received !== this.receivedAtLastReport
        ? [this.reporter.block(reception, this.lastSr, nowMs)]
        : [];
    this.receivedAtLastReport = reception?.received ?? 0;
    let report: Buffer;
    if (sender.packets !== this.packetsAtLastReport) {
      const { seconds, fraction } = ntpTimestamp(nowMs);
      report = buildSenderReport(
        ssrc,
        {
          ntpSeconds: seconds,
          ntpFraction: fraction,
          rtpTimestamp: sender.rtpTimestamp,
          packetCount: sender.packets,
          octetCount: sender.octets,
        },
        reports,
      );
    } else report = buildReceiverReport(ssrc, reports);
    this.packetsAtLastReport = sender.packets;
    const packet = Buffer.concat([report, buildSdesCname(ssrc, cname), ...tail]);
    this.counters.sent++;
    const socket = this.mux ? rtpSocket : rtcpSocket;
    const sent = (error: Error | null): void => {
      if (error && error.message !== this.lastSendError) {
        this.lastSendError = error.message;
        this.init.log("rtcp_send_error", { port: this.init.port, to: target, message: error.message });
      }
      done?.();
    };
    try {
      socket.send(packet, target.port, target.address, sent);
    } catch (error) {
      // A socket closed under us throws; this runs from a timer, where a throw would be fatal.
      sent(error as Error);
    }
    return true;
  }
}

function sameAddress(a: RemoteAddress | null, b: RemoteAddress | null): boolean {
  return a?.address === b?.address && a?.port === b?.port;
}
