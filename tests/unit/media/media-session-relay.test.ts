import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MediaEngine, type MediaSession, type RtpPacket } from "../../../src/media/index.js";
import { until } from "../../support/until.js";
import { freePortRange, UdpPeer } from "./support/udp-peer.js";

/*
 * Relay mode (anchored client calls): a session hands what it receives to a sink instead of
 * echoing it, and forward() sends another leg's packets under its own SSRC and sequence.
 */
describe("MediaSession relay mode", () => {
  let engine: MediaEngine;
  let session: MediaSession;
  let peer: UdpPeer;

  beforeEach(async () => {
    engine = new MediaEngine({ host: "127.0.0.1", bind: "127.0.0.1", portRange: await freePortRange(4) });
    session = await engine.createSession();
    peer = await UdpPeer.open();
  });
  afterEach(async () => {
    peer.socket.close();
    await engine.close();
  });

  it("hands received packets to the sink and echoes nothing", async () => {
    expect(session.answer(peer.offer()).ok).toBe(true);
    const relayed: RtpPacket[] = [];
    session.relay((packet) => relayed.push({ ...packet, payload: Buffer.from(packet.payload) }));
    for (let i = 0; i < 3; i++) await peer.sendRtp(session.localPort, Buffer.alloc(160, 0xd5));
    await until(() => relayed.length === 3, "three relayed packets");
    expect(relayed.map((p) => p.payloadType)).toEqual([8, 8, 8]);
    expect(session.stats.packetsReceived).toBe(3);
    expect(peer.packets).toHaveLength(0);
  });

  it("forwards with its own SSRC and sequence, keeping the source's timestamp spacing", async () => {
    expect(session.answer(peer.offer()).ok).toBe(true);
    const source = { ssrc: 0xabcdef, marker: false, payloadType: 8, payload: Buffer.alloc(160, 1) };
    expect(session.forward({ ...source, timestamp: 1000 })).toBe(true);
    expect(session.forward({ ...source, timestamp: 1160 })).toBe(true);
    expect(session.forward({ ...source, timestamp: 1480 })).toBe(true);
    await until(() => peer.packets.length === 3, "three forwarded packets");
    const [a, b, c] = peer.packets;
    expect(a!.ssrc).not.toBe(0xabcdef);
    expect(b!.ssrc).toBe(a!.ssrc);
    expect(a!.marker).toBe(true);
    expect((b!.sequenceNumber - a!.sequenceNumber) & 0xffff).toBe(1);
    expect((c!.sequenceNumber - b!.sequenceNumber) & 0xffff).toBe(1);
    expect((b!.timestamp - a!.timestamp) >>> 0).toBe(160);
    expect((c!.timestamp - b!.timestamp) >>> 0).toBe(320);
    expect(session.stats.packetsSent).toBe(3);
  });

  it("forwards nothing while the negotiated direction does not let it send", () => {
    expect(session.answer(peer.offer({ attributes: ["a=sendonly"] })).ok).toBe(true);
    expect(session.direction).toBe("recvonly");
    const packet = { ssrc: 1, marker: false, payloadType: 8, timestamp: 0, payload: Buffer.alloc(160) };
    expect(session.forward(packet)).toBe(false);
    expect(session.stats.packetsSent).toBe(0);
  });
});
