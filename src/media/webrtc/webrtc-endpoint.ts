import type { MediaStreamTrack, PeerConfig, RTCPeerConnection, RTCRtpTransceiver, RtpPacket } from "werift";
import { Listeners } from "../../shared/listeners.js";
import type { CodecChoice, CodecName } from "../codecs.js";
import { rtpMaps } from "../session-description.js";
import { checkOnlyAudio, chooseCodec, narrowAudioOffer, parseBrowserSdp } from "./audio-offer.js";
import { withGatherSlot } from "./gather-queue.js";
import { type RemoteReport, WebRtcCounters, type WebRtcStats } from "./webrtc-counters.js";
import { asWebRtcError, WebRtcError } from "./webrtc-error.js";

export interface WebRtcEndpointOptions {
  /** Addresses of our host candidates (default ["127.0.0.1"]). */
  readonly addresses?: readonly string[];
  /**
   * Where the ICE sockets bind: default the only address of `addresses`, all interfaces when
   * there are several. "0.0.0.0" when an advertised address is not on this host (NAT, container).
   */
  readonly bind?: string;
  /** UDP ports [min, max] for the ICE/media socket of each address (default: any free port). */
  readonly portRange?: readonly [number, number];
  /** Codecs toward the browser, most preferred first (default PCMU, PCMA, G722). Opus is never used. */
  readonly codecs?: readonly CodecName[];
  /** Offer / accept telephone-event/8000 (RFC 4733) beside the codec (default true). */
  readonly telephoneEvent?: boolean;
  /** ICE + DTLS must complete within this many ms of having both descriptions, or the endpoint fails (default 10000). */
  readonly connectTimeoutMs?: number;
  /** Candidate gathering must complete within this many ms (default 5000). */
  readonly gatherTimeoutMs?: number;
}

/** The life of a leg: new → connecting → connected, and failed or closed at the end. */
export type WebRtcState = "new" | "connecting" | "connected" | "failed" | "closed";

/** One RTP packet received from the browser, decrypted. */
export interface WebRtcRtpPacket {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly ssrc: number;
  readonly payload: Buffer;
}

/** One RTP packet to send to the browser; the SSRC is the endpoint's own. */
export interface WebRtcRtpSend {
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker?: boolean;
  readonly payload: Uint8Array;
}

const DEFAULT_CODECS: readonly CodecName[] = ["PCMU", "PCMA", "G722"];
const STATIC_PT: Readonly<Record<CodecName, number>> = { PCMU: 0, PCMA: 8, G722: 9 };
const OFFERED_TELEPHONE_EVENT_PT = 101;
const NO_EXTENSIONS: { id: number; payload: Buffer }[] = [];

type Werift = typeof import("werift");
let weriftModule: Promise<Werift> | undefined;
/** werift takes ~0.6 s to import: it loads with the first WebRTC leg, not at start (start to ready < 1 s). */
function loadWerift(): Promise<Werift> {
  weriftModule ??= import("werift");
  return weriftModule;
}

/**
 * One browser-facing media leg of the emulator's WebRTC gateway (werift underneath): ICE with
 * host candidates on the configured addresses, DTLS-SRTP with the browser, G.711 or G.722
 * audio passed through as plain RTP packets (`onRtp` / `sendRtp`) — no transcoding.
 * Every failure is a WebRtcError; nothing is left as an unhandled rejection.
 */
export class WebRtcEndpoint {
  /** Our SDP: the answer (answer()) or the offer (offer()), with all candidates. */
  readonly localSdp: string;
  /** Resolves when ICE + DTLS are up; rejects with a WebRtcError when the leg fails or is closed first. */
  readonly connected: Promise<void>;
  private stateValue: WebRtcState = "new";
  private codecValue: CodecChoice | null;
  private failure: WebRtcError | null = null;
  private connectTimer: NodeJS.Timeout | undefined;
  private settle!: { resolve: () => void; reject: (error: WebRtcError) => void };
  private readonly rtpListeners = new Listeners<WebRtcRtpPacket>();
  private readonly stateListeners = new Listeners<WebRtcState>();
  private readonly counters = new WebRtcCounters();
  private outgoing: RtpPacket | undefined;

  private constructor(
    private readonly lib: Werift,
    private readonly pc: RTCPeerConnection,
    private readonly transceiver: RTCRtpTransceiver,
    localSdp: string,
    codec: CodecChoice | null,
    private readonly options: WebRtcEndpointOptions,
  ) {
    this.localSdp = localSdp;
    this.codecValue = codec;
    this.connected = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A caller that never awaits `connected` must not get an unhandled rejection.
    this.connected.catch(() => undefined);
    this.watch();
  }

