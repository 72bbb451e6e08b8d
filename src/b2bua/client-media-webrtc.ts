import {
  type AnswerResult,
  type ApplyAnswerResult,
  type CodecChoice,
  type Direction,
  type MediaStats,
  type MediaTags,
  type RtpPacket,
  WebRtcEndpoint,
  type WebRtcEndpointOptions,
} from "../media/index.js";
import type { AnchorLeg } from "./client-media.js";

/** What RTP fault rules see of a leg, and the gate that applies them (faults/RtpFaultGate). */
export interface RtpStreamFaults {
  /** False when no rule acts in that direction now: packets then bypass the gate. */
  applies?(direction: "in" | "out"): boolean;
  incoming(stream: Pick<AnchorLeg, "localPort" | "tags">, packet: Buffer, deliver: () => void): void;
  outgoing(
    stream: Pick<AnchorLeg, "localPort" | "tags">,
    packet: Buffer,
    transmit: (packet: Buffer) => void,
  ): void;
}

/** Where the WebRTC legs' host candidates are (the connector's advertised address), and the RTP faults. */
export type WebRtcLegOptions = Pick<WebRtcEndpointOptions, "addresses" | "portRange" | "connectTimeoutMs"> & {
  /** `rtp.in` / `rtp.out` rules, applied to the decrypted packets (an `ssrc` action changes nothing: the SRTP sender stamps its own). */
  readonly faults?: RtpStreamFaults;
};

/** The gate reads only the rule context; the packet bytes of a WebRTC leg stay inside werift. */
const NO_BYTES = Buffer.alloc(0);
/** The relay ignores CSRCs (the PBX leg sends with its own SSRC and none): one shared empty list. */
const NO_CSRCS: number[] = [];

const sends = (d: Direction) => d === "sendrecv" || d === "sendonly";
const receives = (d: Direction) => d === "sendrecv" || d === "recvonly";
const flags = (send: boolean, receive: boolean): Direction =>
  send ? (receive ? "sendrecv" : "sendonly") : receive ? "recvonly" : "inactive";

/**
 * A browser's leg of an anchored call: the media gateway's WebRtcEndpoint (ICE, DTLS-SRTP;
 * src/media/webrtc) behind the same face as a plain RTP leg. The first description is the
 * endpoint's own; later offers and answers (hold, retrieve) keep its ICE and DTLS parameters
 * and change only the direction — the relay then stops or resumes forwarding. ICE restarts
 * and codec changes in a re-INVITE are not supported.
 */
export class WebRtcLeg implements AnchorLeg {
  readonly kind = "webrtc" as const;
  tags: MediaTags = {};
  private current: Direction = "sendrecv";
  private pendingOffer: Direction | null = null;
  private version = 1;
  private answered = false;
  private sequence = Math.floor(Math.random() * 65536);
  private relayedFrom: { ssrc: number; offset: number } | null = null;
  private nextTimestamp = Math.floor(Math.random() * 2 ** 32) >>> 0;
  private off: (() => void) | null = null;

  private constructor(
    private readonly endpoint: WebRtcEndpoint,
    private readonly faults: RtpStreamFaults | undefined,
  ) {}

  /** The browser offered (its INVITE, or its 2xx to our offerless INVITE): answer with one of `codecs`. */
  static async answer(
    offerSdp: string,
    codecs: CodecChoice["name"][],
    options: WebRtcLegOptions,
  ): Promise<WebRtcLeg> {
    const { faults, ...endpointOptions } = options;
    return new WebRtcLeg(await WebRtcEndpoint.answer(offerSdp, { ...endpointOptions, codecs }), faults);
  }

  /** The port of our first host candidate (the m= line's is the placeholder 9 of RFC 8839). */
  get localPort(): number {
    const candidate = /^a=candidate:\S+ 1 udp \d+ \S+ (\d+) /im.exec(this.endpoint.localSdp);
    return Number(candidate?.[1] ?? /^m=audio (\d+)/m.exec(this.endpoint.localSdp)?.[1] ?? 0);
  }

  get direction(): Direction {
    return this.current;
  }

  get codec(): CodecChoice | null {
    return this.endpoint.codec;
  }

  get remoteAddress(): null {
    return null;
  }

  /** The endpoint's counters in the shape of a plain RTP leg's (the browser's RTCP report as lastReport). */
  get stats(): MediaStats {
    const s = this.endpoint.stats();
    return {
      packetsSent: s.packetsSent,
      packetsReceived: s.packetsReceived,
      bytesSent: s.bytesSent,
      bytesReceived: s.bytesReceived,
      packetsLost: s.packetsLost,
      jitterMs: s.jitterMs,
      lastReceivedAt: null,
      packetsIgnored: 0,
      rtcp: {
        sent: 0,
        received: s.rtcpReceived,
        ignored: 0,
        cname: "",
        peerCname: null,
        lastReport: s.remote && {
          fractionLost: s.remote.fractionLost,
          cumulativeLost: s.remote.packetsLost,
          jitterMs: s.remote.jitterMs,
          rttMs: null,
        },
      },
    };
  }

