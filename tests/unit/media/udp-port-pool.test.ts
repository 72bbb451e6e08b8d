import { afterEach, describe, expect, it } from "vitest";
import { type BoundPair, UdpPortPool } from "../../../src/media/udp-port-pool.js";
import { freePortRange, UdpPeer } from "./support/udp-peer.js";

describe("UdpPortPool", () => {
  const opened: { close: () => unknown }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
  });

  const closePair = (bound: BoundPair) =>
    Promise.all([bound.socket, bound.rtcpSocket].map((s) => new Promise<void>((r) => s.close(() => r()))));

  async function open(pool: UdpPortPool) {
    const bound = await pool.open();
    opened.push({ close: () => closePair(bound) });
    return bound;
  }

  it("binds even ports only, spreading over the range", async () => {
    const range = await freePortRange(3);
    const pool = new UdpPortPool("127.0.0.1", { min: range.min, max: range.max });
    const ports = [(await open(pool)).port, (await open(pool)).port, (await open(pool)).port];
    expect(ports).toEqual([range.min, range.min + 2, range.min + 4]);
    expect(pool.used).toBe(3);
  });

  it("binds the RTCP socket on the odd port above each RTP port (RFC 3550 §11)", async () => {
    const range = await freePortRange(1);
    const bound = await open(new UdpPortPool("127.0.0.1", range));
    expect([bound.socket.address().port, bound.rtcpSocket.address().port]).toEqual([
      range.min,
      range.min + 1,
    ]);
  });

  it("skips a pair whose RTCP port another socket holds, and leaves its RTP port free", async () => {
    const range = await freePortRange(2);
    const squatter = await UdpPeer.open(range.min + 1);
    opened.push(squatter);
    const pool = new UdpPortPool("127.0.0.1", range);
    expect((await open(pool)).port).toBe(range.min + 2);
    const rebound = await UdpPeer.open(range.min);
    await rebound.close();
  });

  it("skips a port another socket holds", async () => {
    const range = await freePortRange(2);
    const squatter = await UdpPeer.open(range.min);
    opened.push(squatter);
    const pool = new UdpPortPool("127.0.0.1", range);
    expect((await open(pool)).port).toBe(range.min + 2);
  });

  it("rejects with a clear error when the range is exhausted, and reuses a released port", async () => {
    const range = await freePortRange(2);
    const pool = new UdpPortPool("127.0.0.1", range);
    const first = await pool.open();
    await open(pool);
    await expect(pool.open()).rejects.toThrow(/no free RTP port: all 2 even ports/);
    await closePair(first);
    pool.release(first.port);
    expect((await open(pool)).port).toBe(first.port);
  });

  it("refuses ranges without an even port or out of bounds", () => {
    expect(() => new UdpPortPool("127.0.0.1", { min: 5001, max: 5001 })).toThrow(/no even port/);
    // 5000 is even, but its RTCP port 5001 is outside the range.
    expect(() => new UdpPortPool("127.0.0.1", { min: 5000, max: 5000 })).toThrow(/no even port/);
    expect(() => new UdpPortPool("127.0.0.1", { min: 6000, max: 5000 })).toThrow(RangeError);
    expect(() => new UdpPortPool("127.0.0.1", { min: 0, max: 70000 })).toThrow(RangeError);
  });

  it("starts at the first even port of an odd minimum", async () => {
    const range = await freePortRange(1);
    const pool = new UdpPortPool("127.0.0.1", { min: range.min - 1, max: range.min + 1 });
    expect(pool.capacity).toBe(1);
    expect((await open(pool)).port).toBe(range.min);
  });
});