  /** The browser offered: answers with one of our codecs. Throws a WebRtcError on a bad offer. */
  static async answer(offerSdp: string, options: WebRtcEndpointOptions = {}): Promise<WebRtcEndpoint> {
    const narrowed = narrowAudioOffer(offerSdp, options.codecs ?? DEFAULT_CODECS);
    const lib = await loadWerift();
    const pc = new lib.RTCPeerConnection(peerConfig(lib, options));
    try {
      await pc.setRemoteDescription({ type: "offer", sdp: narrowed.sdp }).catch((error: unknown) => {
        throw asWebRtcError(error, "bad-sdp", "werift refused the offer");
      });
      const transceiver = pc.getTransceivers()[0];
      if (!transceiver) throw new WebRtcError("bad-sdp", "the offer gave no audio transceiver");
      transceiver.setDirection("sendrecv");
      transceiver.sender.replaceTrack(new lib.MediaStreamTrack({ kind: "audio" }));
      // We answer a=setup:passive (RFC 5763 §5): the browser is the DTLS client. werift's
      // client fails its handshake when a retransmitted ClientHello draws a second
      // HelloVerifyRequest (a loaded host, > 500 ms); its server side resends instead.
      // An offer of a=setup:passive (a DTLS server) leaves us the client's role.
      if (!/^a=setup:passive\s*$/m.test(narrowed.sdp))
        for (const dtls of pc.dtlsTransports) dtls.role = "server";
      const endpoint = new WebRtcEndpoint(
        lib,
        pc,
        transceiver,
        await describe(pc, "answer", options),
        narrowed.codec,
        options,
      );
      endpoint.startConnecting();
      return endpoint;
    } catch (error) {
      await pc.close().catch(() => undefined);
      throw asWebRtcError(error, "internal", "answering the offer failed");
    }
  }

  /** The emulator offers (late offer toward a client): send `localSdp`, then call acceptAnswer(). */
  static async offer(options: WebRtcEndpointOptions = {}): Promise<WebRtcEndpoint> {
    const lib = await loadWerift();
    const pc = new lib.RTCPeerConnection(peerConfig(lib, options));
    try {
      const transceiver = pc.addTransceiver(new lib.MediaStreamTrack({ kind: "audio" }), {
        direction: "sendrecv",
      });
      return new WebRtcEndpoint(lib, pc, transceiver, await describe(pc, "offer", options), null, options);
    } catch (error) {
      await pc.close().catch(() => undefined);
      throw asWebRtcError(error, "internal", "creating the offer failed");
    }
  }

  /** Applies the browser's answer to our offer; ICE + DTLS start. Throws a WebRtcError on a bad answer. */
  async acceptAnswer(answerSdp: string): Promise<void> {
    if (this.stateValue !== "new" || this.pc.signalingState !== "have-local-offer")
      throw new WebRtcError(
        "bad-state",
        `acceptAnswer in state ${this.stateValue} (${this.pc.signalingState})`,
      );
    const parsed = parseBrowserSdp(answerSdp, "answer");
    checkOnlyAudio(parsed, "answer");
    const audio = parsed.media[0];
    const codec = audio && chooseCodec(audio.formats, rtpMaps(audio), this.options.codecs ?? DEFAULT_CODECS);
    if (!audio || audio.port === 0 || !codec)
      throw new WebRtcError("no-common-codec", "the answer accepted none of the offered codecs");
    // The browser sends what it answered first; we send the codec werift takes (its first too).
    this.codecValue = codec;
    await this.pc.setRemoteDescription({ type: "answer", sdp: answerSdp }).catch((error: unknown) => {
      throw asWebRtcError(error, "bad-sdp", "werift refused the answer");
    });
    const sending = this.transceiver.sender.codec;
    if (sending) this.codecValue = { ...codec, payloadType: sending.payloadType };
    this.startConnecting();
  }

  get state(): WebRtcState {
    return this.stateValue;
  }

  /** The negotiated audio codec (null for an offer whose answer has not come). */
  get codec(): CodecChoice | null {
    return this.codecValue;
  }

  /** Why the endpoint failed, once it has. */
  get error(): WebRtcError | null {
    return this.failure;
  }