  /** ICE + DTLS up, or the endpoint's WebRtcError. */
  get connected(): Promise<void> {
    return this.endpoint.connected;
  }

  answer(offerSdp: string): AnswerResult {
    const codec = this.endpoint.codec;
    if (!codec) return { ok: false, status: 488, reason: "Not Acceptable Here: the WebRTC leg has no codec" };
    const peer = declaredDirection(offerSdp);
    // We want sendrecv: the answer mirrors the offer (RFC 3264 §6.1).
    this.current = flags(receives(peer), sends(peer));
    const sdp = this.answered ? this.describe(this.current, false) : this.endpoint.localSdp;
    this.answered = true;
    return { ok: true, sdp, codec, direction: this.current };
  }

  offer(direction: Direction = "sendrecv"): string {
    this.pendingOffer = direction;
    return this.describe(direction, true);
  }

  applyAnswer(answerSdp: string): ApplyAnswerResult {
    const codec = this.endpoint.codec;
    const wanted = this.pendingOffer;
    if (wanted === null || !codec)
      return { ok: false, status: 400, reason: "Bad Request: no offer of ours awaits an answer" };
    this.pendingOffer = null;
    const peer = declaredDirection(answerSdp);
    this.current = flags(sends(wanted) && receives(peer), receives(wanted) && sends(peer));
    return { ok: true, codec, direction: this.current };
  }

  relay(sink: ((packet: RtpPacket) => void) | null): void {
    this.off?.();
    const faults = this.faults;
    this.off = !sink
      ? null
      : this.endpoint.onRtp((packet) => {
          const relayed: RtpPacket = {
            marker: packet.marker,
            payloadType: packet.payloadType,
            sequenceNumber: packet.sequenceNumber,
            timestamp: packet.timestamp,
            ssrc: packet.ssrc,
            csrcs: NO_CSRCS,
            payload: packet.payload,
          };
          if (faults && faults.applies?.("in") !== false)
            faults.incoming(this, NO_BYTES, () => sink(relayed));
          else sink(relayed);
        });
  }

  forward(packet: Pick<RtpPacket, "payloadType" | "marker" | "timestamp" | "ssrc" | "payload">): boolean {
    if (!sends(this.current)) return false;
    let marker = packet.marker;
    if (this.relayedFrom?.ssrc !== packet.ssrc) {
      this.relayedFrom = { ssrc: packet.ssrc, offset: (this.nextTimestamp - packet.timestamp) >>> 0 };
      marker = true;
    }
    const timestamp = (packet.timestamp + this.relayedFrom.offset) >>> 0;
    if (this.endpoint.state !== "connected") return false;
    // The payload is not copied: the endpoint encrypts it before sendRtp returns. A delayed
    // packet (an rtp.out fault) keeps its own copy.
    const faults = this.faults;
    if (faults && faults.applies?.("out") !== false) {
      const out = {
        payloadType: packet.payloadType,
        sequenceNumber: this.sequence,
        timestamp,
        marker,
        payload: Buffer.from(packet.payload),
      };
      faults.outgoing(this, NO_BYTES, () => this.endpoint.sendRtp(out));
    } else
      this.endpoint.sendRtp({
        payloadType: packet.payloadType,
        sequenceNumber: this.sequence,
        timestamp,
        marker,
        payload: packet.payload,
      });
    this.sequence = (this.sequence + 1) & 0xffff;
    if (packet.payloadType !== this.endpoint.codec?.telephoneEvent)
      this.nextTimestamp = (timestamp + packet.payload.length) >>> 0;
    return true;
  }

  close(): void {
    this.off?.();
    this.off = null;
    void this.endpoint.close();
  }

  /**
   * The endpoint's description again with another direction and the next o= version
   * (RFC 3264 §8): same ICE credentials, candidates and fingerprint. As an offer, a=setup
   * becomes actpass (RFC 5763 §5: browsers refuse another value in an offer).
   */
  private describe(direction: Direction, asOffer: boolean): string {
    this.version++;
    return this.endpoint.localSdp
      .split(/\r?\n/)
      .map((line) => {
        if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) return `a=${direction}`;
        if (asOffer && line.startsWith("a=setup:")) return "a=setup:actpass";
        const origin = /^(o=\S+ \S+ )\d+( .*)$/.exec(line);
        return origin ? `${origin[1]}${this.version}${origin[2]}` : line;
      })
      .join("\r\n");
  }
}

/**
 * The direction a browser's description declares for its audio. Not the RFC 2543 hold rule:
 * WebRTC descriptions carry c=IN IP4 0.0.0.0 as a placeholder, the candidates have the addresses.
 */
function declaredDirection(sdp: string): Direction {
  const audio = sdp.slice(Math.max(0, sdp.search(/^m=audio /m)));
  const found = /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(audio);
  return (found?.[1] as Direction | undefined) ?? "sendrecv";
}
