import type { RtcpStats } from "./rtcp-session.js";

/** What a session sends: the peer's audio back, a 1 kHz tone, or codec silence. */
export type MediaMode = "echo" | "tone" | "silence";

const MODES: ReadonlySet<string> = new Set(["echo", "tone", "silence"]);

export function isMediaMode(value: string): value is MediaMode {
  return MODES.has(value);
}

/** An RFC 3264 stream direction (§5.1); as a negotiated value, from our point of view. */
export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

/** Counters of one session. Bytes are RTP payload octets (as in RFC 3550 §6.4.1). */
export interface MediaStats {
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Expected minus received, from RTP sequence numbers (RFC 3550 §A.3); never negative. */
  packetsLost: number;
  /** Interarrival jitter (RFC 3550 §A.8) in milliseconds. */
  jitterMs: number;
  /** Time of the last valid RTP packet, by the engine's clock; null before the first. */
  lastReceivedAt: number | null;
  /** Datagrams dropped as not RTP: too short, wrong version, bad padding. */
  packetsIgnored: number;
  /** RTCP sent and received, and the peer's latest report about our stream. */
  rtcp: RtcpStats;
}