  /** Every RTP packet from the browser (audio and telephone-event). Returns the unsubscribe. */
  onRtp(listener: (packet: WebRtcRtpPacket) => void): () => void {
    return this.rtpListeners.on(listener);
  }

  /** State changes after creation. Returns the unsubscribe. */
  onState(listener: (state: WebRtcState) => void): () => void {
    return this.stateListeners.on(listener);
  }

  /**
   * Sends one packet to the browser over SRTP; false (dropped) unless connected. werift stamps
   * its own SSRC and rewrites the payload type to the sending codec's, so a packet of another
   * format (telephone-event) is sent with the sender's codec swapped for that call only: werift
   * reads the payload type synchronously, before its first await.
   */
  sendRtp(packet: WebRtcRtpSend): boolean {
    const sender = this.transceiver.sender;
    const codec = sender.codec;
    if (this.stateValue !== "connected" || !codec) return false;
    // One header and packet object per leg, refilled each time: werift reads them (and
    // encrypts) synchronously, before its first await. Its NACK cache then holds only the
    // latest packet, which it checks by sequence number (audio negotiates no NACK anyway).
    const rtp = this.outgoing ?? this.newOutgoing();
    const header = rtp.header;
    header.payloadType = packet.payloadType;
    header.sequenceNumber = packet.sequenceNumber;
    header.timestamp = packet.timestamp;
    header.marker = packet.marker ?? false;
    // werift replaces the array with the extensions it adds (none: we negotiate none).
    header.extensions = NO_EXTENSIONS;
    // A view, not a copy: the payload is encrypted into a new buffer before sendRtp returns.
    rtp.payload = Buffer.isBuffer(packet.payload)
      ? packet.payload
      : Buffer.from(packet.payload.buffer, packet.payload.byteOffset, packet.payload.byteLength);
    if (packet.payloadType !== codec.payloadType)
      sender.codec = new this.lib.RTCRtpCodecParameters({ ...codec, payloadType: packet.payloadType });
    try {
      sender.sendRtp(rtp).catch(() => undefined);
    } finally {
      sender.codec = codec;
    }
    this.counters.sent(packet.payload.length);
    return true;
  }

  private newOutgoing(): RtpPacket {
    this.outgoing = new this.lib.RtpPacket(new this.lib.RtpHeader(), Buffer.alloc(0));
    return this.outgoing;
  }

  /** Packet, byte, loss and jitter counters of both directions, and the browser's latest RTCP report. */
  stats(): WebRtcStats {
    return this.counters.snapshot();
  }

  /** Closes the leg (idempotent); `connected` rejects if it had not connected. */
  async close(): Promise<void> {
    if (this.stateValue === "closed") return;
    this.finish("closed", new WebRtcError("closed", "the endpoint was closed before it connected"));
    await this.pc.close().catch(() => undefined);
  }

  private startConnecting(): void {
    if (this.stateValue !== "new") return;
    this.setState("connecting");
    const ms = this.options.connectTimeoutMs ?? 10_000;
    this.connectTimer = setTimeout(() => {
      this.fail(new WebRtcError("connect-timeout", `ICE + DTLS did not complete within ${ms} ms`));
    }, ms);
    this.connectTimer.unref();
    // werift may have connected already (the answer path connects as soon as it answers).
    if (this.pc.connectionState === "connected") this.onConnected();
    else if (this.pc.connectionState === "failed")
      this.fail(new WebRtcError("connection-failed", "the WebRTC connection failed"));
  }

