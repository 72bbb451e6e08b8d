import type { ReportBlock } from "./rtcp-packet.js";

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
const NTP_UNIX_OFFSET = 2_208_988_800;

/** A Unix time in milliseconds as a 64-bit NTP timestamp (RFC 3550 §4), seconds mod 2^32. */
export function ntpTimestamp(unixMs: number): { seconds: number; fraction: number } {
  const whole = Math.floor(unixMs / 1000);
  const fraction = Math.floor(((unixMs - whole * 1000) / 1000) * 2 ** 32);
  return { seconds: (whole + NTP_UNIX_OFFSET) >>> 0, fraction: Math.min(fraction, 0xffffffff) >>> 0 };
}

/** The middle 32 bits of an NTP timestamp: the LSR field, in 1/65536 s (RFC 3550 §6.4.1). */
export function compactNtp(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

export function compactNtpOf(unixMs: number): number {
  const { seconds, fraction } = ntpTimestamp(unixMs);
  return compactNtp(seconds, fraction);
}

/**
 * Round-trip time from a report block about our stream (RFC 3550 §6.4.1, Figure 2):
 * arrival − LSR − DLSR, in ms. Null when the peer has not heard an SR of ours (LSR 0) or
 * the result is negative (the peer's DLSR overstates its delay).
 */
export function roundTripMs(arrivalCompact: number, lastSr: number, delaySinceLastSr: number): number | null {
  if (lastSr === 0) return null;
  const units = (arrivalCompact - lastSr - delaySinceLastSr) | 0;
  if (units < 0) return null;
  return (units * 1000) / 65536;
}

/** What we know of the source we receive, in RTP sequence terms (RFC 3550 §A.3). */
export interface ReceptionSnapshot {
  ssrc: number;
  extendedHighestSeq: number;
  expected: number;
  received: number;
  /** Jitter in timestamp units (§A.8). */
  jitter: number;
}

/** The last SR from the peer: its compact NTP time and when it arrived (ms, our monotonic clock). */
export interface LastSenderReport {
  ssrc: number;
  compact: number;
  arrivedAtMs: number;
}

/**
 * Builds the report blocks we send about the peer's stream. The fraction lost is over
 * the interval since the previous block (§A.3: expected_prior / received_prior), so the
 * instance keeps the counts of the last report.
 */
export class ReceptionReporter {
  private prior: { ssrc: number; expected: number; received: number } | null = null;

  block(source: ReceptionSnapshot, lastSr: LastSenderReport | null, nowMs: number): ReportBlock {
    const prior =
      this.prior?.ssrc === source.ssrc && this.prior.expected <= source.expected
        ? this.prior
        : { expected: 0, received: 0 };
    const expectedInterval = source.expected - prior.expected;
    const lostInterval = expectedInterval - (source.received - prior.received);
    this.prior = { ssrc: source.ssrc, expected: source.expected, received: source.received };
    const srFromSource = lastSr?.ssrc === source.ssrc ? lastSr : null;
    return {
      ssrc: source.ssrc,
      fractionLost:
        expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval),
      cumulativeLost: source.expected - source.received,
      extendedHighestSeq: source.extendedHighestSeq,
      jitter: source.jitter,
      lastSr: srFromSource?.compact ?? 0,
      delaySinceLastSr: srFromSource
        ? Math.max(0, Math.floor(((nowMs - srFromSource.arrivedAtMs) * 65536) / 1000))
        : 0,
    };
  }
}

/** The peer's view of our stream as the call journal shows it. */
export interface PeerReport {
  /** Fraction of our packets lost since its previous report, 0–1. */
  fractionLost: number;
  cumulativeLost: number;
  jitterMs: number;
  /** Null until the peer echoes the time of an SR of ours (it never does if we only receive). */
  rttMs: number | null;
}

export function peerReport(block: ReportBlock, clockRate: number, arrivalCompact: number): PeerReport {
  return {
    fractionLost: block.fractionLost / 256,
    cumulativeLost: block.cumulativeLost,
    jitterMs: (block.jitter * 1000) / clockRate,
    rttMs: roundTripMs(arrivalCompact, block.lastSr, block.delaySinceLastSr),
  };
}
