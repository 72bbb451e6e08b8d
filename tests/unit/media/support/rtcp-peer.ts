import { isRtcp, parseRtcp, type RtcpPacket } from "../../../../src/media/rtcp-packet.js";
import { until } from "../../../support/until.js";
import { UdpPeer } from "./udp-peer.js";

/** The compound RTCP packets a peer received, each parsed (a malformed one fails the test). */
export function rtcpReceived(peer: UdpPeer): RtcpPacket[][] {
  return peer.datagrams.filter(isRtcp).map((datagram) => {
    const parsed = parseRtcp(datagram);
    if (!parsed.ok) throw new Error(`malformed RTCP from the emulator: ${parsed.reason}`);
    return parsed.packets;
  });
}

/** The PBX's media side: RTP on an even port and RTCP on the one above it (RFC 3550 §11). */
export async function rtpRtcpPair(): Promise<{ rtp: UdpPeer; rtcp: UdpPeer }> {
  for (let attempt = 0; ; attempt++) {
    const probe = await UdpPeer.open();
    const even = probe.port - (probe.port % 2);
    await probe.close();
    try {
      const rtp = await UdpPeer.open(even);
      try {
        return { rtp, rtcp: await UdpPeer.open(even + 1) };
      } catch (error) {
        await rtp.close();
        throw error;
      }
    } catch (error) {
      // Another socket took one of the two ports meanwhile: try another pair.
      if (attempt >= 20) throw error;
    }
  }
}

/** The first compound packet `peer` received that satisfies `match`; polls until one arrives. */
export async function compound(
  peer: UdpPeer,
  match: (packets: RtcpPacket[]) => boolean,
): Promise<RtcpPacket[]> {
  const find = () => rtcpReceived(peer).find(match);
  await until(
    () => find() !== undefined,
    () => `RTCP (got ${JSON.stringify(rtcpReceived(peer).map((c) => c.map((p) => p.type)))})`,
  );
  return find()!;
}