  private watch(): void {
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") this.onConnected();
      else if (state === "failed" || state === "disconnected")
        this.fail(new WebRtcError("connection-failed", `the WebRTC connection went ${state}`));
      else if (state === "closed" && !this.ended) void this.close();
    });
    // werift keeps the connection "connected" when the browser goes away; ICE consent
    // freshness (RFC 7675) notices within seconds and reports the ICE side disconnected.
    this.pc.iceConnectionStateChange.subscribe((state) => {
      if (state === "disconnected" || state === "failed")
        this.fail(new WebRtcError("connection-failed", `ICE went ${state} (the browser is gone)`));
    });
    // The answer path creates the browser's track while applying the offer, before we watch.
    const tracks = new Set<MediaStreamTrack>();
    const listen = (track: MediaStreamTrack): void => {
      if (tracks.has(track)) return;
      tracks.add(track);
      track.onReceiveRtp.subscribe((rtp) => this.received(rtp));
    };
    for (const track of this.transceiver.receiver.tracks) listen(track);
    this.transceiver.onTrack.subscribe(listen);
    this.transceiver.sender.onRtcp.subscribe((rtcp) => {
      this.counters.rtcpReceived();
      const reports = "reports" in rtcp ? (rtcp.reports as RemoteReport[]) : [];
      const ours = reports.find((r) => r.ssrc === this.transceiver.sender.ssrc);
      if (ours) this.counters.remoteReport(ours);
    });
  }

  private received(rtp: RtpPacket): void {
    if (this.ended) return;
    const h = rtp.header;
    const packet: WebRtcRtpPacket = {
      payloadType: h.payloadType,
      sequenceNumber: h.sequenceNumber,
      timestamp: h.timestamp,
      marker: h.marker,
      ssrc: h.ssrc,
      payload: rtp.payload,
    };
    this.counters.received(packet, packet.payloadType === this.codecValue?.payloadType);
    this.rtpListeners.emit(packet);
  }

  private onConnected(): void {
    if (this.stateValue !== "connecting") return;
    clearTimeout(this.connectTimer);
    this.setState("connected");
    this.settle.resolve();
  }

  private get ended(): boolean {
    return this.stateValue === "closed" || this.stateValue === "failed";
  }

  private fail(error: WebRtcError): void {
    if (this.ended) return;
    this.failure = error;
    this.finish("failed", error);
    this.pc.close().catch(() => undefined);
  }

  private finish(state: "failed" | "closed", error: WebRtcError): void {
    clearTimeout(this.connectTimer);
    this.settle.reject(error);
    this.setState(state);
  }

  private setState(state: WebRtcState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.stateListeners.emit(state);
  }
}

function peerConfig(lib: Werift, options: WebRtcEndpointOptions): Partial<PeerConfig> {
  const addresses = options.addresses?.length ? [...options.addresses] : ["127.0.0.1"];
  const codecs = options.codecs ?? DEFAULT_CODECS;
  const audio = codecs.map(
    (name) =>
      new lib.RTCRtpCodecParameters({
        mimeType: `audio/${name}`,
        clockRate: 8000,
        payloadType: STATIC_PT[name],
        channels: 1,
      }),
  );
  if (options.telephoneEvent !== false)
    audio.push(
      new lib.RTCRtpCodecParameters({
        mimeType: "audio/telephone-event",
        clockRate: 8000,
        payloadType: OFFERED_TELEPHONE_EVENT_PT,
        channels: 1,
      }),
    );
  const bind = options.bind ?? (addresses.length === 1 ? addresses[0] : undefined);
  const wildcard = bind === undefined || bind === "0.0.0.0" || bind === "::";
  return {
    codecs: { audio, video: [] },
    // No STUN/TURN: candidates are the configured host addresses only (werift's default asks Google's STUN).
    iceServers: [],
    // The machine's own interfaces are not gathered (iceUseIpv4/6 false); the configured addresses are.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: addresses,
    ...(wildcard ? {} : { iceInterfaceAddresses: ipFamily(bind) }),
    ...(options.portRange
      ? { icePortRange: [options.portRange[0], options.portRange[1]] as [number, number] }
      : {}),
    bundlePolicy: "max-bundle",
  };
}

function ipFamily(address: string): { udp4: string } | { udp6: string } {
  return address.includes(":") ? { udp6: address } : { udp4: address };
}

/** Sets the local description and waits (bounded) for it to carry every candidate. */
async function describe(
  pc: RTCPeerConnection,
  type: "offer" | "answer",
  options: WebRtcEndpointOptions,
): Promise<string> {
  const ms = options.gatherTimeoutMs ?? 5000;
  const work = withGatherSlot(options.portRange !== undefined, async () => {
    const description = type === "offer" ? await pc.createOffer() : await pc.createAnswer();
    withoutStun(pc);
    await pc.setLocalDescription(description);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WebRtcError("gather-timeout", `no local candidates within ${ms} ms`)),
      ms,
    );
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
  const sdp = pc.localDescription?.sdp;
  if (!sdp || !/^a=candidate:/m.test(sdp))
    throw new WebRtcError("gather-timeout", "no local candidate could be gathered (no free port?)");
  return sdp;
}

/**
 * werift asks stun.l.google.com for a server-reflexive candidate whenever no STUN server is
 * configured, and waits 5 s for the answer: we want host candidates only and no traffic off
 * the machine, so the transports' STUN server is cleared before gathering.
 */
export function withoutStun(pc: RTCPeerConnection): void {
  for (const transport of pc.iceTransports) transport.connection.stunServer = undefined;
}
