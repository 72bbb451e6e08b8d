import { describe, expect, it } from "vitest";
import {
  compactNtp,
  compactNtpOf,
  ntpTimestamp,
  peerReport,
  ReceptionReporter,
  roundTripMs,
} from "../../../src/media/rtcp-report.js";
import { RtpReceiveStats } from "../../../src/media/rtp-receive-stats.js";

describe("NTP time (RFC 3550 §4)", () => {
  it("counts seconds from 1900 and the fraction in 2^-32", () => {
    expect(ntpTimestamp(0)).toEqual({ seconds: 2_208_988_800, fraction: 0 });
    expect(ntpTimestamp(1_500)).toEqual({ seconds: 2_208_988_801, fraction: 2 ** 31 });
    expect(ntpTimestamp(Date.UTC(2036, 1, 7, 6, 28, 16))).toMatchObject({ seconds: 0 }); // era 1 begins
  });

  it("keeps the middle 32 bits for LSR, in 1/65536 s", () => {
    expect(compactNtp(0x0001_0002, 0x8000_0000)).toBe(0x0002_8000);
    expect(compactNtpOf(1_250) - compactNtpOf(1_000)).toBe(65536 / 4);
  });
});

describe("round-trip time (RFC 3550 §6.4.1, Figure 2)", () => {
  it("is arrival − LSR − DLSR", () => {
    // The RFC's example: A = 46864.500 s, LSR = 46853.125 s, DLSR = 5.250 s → 6.125 s.
    expect(roundTripMs(0xb710_8000, 0xb705_2000, 0x0005_4000)).toBeCloseTo(6125, 6);
    expect(roundTripMs(compactNtpOf(10_080), compactNtpOf(10_000), 65536 / 20)).toBeCloseTo(30, 0);
  });

  it("is unknown without an SR echoed (LSR 0) or when DLSR overstates the delay", () => {
    expect(roundTripMs(0xb710_8000, 0, 0)).toBeNull();
    expect(roundTripMs(compactNtpOf(10_000), compactNtpOf(10_000), 65536)).toBeNull();
  });

  it("survives the wrap of the 32-bit compact time", () => {
    expect(roundTripMs(0x0000_1000, 0xffff_f000, 0)).toBeCloseTo((0x2000 * 1000) / 65536, 6);
  });
});

describe("reception report blocks (RFC 3550 §A.3)", () => {
  function received(stats: RtpReceiveStats, sequences: number[], ssrc = 7): void {
    for (const seq of sequences) stats.record(ssrc, seq & 0xffff, seq * 160, seq * 160, true);
  }

  it("reports the extended highest sequence, cumulative loss and fraction lost per interval", () => {
    const stats = new RtpReceiveStats();
    const reporter = new ReceptionReporter();
    received(stats, [65530, 65531, 65532, 65535]); // 2 of 6 lost
    const first = reporter.block(stats.snapshot()!, null, 0);
    expect(first).toMatchObject({
      ssrc: 7,
      extendedHighestSeq: 65535,
      cumulativeLost: 2,
      fractionLost: Math.floor((2 * 256) / 6),
      lastSr: 0,
      delaySinceLastSr: 0,
    });
    received(stats, [65536, 65537, 65538, 65539]); // wraps, none lost
    const second = reporter.block(stats.snapshot()!, null, 0);
    expect(second).toMatchObject({ extendedHighestSeq: 65536 + 3, cumulativeLost: 2, fractionLost: 0 });
    received(stats, [65540, 65543]); // 2 of 4 lost in this interval
    expect(reporter.block(stats.snapshot()!, null, 0)).toMatchObject({
      cumulativeLost: 4,
      fractionLost: 128,
    });
  });

  it("reports no fraction lost for an interval with duplicates (more received than expected)", () => {
    const stats = new RtpReceiveStats();
    const reporter = new ReceptionReporter();
    received(stats, [1, 2, 3]);
    reporter.block(stats.snapshot()!, null, 0);
    received(stats, [3, 3, 4]);
    expect(reporter.block(stats.snapshot()!, null, 0)).toMatchObject({ fractionLost: 0, cumulativeLost: -2 });
  });

  it("carries the source's last SR as LSR and the time since as DLSR in 1/65536 s", () => {
    const stats = new RtpReceiveStats();
    received(stats, [1, 2]);
    const lastSr = { ssrc: 7, compact: 0xabcd_1234, arrivedAtMs: 1_000 };
    expect(new ReceptionReporter().block(stats.snapshot()!, lastSr, 1_500)).toMatchObject({
      lastSr: 0xabcd_1234,
      delaySinceLastSr: 32768,
    });
    // An SR from another source says nothing about this one.
    expect(new ReceptionReporter().block(stats.snapshot()!, { ...lastSr, ssrc: 8 }, 1_500)).toMatchObject({
      lastSr: 0,
      delaySinceLastSr: 0,
    });
  });

  it("carries the jitter in timestamp units", () => {
    const stats = new RtpReceiveStats();
    stats.record(7, 1, 0, 0, true);
    stats.record(7, 2, 160, 160 + 32, true); // 32 units late: J = 32/16
    expect(new ReceptionReporter().block(stats.snapshot()!, null, 0).jitter).toBe(2);
  });
});

describe("the peer's report as the journal shows it", () => {
  it("turns the fraction into 0–1, jitter into ms at the clock rate, and computes the RTT", () => {
    const block = {
      ssrc: 1,
      fractionLost: 64,
      cumulativeLost: 12,
      extendedHighestSeq: 100,
      jitter: 80,
      lastSr: compactNtpOf(20_000),
      delaySinceLastSr: 65536 / 10,
    };
    expect(peerReport(block, 8000, compactNtpOf(20_150))).toEqual({
      fractionLost: 0.25,
      cumulativeLost: 12,
      jitterMs: 10,
      rttMs: expect.closeTo(50, 0),
    });
    expect(peerReport({ ...block, lastSr: 0 }, 8000, compactNtpOf(20_150)).rttMs).toBeNull();
  });
});
