import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { buildReceiverReport, buildSdesCname, type RtcpPacket } from "../../src/media/rtcp-packet.js";
import { compactNtp } from "../../src/media/rtcp-report.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";
import { compound, rtcpReceived, rtpRtcpPair } from "../unit/media/support/rtcp-peer.js";
import { freePortRange, type UdpPeer } from "../unit/media/support/udp-peer.js";

const SEED = acmeSeed();
const PEER_SSRC = 0x0b12_0001;

type Sr = Extract<RtcpPacket, { type: "sr" }>;

let emulator: EmulatorHandle;
let pbx: PbxTestUa;
let http: ReturnType<typeof httpClient>;
let rtp: UdpPeer;
let rtcp: UdpPeer;

beforeEach(async () => {
  emulator = await startTestEmulator({
    adminToken: "rtcp-admin",
    seedText: SEED,
    rtpPorts: await freePortRange(8),
    rtcpIntervalMs: 100,
  });
  http = httpClient(emulator);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  ({ rtp, rtcp } = await rtpRtcpPair());
  const tenant = (await http.admin("GET", "/api/admin/tenants")).body[0];
  const user = (await http.admin("GET", `/api/admin/tenants/${tenant.id}/users`)).body.items[0];
  await http.admin("PATCH", `/api/admin/tenants/${tenant.id}/users/${user.id}`, {
    callBehaviour: { mode: "answer", ringMs: 0, media: "tone" },
  });
});

afterEach(async () => {
  pbx.close();
  await emulator.close();
  await Promise.all([rtp.close(), rtcp.close()]);
});

/** Calls the virtual user with `offer` and ACKs the 200; returns the answer and the dialog's 200. */
async function call(offer: string) {
  const invite = pbx.sendInvite("+4923026672131", offer);
  const ok = await pbx.response(invite.callId, 200);
  expect(ok.status).toBe(200);
  pbx.ack(ok, invite);
  const answer = ok.body.toString();
  return { invite, ok, answer, port: Number(/^m=audio (\d+)/m.exec(answer)![1]) };
}

function withAttribute(offer: string, attribute: string): string {
  return offer.replace("a=sendrecv\r\n", `${attribute}\r\na=sendrecv\r\n`);
}

async function journal(callId: string) {
  const calls = (await http.admin("GET", "/api/admin/calls")).body;
  return calls.find((c: { legs: { callId: string }[] }) => c.legs.some((l) => l.callId === callId));
}

describe("RTCP on a call's media leg", () => {
  it("sends SR + CNAME to the PBX's RTP port + 1, and the journal shows the PBX's RR: loss, jitter, RTT", async () => {
    const { invite, answer, port } = await call(sdpOffer(rtp.port));
    expect(answer).not.toContain("a=rtcp-mux");
    await rtp.waitFor(1);
    const ssrc = rtp.packets[0]!.ssrc;
    const [sr, sdes] = await compound(rtcp, (c) => c[0]?.type === "sr");
    expect(sr).toMatchObject({ type: "sr", ssrc });
    expect(sdes).toEqual({
      type: "sdes",
      chunks: [{ ssrc, cname: `${ssrc.toString(16).padStart(8, "0")}@127.0.0.1` }],
    });

    const { ntpSeconds, ntpFraction } = (sr as Sr).sender;
    const block = {
      ssrc,
      fractionLost: 26,
      cumulativeLost: 9,
      extendedHighestSeq: 70_000,
      jitter: 160,
      lastSr: compactNtp(ntpSeconds, ntpFraction),
      delaySinceLastSr: 0,
    };
    const report = Buffer.concat([
      buildReceiverReport(PEER_SSRC, [block]),
      buildSdesCname(PEER_SSRC, "osbiz"),
    ]);
    await rtcp.sendRaw(report, port + 1);

    let media: { stats: { rtcp: Record<string, unknown> } } | undefined;
    await until(async () => {
      media = (await journal(invite.callId))?.media;
      return media?.stats.rtcp.lastReport != null;
    }, "the PBX's report in the journal");
    expect(media!.stats.rtcp).toMatchObject({
      sent: expect.any(Number),
      received: 1,
      ignored: 0,
      peerCname: "osbiz",
      lastReport: { fractionLost: 26 / 256, cumulativeLost: 9, jitterMs: 20, rttMs: expect.any(Number) },
    });
    expect(media!.stats.rtcp.sent).toBeGreaterThan(0);
    expect((media!.stats.rtcp.lastReport as { rttMs: number }).rttMs).toBeGreaterThanOrEqual(0);
  });

  it("answers a=rtcp-mux when offered and then sends RTCP on the PBX's RTP port", async () => {
    const { answer } = await call(withAttribute(sdpOffer(rtp.port), "a=rtcp-mux"));
    expect(answer).toContain("a=rtcp-mux\r\n");
    await rtp.waitFor(1);
    await compound(rtp, (c) => c[0]?.type === "sr" && c[0].ssrc === rtp.packets[0]!.ssrc);
    expect(rtcpReceived(rtcp)).toEqual([]);
  });

  it("sends RTCP to the port of a=rtcp: (RFC 3605)", async () => {
    const { rtcp: elsewhere, rtp: spare } = await rtpRtcpPair();
    try {
      await call(withAttribute(sdpOffer(rtp.port), `a=rtcp:${elsewhere.port} IN IP4 127.0.0.1`));
      await compound(elsewhere, (c) => c[0]?.type === "sr");
      expect(rtcpReceived(rtcp)).toEqual([]);
    } finally {
      await Promise.all([elsewhere.close(), spare.close()]);
    }
  });

  it("ends with an RTCP BYE when the PBX hangs up", async () => {
    const { ok } = await call(sdpOffer(rtp.port));
    await rtp.waitFor(1);
    const callId = pbx.inDialog("BYE", ok);
    expect((await pbx.response(callId, 200, "BYE")).status).toBe(200);
    const packets = await compound(rtcp, (c) => c.some((p) => p.type === "bye"));
    expect(packets.at(-1)).toEqual({ type: "bye", ssrcs: [rtp.packets[0]!.ssrc], reason: null });
  });
});
