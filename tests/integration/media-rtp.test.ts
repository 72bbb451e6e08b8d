import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MediaEngine, type MediaSession } from "../../src/media/index.js";
import { ControllableClock } from "../../src/shared/clock.js";
import { sleep, until } from "../support/until.js";
import { freePortRange, UdpPeer } from "../unit/media/support/udp-peer.js";

const PCMA_MILLIWATT = [0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4];

describe("media over real UDP on 127.0.0.1", () => {
  let engine: MediaEngine;
  let peer: UdpPeer;
  const clock = new ControllableClock({ start: 1_700_000_000_000, frozen: true });
  const events: { event: string; detail: object }[] = [];

  beforeEach(async () => {
    events.length = 0;
    engine = new MediaEngine({
      host: "127.0.0.1",
      bind: "127.0.0.1",
      portRange: await freePortRange(8),
      log: (event, detail) => events.push({ event, detail }),
      now: () => clock.now(),
    });
    peer = await UdpPeer.open();
  });

  afterEach(async () => {
    await engine.close();
    await peer.close();
  });

  async function connected(mode: "echo" | "tone" | "silence", formats = "8 0 101"): Promise<MediaSession> {
    const session = await engine.createSession({ mode, ssrc: 0xcafe });
    expect(session.answer(peer.offer({ formats })).ok).toBe(true);
    return session;
  }

  it("echoes each audio payload back byte for byte, under our own SSRC", async () => {
    const session = await connected("echo");
    const payloads = [0, 1, 2].map((n) =>
      Buffer.from(Array.from({ length: 160 }, (_, i) => (i * 7 + n * 31) & 0xff)),
    );
    for (const payload of payloads) await peer.sendRtp(session.localPort, payload, { payloadType: 8 });
    await peer.waitFor(3);
    expect(peer.packets.map((p) => p.payload.equals(payloads[peer.packets.indexOf(p)]!))).toEqual([
      true,
      true,
      true,
    ]);
    expect(peer.packets.every((p) => p.ssrc === 0xcafe && p.payloadType === 8)).toBe(true);
    const [a, b, c] = peer.packets;
    expect([b!.sequenceNumber - a!.sequenceNumber, c!.sequenceNumber - b!.sequenceNumber]).toEqual([1, 1]);
    expect((b!.timestamp - a!.timestamp) >>> 0).toBe(160);
    expect(session.stats).toMatchObject({
      packetsReceived: 3,
      packetsSent: 3,
      bytesReceived: 480,
      bytesSent: 480,
    });
    expect(session.stats.lastReceivedAt).toBe(1_700_000_000_000);
  });

  it("does not echo payload types that were not negotiated", async () => {
    const session = await connected("echo");
    await peer.sendRtp(session.localPort, Buffer.from([1]), { payloadType: 13 });
    await peer.sendRtp(session.localPort, Buffer.alloc(160, 3), { payloadType: 8 });
    await peer.waitFor(1);
    await sleep(30);
    expect(peer.packets.map((p) => p.payloadType)).toEqual([8]);
  });

  it("sends the 1 kHz tone at 20 ms pacing with the negotiated payload type", async () => {
    const session = await connected("tone");
    await peer.waitFor(15);
    const packets = [...peer.packets];
    expect(packets.length).toBeGreaterThanOrEqual(15);
    expect(packets.every((p) => p.payloadType === 8 && p.ssrc === 0xcafe)).toBe(true);
    expect([...packets[0]!.payload.subarray(0, 8)]).toEqual(PCMA_MILLIWATT);
    expect(packets[0]!.marker).toBe(true);
    for (let i = 1; i < packets.length; i++) {
      expect((packets[i]!.sequenceNumber - packets[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
      expect((packets[i]!.timestamp - packets[i - 1]!.timestamp) >>> 0).toBe(160);
      expect(packets[i]!.payload.length).toBe(160);
    }
    expect(session.stats.packetsSent).toBeGreaterThanOrEqual(packets.length);
  });

  it("sends a G.722 tone with payload type 9 and 160 octets per 20 ms", async () => {
    await connected("tone", "9 101");
    await peer.waitFor(5);
    expect(peer.packets.every((p) => p.payloadType === 9 && p.payload.length === 160)).toBe(true);
    expect(peer.packets[1]!.payload.equals(peer.packets[2]!.payload)).toBe(false);
  });

  it("sends codec silence in silence mode", async () => {
    await connected("silence", "0");
    await peer.waitFor(3);
    expect(peer.packets.every((p) => p.payloadType === 0 && p.payload.every((b) => b === 0xff))).toBe(true);
  });

  it("switches modes at run time", async () => {
    const session = await connected("silence", "0");
    await peer.waitFor(2);
    session.setMode("tone");
    expect(session.mode).toBe("tone");
    await until(() => peer.packets.some((p) => p.payload[0] !== 0xff), "a tone packet");
    const first = peer.packets.find((p) => p.payload[0] !== 0xff)!;
    expect(first.marker).toBe(true);
  });

  it("stops sending on hold (recvonly, inactive) and resumes on retrieve", async () => {
    const session = await connected("tone");
    await peer.waitFor(3);
    expect(session.answer(peer.offer({ attributes: ["a=sendonly"] }))).toMatchObject({
      direction: "recvonly",
    });
    // Drain packets already in flight: everything sent so far has arrived.
    await until(() => peer.packets.length >= session.stats.packetsSent, "packets in flight");
    peer.clear();
    const sentBefore = session.stats.packetsSent;
    await sleep(200);
    expect(peer.packets).toHaveLength(0);
    expect(session.stats.packetsSent).toBe(sentBefore);

    // On hold we still receive: the PBX's music on hold is counted.
    await peer.sendRtp(session.localPort, Buffer.alloc(160, 1));
    await until(() => session.stats.packetsReceived === 1, "the packet to be counted");

    expect(session.answer(peer.offer({ attributes: ["a=inactive"] }))).toMatchObject({
      direction: "inactive",
    });
    await sleep(100);
    expect(peer.packets).toHaveLength(0);

    expect(session.answer(peer.offer({ attributes: ["a=sendrecv"] }))).toMatchObject({
      direction: "sendrecv",
    });
    await peer.waitFor(3);
    expect(peer.packets[0]!.marker).toBe(true);
  });

  it("latches to the address packets really come from (symmetric RTP)", async () => {
    const session = await connected("echo");
    const nat = await UdpPeer.open();
    try {
      await nat.sendRtp(session.localPort, Buffer.alloc(160, 9));
      await nat.waitFor(1);
      expect(nat.packets[0]!.payload.equals(Buffer.alloc(160, 9))).toBe(true);
      expect(peer.packets).toHaveLength(0);
      const latched = events.find((e) => e.event === "latched");
      expect(latched?.detail).toMatchObject({
        from: { address: "127.0.0.1", port: peer.port },
        to: { address: "127.0.0.1", port: nat.port },
      });
      // The same SDP in a re-INVITE keeps the latched address.
      session.answer(peer.offer());
      await nat.sendRtp(session.localPort, Buffer.alloc(160, 8));
      await nat.waitFor(2);
      expect(peer.packets).toHaveLength(0);
    } finally {
      await nat.close();
    }
  });

  it("counts loss from a deliberate sequence gap", async () => {
    const session = await connected("echo");
    for (const seq of [100, 101, 102, 105, 106]) {
      await peer.sendRtp(session.localPort, Buffer.alloc(160, 1), {
        sequenceNumber: seq,
        timestamp: seq * 160,
      });
    }
    await until(() => session.stats.packetsReceived === 5, "five packets");
    expect(session.stats.packetsLost).toBe(2);
    expect(session.stats.jitterMs).toBeGreaterThanOrEqual(0);
  });

  it("counts and ignores garbage, short and wrong-version datagrams, and keeps working", async () => {
    const session = await connected("echo");
    await peer.sendRaw(Buffer.from("GET / HTTP/1.1\r\n\r\n"), session.localPort);
    await peer.sendRaw(Buffer.from([0x80, 0x08]), session.localPort);
    await peer.sendRaw(Buffer.from([0x40, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xaa]), session.localPort);
    await peer.sendRaw(Buffer.alloc(0), session.localPort);
    await until(() => session.stats.packetsIgnored === 4, "four ignored datagrams");
    expect(session.stats.packetsReceived).toBe(0);
    expect(events.filter((e) => e.event === "rtp_ignored")).toHaveLength(1);
    await peer.sendRtp(session.localPort, Buffer.alloc(160, 5));
    await peer.waitFor(1);
    expect(peer.packets[0]!.payload.equals(Buffer.alloc(160, 5))).toBe(true);
  });
});
