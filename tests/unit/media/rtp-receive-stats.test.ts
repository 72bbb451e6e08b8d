import { describe, expect, it } from "vitest";
import { RtpReceiveStats } from "../../../src/media/rtp-receive-stats.js";

/** Records packets 20 ms apart with ideal timestamps (160 units) unless told otherwise. */
function feed(stats: RtpReceiveStats, sequences: number[], ssrc = 1): void {
  for (const seq of sequences) stats.record(ssrc, seq & 0xffff, seq * 160, seq * 160, true);
}

describe("RtpReceiveStats loss (RFC 3550 §A.1, §A.3)", () => {
  it("counts nothing for an unbroken sequence", () => {
    const stats = new RtpReceiveStats();
    feed(stats, [10, 11, 12, 13]);
    expect(stats.packetsLost).toBe(0);
  });

  it("counts a gap", () => {
    const stats = new RtpReceiveStats();
    feed(stats, [10, 11, 15, 16]);
    expect(stats.packetsLost).toBe(3);
  });

  it("handles sequence wrap-around", () => {
    const stats = new RtpReceiveStats();
    feed(stats, [65533, 65534, 65535, 65536, 65537]);
    expect(stats.packetsLost).toBe(0);
    feed(stats, [65540]);
    expect(stats.packetsLost).toBe(2);
  });

  it("does not count a late (reordered) packet as loss", () => {
    const stats = new RtpReceiveStats();
    feed(stats, [1, 2, 4, 3, 5]);
    expect(stats.packetsLost).toBe(0);
  });

  it("never reports negative loss for duplicates", () => {
    const stats = new RtpReceiveStats();
    feed(stats, [1, 2, 2, 2, 3]);
    expect(stats.packetsLost).toBe(0);
  });

  it("keeps the loss of a previous SSRC and restarts the count for a new one", () => {
    const stats = new RtpReceiveStats();
    feed(stats, [1, 2, 5], 1);
    feed(stats, [900, 901, 903], 2);
    expect(stats.packetsLost).toBe(3);
  });

  it("treats a big jump as a restart once a second packet confirms it", () => {
    const stats = new RtpReceiveStats();
    feed(stats, [100, 101, 102]);
    feed(stats, [40000]);
    expect(stats.packetsLost).toBe(0);
    feed(stats, [40001, 40002]);
    expect(stats.packetsLost).toBe(0);
  });
});

describe("RtpReceiveStats jitter (RFC 3550 §A.8)", () => {
  it("is zero for perfectly paced packets", () => {
    const stats = new RtpReceiveStats();
    feed(stats, [1, 2, 3, 4, 5]);
    expect(stats.jitterUnits).toBe(0);
  });

  it("grows by |D|/16 for one late packet", () => {
    const stats = new RtpReceiveStats();
    stats.record(1, 1, 0, 1000, true);
    stats.record(1, 2, 160, 1160 + 80, true);
    expect(stats.jitterUnits).toBe(80 / 16);
    // The next packet is on time again: its transit differs from the late one's by 80 too.
    stats.record(1, 3, 320, 1320, true);
    expect(stats.jitterUnits).toBeCloseTo(5 + (80 - 5) / 16, 10);
  });

  it("takes timestamp differences modulo 2^32", () => {
    const stats = new RtpReceiveStats();
    stats.record(1, 1, 0xffffff60, 0, true);
    stats.record(1, 2, 0, 160, true);
    expect(stats.jitterUnits).toBe(0);
  });

  it("leaves out packets not meant for jitter (telephone-event)", () => {
    const stats = new RtpReceiveStats();
    stats.record(1, 1, 0, 0, true);
    stats.record(1, 2, 0, 5000, false);
    stats.record(1, 3, 320, 320, true);
    expect(stats.jitterUnits).toBe(0);
    expect(stats.packetsLost).toBe(0);
  });
});
