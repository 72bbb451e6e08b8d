/**
 * The "browsers" of `npm run bench -- --anchored-calls`: one werift peer per call, offering
 * like Chromium (Opus first, then G.722/G.711 and telephone-event), sending 50 pps of G.711
 * over SRTP and counting what comes back. Runs in its own process so that its SRTP work is not
 * counted as the core's. Driven over IPC.
 */
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";
import { FRAME_BYTES, FramePacer, serveRpc } from "./anchored-calls-protocol.js";

interface Peer {
  readonly pc: RTCPeerConnection;
  readonly track: MediaStreamTrack;
  seq: number;
}

const peers = new Map<number, Peer>();
let sent = 0;
let received = 0;
const payload = Buffer.alloc(FRAME_BYTES, 0xd5);

const codec = (mimeType: string, clockRate: number, payloadType: number, channels = 1) =>
  new RTCRtpCodecParameters({ mimeType, clockRate, payloadType, channels });

const pacer = new FramePacer(() => {
  for (const peer of peers.values()) {
    if (peer.pc.connectionState !== "connected") continue;
    peer.seq = (peer.seq + 1) & 0xffff;
    peer.track.writeRtp(
      new RtpPacket(
        new RtpHeader({ payloadType: 0, sequenceNumber: peer.seq, timestamp: peer.seq * 160 }),
        payload,
      ),
    );
    sent += 1;
  }
});

async function offer(args: Record<string, unknown>): Promise<string> {
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        codec("audio/opus", 48000, 111, 2),
        codec("audio/G722", 8000, 9),
        codec("audio/PCMU", 8000, 0),
        codec("audio/PCMA", 8000, 8),
        codec("audio/telephone-event", 8000, 126),
      ],
      video: [],
    },
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceInterfaceAddresses: { udp4: "127.0.0.1" },
    bundlePolicy: "max-bundle",
  });
  const track = new MediaStreamTrack({ kind: "audio" });
  const transceiver = pc.addTransceiver(track, { direction: "sendrecv" });
  transceiver.onTrack.subscribe((remote) =>
    remote.onReceiveRtp.subscribe(() => {
      received += 1;
    }),
  );
  peers.set(Number(args.call), { pc, track, seq: 0 });
  const description = await pc.createOffer();
  // werift falls back to stun.l.google.com without a STUN server: host candidates only here.
  for (const transport of pc.iceTransports) transport.connection.stunServer = undefined;
  await pc.setLocalDescription(description);
  return pc.localDescription?.sdp ?? "";
}

serveRpc({
  offer,
  answer: async ({ call, answer }) => {
    const peer = peers.get(Number(call));
    if (!peer) throw new Error(`no call ${String(call)}`);
    await peer.pc.setRemoteDescription({ type: "answer", sdp: String(answer) });
  },
  start: () => pacer.start(),
  stop: () => pacer.stop(),
  counts: () => ({ sent, received }),
  close: async () => {
    pacer.stop();
    await Promise.all([...peers.values()].map((p) => p.pc.close().catch(() => undefined)));
    peers.clear();
  },
});
