import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket,
} from "werift";
import { withoutStun } from "../../src/media/webrtc/webrtc-endpoint.js";

/** What a browser test peer received. */
export interface PeerPacket {
  payloadType: number;
  sequenceNumber: number;
  marker: boolean;
  payload: Buffer;
}

const codec = (mimeType: string, clockRate: number, payloadType: number, channels = 1) =>
  new RTCRtpCodecParameters({ mimeType, clockRate, payloadType, channels });

/** Chromium's audio offer: Opus first, then G.722, G.711, and telephone-event at 48 and 8 kHz. */
export const CHROMIUM_LIKE_CODECS = (): RTCRtpCodecParameters[] => [
  codec("audio/opus", 48000, 111, 2),
  codec("audio/G722", 8000, 9),
  codec("audio/PCMU", 8000, 0),
  codec("audio/PCMA", 8000, 8),
  codec("audio/telephone-event", 48000, 110),
  codec("audio/telephone-event", 8000, 126),
];

/**
 * A werift peer playing the browser in tests: host candidates on 127.0.0.1 only, no STUN,
 * offers or answers, sends RTP and records what it receives.
 */
export class BrowserPeer {
  readonly pc: RTCPeerConnection;
  readonly received: PeerPacket[] = [];
  private readonly track = new MediaStreamTrack({ kind: "audio" });
  private transceiver: RTCRtpTransceiver | undefined;
  private seq = 1;

  constructor(codecs: RTCRtpCodecParameters[] = CHROMIUM_LIKE_CODECS()) {
    this.pc = new RTCPeerConnection({
      codecs: { audio: codecs, video: [] },
      iceServers: [],
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ["127.0.0.1"],
      iceInterfaceAddresses: { udp4: "127.0.0.1" },
      bundlePolicy: "max-bundle",
    });
  }

  async offer(): Promise<string> {
    this.transceiver = this.pc.addTransceiver(this.track, { direction: "sendrecv" });
    this.listen(this.transceiver);
    const offer = await this.pc.createOffer();
    withoutStun(this.pc);
    await this.pc.setLocalDescription(offer);
    return this.pc.localDescription?.sdp ?? "";
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: "answer", sdp });
  }

  async answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
    const transceiver = this.pc.getTransceivers()[0];
    if (!transceiver) throw new Error("no transceiver for the offer");
    this.transceiver = transceiver;
    transceiver.setDirection("sendrecv");
    transceiver.sender.replaceTrack(this.track);
    this.listen(transceiver);
    const answer = await this.pc.createAnswer();
    withoutStun(this.pc);
    await this.pc.setLocalDescription(answer);
    return this.pc.localDescription?.sdp ?? "";
  }

  /** The payload type the peer sends with (its negotiated codec). */
  get sendingPayloadType(): number | undefined {
    return this.transceiver?.sender.codec?.payloadType;
  }

  /** Sends `count` 160-byte packets, one per `intervalMs`. */
  async send(count: number, intervalMs = 20, fill = 0x55): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const seq = this.seq++;
      const header = new RtpHeader({
        payloadType: 0,
        sequenceNumber: seq,
        timestamp: seq * 160,
        marker: false,
      });
      this.track.writeRtp(new RtpPacket(header, Buffer.alloc(160, fill)));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  async close(): Promise<void> {
    await this.pc.close();
  }

  private listen(transceiver: RTCRtpTransceiver): void {
    const seen = new Set<MediaStreamTrack>();
    const onTrack = (track: MediaStreamTrack) => {
      if (seen.has(track)) return;
      seen.add(track);
      track.onReceiveRtp.subscribe((rtp) =>
        this.received.push({
          payloadType: rtp.header.payloadType,
          sequenceNumber: rtp.header.sequenceNumber,
          marker: rtp.header.marker,
          payload: rtp.payload,
        }),
      );
    };
    for (const track of transceiver.receiver.tracks) onTrack(track);
    transceiver.onTrack.subscribe(onTrack);
  }
}
