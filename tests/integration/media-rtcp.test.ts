import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MediaEngine, type MediaSession } from "../../src/media/index.js";
import {
  buildReceiverReport,
  buildSdesCname,
  buildSenderReport,
  type RtcpPacket,
} from "../../src/media/rtcp-packet.js";
import { compactNtp } from "../../src/media/rtcp-report.js";
import { until } from "../support/until.js";
import { compound, rtcpReceived, rtpRtcpPair } from "../unit/media/support/rtcp-peer.js";
import { freePortRange, UdpPeer } from "../unit/media/support/udp-peer.js";

const OUR_SSRC = 0xcafe;
const PEER_SSRC = 0x1234_5678;

type Sr = Extract<RtcpPacket, { type: "sr" }>;

describe("RTCP over real UDP on 127.0.0.1 (RFC 3550, 3605, 5761)", () => {
  let engine: MediaEngine;
  let rtp: UdpPeer;
  let rtcp: UdpPeer;
  const events: { event: string; detail: object }[] = [];

  beforeEach(async () => {
    events.length = 0;
    engine = new MediaEngine({
      host: "127.0.0.1",
      bind: "127.0.0.1",
      portRange: await freePortRange(4),
      rtcpIntervalMs: 100,
      log: (event, detail) => events.push({ event, detail }),
    });
    ({ rtp, rtcp } = await rtpRtcpPair());
  });

  afterEach(async () => {
    await engine.close();
    await Promise.all([rtp.close(), rtcp.close()]);
  });

  async function connected(
    mode: "echo" | "tone" | "silence",
    attributes: string[] = [],
    direction = "a=sendrecv",
  ): Promise<{ session: MediaSession; answer: string }> {
    const session = await engine.createSession({ mode, ssrc: OUR_SSRC });
    const result = session.answer(
      rtp.offer({ attributes: ["a=rtpmap:101 telephone-event/8000", direction, ...attributes] }),
    );
    if (!result.ok) throw new Error(result.reason);
    return { session, answer: result.sdp };
  }

  it("sends SR + SDES CNAME to the RTP port + 1 while it sends RTP, under the RTP SSRC", async () => {
    const { answer } = await connected("tone");
    expect(answer).not.toContain("a=rtcp-mux");
    const packets = await compound(rtcp, (c) => c[0]?.type === "sr");
    const sr = packets[0] as Sr;
    expect(sr.ssrc).toBe(OUR_SSRC);
    expect(sr.sender.packetCount).toBeGreaterThan(0);
    expect(sr.sender.octetCount).toBe(sr.sender.packetCount * 160);
    expect(packets[1]).toEqual({ type: "sdes", chunks: [{ ssrc: OUR_SSRC, cname: "0000cafe@127.0.0.1" }] });
    // Nothing RTCP went to the RTP port: no mux was offered.
    expect(rtcpReceived(rtp)).toEqual([]);
  });

  it("sends RR with a report block on the peer's stream when it only receives", async () => {
    const { session } = await connected("tone", [], "a=sendonly");
    for (const seq of [100, 101, 102, 105]) {
      await rtp.sendRtp(session.localPort, Buffer.alloc(160, 1), {
        sequenceNumber: seq,
        timestamp: seq * 160,
        ssrc: PEER_SSRC,
      });
    }
    await until(() => session.stats.packetsReceived === 4, "four RTP packets");
    // A report may fall between the four packets; the one after the last covers them all.
    const [rr] = await compound(
      rtcp,
      (c) => c[0]?.type === "rr" && c[0].reports[0]?.extendedHighestSeq === 105,
    );
    expect(rr).toMatchObject({
      type: "rr",
      ssrc: OUR_SSRC,
      reports: [{ ssrc: PEER_SSRC, cumulativeLost: 2, lastSr: 0 }],
    });
    // 2 lost of the 6, 5, 4 or 3 expected since the previous report (none, or one after 100, 101, 102).
    expect([85, 102, 128, 170]).toContain(
      (rr as Extract<RtcpPacket, { type: "rr" }>).reports[0]!.fractionLost,
    );
    expect(session.stats.rtcp.sent).toBeGreaterThan(0);
  });

  it("reads the peer's SR and RR: its loss, jitter, CNAME and the round-trip time in the stats", async () => {
    const { session } = await connected("tone");
    const ours = (await compound(rtcp, (c) => c[0]?.type === "sr"))[0] as Sr;
    const lsr = compactNtp(ours.sender.ntpSeconds, ours.sender.ntpFraction);
    const report = buildReceiverReport(PEER_SSRC, [
      {
        ssrc: OUR_SSRC,
        fractionLost: 64,
        cumulativeLost: 12,
        extendedHighestSeq: 5000,
        jitter: 80,
        lastSr: lsr,
        delaySinceLastSr: 0,
      },
    ]);
    await rtcp.sendRaw(
      Buffer.concat([report, buildSdesCname(PEER_SSRC, "osbiz@192.0.2.1")]),
      session.localPort + 1,
    );
    await until(() => session.stats.rtcp.received === 1, "the RR to be read");
    const { lastReport, peerCname } = session.stats.rtcp;
    expect(peerCname).toBe("osbiz@192.0.2.1");
    expect(lastReport).toMatchObject({ fractionLost: 0.25, cumulativeLost: 12, jitterMs: 10 });
    expect(lastReport?.rttMs).toEqual(expect.any(Number));
    expect(lastReport!.rttMs!).toBeGreaterThanOrEqual(0);

    // After the peer's SR, our next report block echoes its NTP time as LSR.
    await rtp.sendRtp(session.localPort, Buffer.alloc(160, 1), { ssrc: PEER_SSRC });
    const sender = {
      ntpSeconds: 0xe000_1234,
      ntpFraction: 0x8000_0000,
      rtpTimestamp: 1,
      packetCount: 1,
      octetCount: 160,
    };
    await rtcp.sendRaw(buildSenderReport(PEER_SSRC, sender, []), session.localPort + 1);
    await until(() => session.stats.rtcp.received === 2, "the SR to be read");
    await rtp.sendRtp(session.localPort, Buffer.alloc(160, 1), { ssrc: PEER_SSRC });
    const [withLsr] = await compound(
      rtcp,
      (c) => c[0]?.type === "sr" && c[0].reports[0]?.lastSr === 0x1234_8000,
    );
    expect(withLsr).toMatchObject({ reports: [{ ssrc: PEER_SSRC }] });
  });

  it("with a=rtcp-mux offered, answers it and sends and reads RTCP on the RTP port", async () => {
    const { session, answer } = await connected("tone", ["a=rtcp-mux"]);
    expect(answer).toContain("a=rtcp-mux\r\n");
    const [sr] = await compound(rtp, (c) => c[0]?.type === "sr");
    expect(sr).toMatchObject({ ssrc: OUR_SSRC });
    expect(rtcpReceived(rtcp)).toEqual([]);
    const rr = buildReceiverReport(PEER_SSRC, [
      {
        ssrc: OUR_SSRC,
        fractionLost: 0,
        cumulativeLost: 3,
        extendedHighestSeq: 1,
        jitter: 8,
        lastSr: 0,
        delaySinceLastSr: 0,
      },
    ]);
    await rtp.sendRaw(rr, session.localPort);
    await until(() => session.stats.rtcp.received === 1, "the multiplexed RR");
    expect(session.stats.rtcp.lastReport).toEqual({
      fractionLost: 0,
      cumulativeLost: 3,
      jitterMs: 1,
      rttMs: null,
    });
    // RTCP on the RTP port is not RTP: not counted, not ignored as garbage, not echoed.
    expect(session.stats).toMatchObject({ packetsReceived: 0, packetsIgnored: 0 });
  });

  it("sends RTCP where a=rtcp: says (RFC 3605), port and address", async () => {
    const elsewhere = await UdpPeer.open();
    try {
      await connected("tone", [`a=rtcp:${elsewhere.port}`]);
      await compound(elsewhere, (c) => c[0]?.type === "sr");
      const other = await UdpPeer.open();
      try {
        const session = await engine.createSession({ mode: "tone" });
        session.answer(rtp.offer({ attributes: [`a=rtcp:${other.port} IN IP4 127.0.0.1`] }));
        await compound(other, (c) => c[0]?.type === "sr");
      } finally {
        await other.close();
      }
      expect(rtcpReceived(rtcp)).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it("reports to where the peer's RTCP comes from (symmetric RTCP, RFC 4961)", async () => {
    const { session } = await connected("tone");
    const nat = await UdpPeer.open();
    try {
      await nat.sendRaw(buildReceiverReport(PEER_SSRC, []), session.localPort + 1);
      await compound(nat, (c) => c[0]?.type === "sr");
      expect(events.some((e) => e.event === "rtcp_latched")).toBe(true);
    } finally {
      await nat.close();
    }
  });

  it("counts and drops malformed RTCP on either port, and keeps reading good RTCP", async () => {
    const { session } = await connected("echo");
    await rtcp.sendRaw(Buffer.from([0x81, 201, 0, 7, 1, 2, 3, 4]), session.localPort + 1); // length past the end
    await rtcp.sendRaw(Buffer.from("not rtcp at all"), session.localPort + 1);
    await rtp.sendRaw(Buffer.from([0x80, 200, 0, 0]), session.localPort); // an SR without its body
    // A STUN binding request (linphone sends them to the RTCP port) is not malformed RTCP.
    await rtcp.sendRaw(Buffer.from("000100002112a442631198317e7e9b329b164926", "hex"), session.localPort + 1);
    await until(() => session.stats.rtcp.ignored === 3, "three malformed datagrams");
    expect(events.filter((e) => e.event === "rtcp_ignored")).toHaveLength(1);
    await rtcp.sendRaw(buildReceiverReport(PEER_SSRC, []), session.localPort + 1);
    await until(() => session.stats.rtcp.received === 1, "a good RR");
    expect(session.stats.rtcp.ignored).toBe(3);
    await rtp.sendRtp(session.localPort, Buffer.alloc(160, 5));
    await rtp.waitFor(1);
  });

  it("sends RR, SDES and BYE when the session closes", async () => {
    const { session } = await connected("echo");
    await compound(rtcp, (c) => c[0]?.type === "rr");
    session.close();
    const packets = await compound(rtcp, (c) => c.some((p) => p.type === "bye"));
    expect(packets.map((p) => p.type)).toEqual(["rr", "sdes", "bye"]);
    expect(packets[2]).toEqual({ type: "bye", ssrcs: [OUR_SSRC], reason: null });
    expect(session.stats.rtcp.sent).toBeGreaterThanOrEqual(1);
  });

  it("sends no BYE from a session that never sent RTP or RTCP (RFC 3550 §6.3.7)", async () => {
    const { session } = await connected("echo");
    session.close();
    await engine.close();
    expect(session.stats.rtcp.sent).toBe(0);
    // A BYE would have been sent before the sockets closed, so it would be queued before this marker.
    await rtcp.sendRaw(Buffer.from("marker"), rtcp.port);
    await until(() => rtcp.datagrams.some((d) => d.toString() === "marker"), "the marker datagram");
    expect(rtcpReceived(rtcp)).toEqual([]);
  });

  it("sends no RTCP to a peer on hold with the 0.0.0.0 address, and sends no BYE there", async () => {
    const session = await engine.createSession({ mode: "tone", ssrc: OUR_SSRC });
    session.answer(rtp.offer({ address: "0.0.0.0" }));
    session.close();
    await engine.close();
    expect(session.stats.rtcp.sent).toBe(0);
  });
});
