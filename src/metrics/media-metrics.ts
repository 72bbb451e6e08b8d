import { Histogram, type Registry } from "prom-client";
import type { MediaStats } from "../media/index.js";
import type { Listeners } from "../shared/listeners.js";
import { collectedCounter, collectedGauge } from "./collected.js";

export interface MediaSources {
  /** The final counters of each session as it closes. */
  readonly sessionClosed: Pick<Listeners<MediaStats>, "on">;
  /** The counters of every open session now. */
  readonly liveStats: () => readonly MediaStats[];
  readonly activeSessions: number;
}

type Totals = { sent: number; received: number; lost: number };

/** RTP packets and loss of every media session (closed ones kept in totals), jitter at close. */
export function mediaMetrics(registry: Registry, sources: MediaSources): void {
  const closed: Totals = { sent: 0, received: 0, lost: 0 };
  const jitter = new Histogram({
    name: "upe_rtp_jitter_seconds",
    help: "Interarrival jitter (RFC 3550 §A.8) of the peer's RTP stream, per media session when it closes",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2],
    registers: [registry],
  });
  sources.sessionClosed.on((stats) => {
    closed.sent += stats.packetsSent;
    closed.received += stats.packetsReceived;
    closed.lost += stats.packetsLost;
    if (stats.packetsReceived > 0) jitter.observe(stats.jitterMs / 1000);
  });
  // A late packet lowers a live session's loss; a counter must never go down, so it holds its peak.
  const peak: Totals = { sent: 0, received: 0, lost: 0 };
  const totals = (): Totals => {
    const sum = { ...closed };
    for (const stats of sources.liveStats()) {
      sum.sent += stats.packetsSent;
      sum.received += stats.packetsReceived;
      sum.lost += stats.packetsLost;
    }
    peak.sent = Math.max(peak.sent, sum.sent);
    peak.received = Math.max(peak.received, sum.received);
    peak.lost = Math.max(peak.lost, sum.lost);
    return peak;
  };
  collectedCounter(registry, {
    name: "upe_rtp_packets_total",
    help: "RTP packets of call media, sent by the emulator (out) and received from peers (in)",
    labelNames: ["direction"],
    read: () => {
      const { sent, received } = totals();
      return [
        [["out"], sent],
        [["in"], received],
      ];
    },
  });
  collectedCounter(registry, {
    name: "upe_rtp_packets_lost_total",
    help: "RTP packets a peer sent that never arrived (expected minus received, RFC 3550 §A.3)",
    read: () => [[[], totals().lost]],
  });
  collectedGauge(registry, {
    name: "upe_media_sessions_active",
    help: "Media sessions (RTP port pairs) open now",
    read: () => [[[], sources.activeSessions]],
  });
}
