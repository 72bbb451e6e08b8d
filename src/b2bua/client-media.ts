import type {
  AnswerResult,
  ApplyAnswerResult,
  CodecChoice,
  CodecName,
  Direction,
  MediaSession,
  MediaStats,
  MediaTags,
  RtpPacket,
} from "../media/index.js";
import { WebRtcError } from "../media/index.js";
import { commonCodec, type LegKind, legKindOf, offeredCodecs, restrictCodecs } from "./anchor-sdp.js";
import type { Call } from "./call.js";
import { WebRtcLeg } from "./client-media-webrtc.js";
import { offeredDirection } from "./passed-sdp.js";
import type { MediaPort } from "./ports.js";

/**
 * One side of an anchored call as the relay drives it: SDP offer/answer on the connector's
 * port, counters, and RTP in (relay sink) and out (forward). A plain RTP leg is a
 * MediaSession; a WebRTC leg wraps the media gateway's endpoint the same way.
 */
export interface AnchorLeg {
  readonly kind: LegKind;
  readonly localPort: number;
  readonly direction: Direction;
  readonly codec: CodecChoice | null;
  readonly stats: MediaStats;
  /** Where the leg sends RTP: the peer's address, latched from its packets. */
  readonly remoteAddress: { address: string; port: number } | null;
  /** Who the leg belongs to: RTP fault rules match on it. */
  tags: MediaTags;
  answer(offerSdp: string): AnswerResult;
  offer(direction?: Direction): string;
  applyAnswer(answerSdp: string): ApplyAnswerResult;
  relay(sink: ((packet: RtpPacket) => void) | null): void;
  /** RFC 4733 digits the leg detects (plain RTP legs; a WebRTC leg only relays them). */
  onDtmf?(listener: (digit: string) => void): void;
  forward(packet: Pick<RtpPacket, "payloadType" | "marker" | "timestamp" | "ssrc" | "payload">): boolean;
  close(): void;
}

/** A plain RTP leg: a media session of the engine in relay mode. */
function rtpLeg(session: MediaSession): AnchorLeg {
  return Object.assign(session, { kind: "rtp" as const });
}

/** One leg as the journal shows it. */
export interface MediaLegView {
  readonly kind: LegKind;
  readonly localPort: number;
  readonly codec: CodecName | null;
  readonly direction: Direction;
  /** The peer's RTP address as "address:port" (the PBX's, or the client's), null before any. */
  readonly remote: string | null;
  readonly stats: MediaStats;
}

/** A 20 ms audio frame of one leg, in that leg's codec (decode it for PCM, e.g. with media/mixer). */
export interface LegAudio {
  readonly side: "pbx" | "client";
  readonly codec: CodecChoice;
  readonly timestamp: number;
  readonly payload: Buffer;
}

export type Refusal = { ok: false; status: number; reason: string };
export type OfferTranslation = { ok: true; answerBack: string; forward: string } | Refusal;

const NO_CLIENT = "no client leg";

/**
 * The anchored media of a client call (issue 14): the connector terminates RTP on both
 * sides — toward the PBX on a port of its range (the PBX never sees the client's address),
 * toward the client plain RTP or WebRTC — and relays packets both ways with payload types
 * mapped (one codec on both legs, no transcoding; telephone-event passes through).
 *
 * The API for call features (transfer, conference, pickup): `pbx` and `client` legs,
 * `replaceClient()` to swap or attach a client leg, `views()` for counters, `onAudio()` for
 * each received frame and `sendAudio()` to inject one; `relaying = false` stops the relay
 * (a mixer then feeds the legs itself).
 */
export class ClientMedia {
  private clientLeg: AnchorLeg | null = null;
  private readonly listeners = new Set<(audio: LegAudio) => void>();
  private digitListener: ((digit: string, side: "pbx" | "client") => void) | null = null;
  private pbxAnswered = false;
  /** The RTP timestamp of the browser's last ended RFC 4733 event. */
  private lastBrowserEvent: number | null = null;
  /** Legs whose digits are listened to already. */
  private readonly heard = new WeakSet<AnchorLeg>();
  /** A client leg being opened on the PBX's answer (client → PBX with WebRTC). */
  private clientOpening: Promise<{ ok: true; leg: AnchorLeg } | Refusal> | null = null;
  private closed = false;
  /** Packets pass between the legs; false while a feature (a mixer) drives them itself. */
  relaying = true;
  private readonly injected = { pbx: { ssrc: 0, timestamp: 0 }, client: { ssrc: 0, timestamp: 0 } };

  private call: Call | null = null;

  private constructor(
    private readonly ctx: MediaPort,
    readonly pbx: AnchorLeg,
  ) {
    pbx.relay((packet) => this.relayed("pbx", packet));
    this.injected.pbx.ssrc = randomSsrc();
    this.injected.client.ssrc = randomSsrc();
  }

  /** The PBX-side leg on a port of the range; throws when no port is free. */
  static async open(ctx: MediaPort): Promise<ClientMedia> {
    const session = await ctx.media.createSession({ mode: "echo" });
    return new ClientMedia(ctx, rtpLeg(session));
  }

  /** The call's media from now on: its legs carry the call's tags (fault rules), the call view shows them. */
  bind(call: Call): void {
    this.call = call;
    call.anchoredMedia = this;
    for (const leg of [this.pbx, this.clientLeg]) if (leg) tag(leg, call);
  }

  get client(): AnchorLeg | null {
    return this.clientLeg;
  }

  /**
   * A client leg of the kind its SDP asks for, replacing the current one (closed) if any. A
   * WebRTC leg answers the browser's offer at once, with one of `codecs` (default: the PBX
   * leg's codec once negotiated, e.g. for a pickup, else the offer's). Refused with 488
   * when the SDP is neither RTP/AVP nor WebRTC (or the gateway refuses it), 503 when no port is free.
   */
  async openClientLeg(
    clientSdp: string,
    codecs: CodecName[] = this.pbx.codec ? [this.pbx.codec.name] : offeredCodecs(clientSdp),
  ): Promise<{ ok: true; leg: AnchorLeg } | Refusal> {
    const kind = legKindOf(clientSdp);
    if (!kind)
      return { ok: false, status: 488, reason: "Not Acceptable Here: no RTP/AVP or WebRTC audio stream" };
    let leg: AnchorLeg;
    try {
      leg =
        kind === "webrtc"
          ? await WebRtcLeg.answer(clientSdp, codecs, this.ctx.webrtc ?? {})
          : rtpLeg(await this.ctx.media.createSession({ mode: "echo" }));
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof WebRtcError)
        return { ok: false, status: 488, reason: `Not Acceptable Here: ${message}` };
      return { ok: false, status: 503, reason: `Service Unavailable: no media port free (${message})` };
    }
    if (this.call) tag(leg, this.call);
    if (this.closed) {
      leg.close();
      return { ok: false, status: 487, reason: "Request Terminated: the call ended" };
    }
    this.replaceClient(leg);
    return { ok: true, leg };
  }

  /** Attach (or swap in) a client leg; the previous one is closed. */
  replaceClient(leg: AnchorLeg): void {
    const previous = this.clientLeg;
    this.clientLeg = leg;
    leg.relay((packet) => this.relayed("client", packet));
    this.listenForDigits(leg, "client");
    if (previous && previous !== leg) previous.close();
  }

  /**
   * PBX → client, late offer: the client offered in its 2xx; `pbxOffer` is the PBX's INVITE
   * offer (null when it made none). Opens the client leg the offer asks for, with one codec
   * common to both, or refuses (488). Gives the answer for the client's ACK and the SDP of our
   * 200 to the PBX (an answer, or our offer when it made none).
   */
  async acceptClientOffer(
    clientOffer: string,
    pbxOffer: string | null,
  ): Promise<{ ok: true; clientAnswer: string; pbxSdp: string } | Refusal> {
    const clientCodecs = offeredCodecs(clientOffer);
    const codec = pbxOffer === null ? clientCodecs[0] : commonCodec(offeredCodecs(pbxOffer), clientCodecs);
    if (!codec) return noCommonCodec(clientOffer, pbxOffer);
    const opened = await this.openClientLeg(clientOffer, [codec]);
    if (!opened.ok) return opened;
    const client = opened.leg;
    const answered = client.answer(restrictCodecs(clientOffer, [codec]));
    if (!answered.ok) return answered;
    if (pbxOffer === null) {
      return { ok: true, clientAnswer: answered.sdp, pbxSdp: restrictCodecs(this.pbx.offer(), [codec]) };
    }
    const pbxAnswer = this.pbx.answer(restrictCodecs(pbxOffer, [codec]));
    if (!pbxAnswer.ok) return pbxAnswer;
    this.pbxAnswered = true;
    return { ok: true, clientAnswer: answered.sdp, pbxSdp: pbxAnswer.sdp };
  }

  /** Client → PBX: our offer toward the PBX, narrowed to the codecs the client offered (all without an offer). */
  offerToPbx(clientOffer: string | null): { ok: true; sdp: string } | Refusal {
    const codecs: CodecName[] = clientOffer === null ? ["PCMU", "PCMA", "G722"] : offeredCodecs(clientOffer);
    if (codecs.length === 0) return noCommonCodec(clientOffer ?? "", null);
    return { ok: true, sdp: restrictCodecs(this.pbx.offer(), codecs) };
  }

  /**
   * The PBX's answer to our offer (from an 18x or the 2xx; later copies are ignored) and
   * the client's side of it: the answer to the client's offer, or our offer to a client
   * that made none (its ACK answers it, `applyClientAnswer`). A client leg not opened yet (a
   * browser's: its answer must name the PBX's codec) is opened now.
   */
  async pbxAnswer(
    pbxSdp: string,
    clientOffer: string | null,
  ): Promise<{ ok: true; clientSdp: string } | Refusal> {
    if (!this.pbxAnswered) {
      const applied = this.pbx.applyAnswer(pbxSdp);
      if (!applied.ok) return applied;
      this.pbxAnswered = true;
    }
    const codec = this.pbx.codec?.name;
    if (!codec) return { ok: false, status: 488, reason: "Not Acceptable Here: the PBX answered no codec" };
    if (!this.clientLeg && clientOffer !== null) {
      this.clientOpening ??= this.openClientLeg(clientOffer, [codec]);
      const opened = await this.clientOpening;
      if (!opened.ok) return opened;
    }
    const client = this.clientLeg;
    if (!client) return { ok: false, status: 500, reason: `Server Internal Error: ${NO_CLIENT}` };
    if (clientOffer === null) return { ok: true, clientSdp: restrictCodecs(client.offer(), [codec]) };
    const answered = client.answer(restrictCodecs(clientOffer, [codec]));
    return answered.ok ? { ok: true, clientSdp: answered.sdp } : answered;
  }

  /** The PBX's answer in its ACK to the offer of our 200 (PBX → client without an offer). */
  applyPbxAnswer(sdp: string): ApplyAnswerResult {
    return this.pbx.applyAnswer(sdp);
  }

  /** The client's answer in its ACK to the offer of our 200 (it called without an offer). */
  applyClientAnswer(sdp: string): ApplyAnswerResult | Refusal {
    return this.clientLeg ? this.clientLeg.applyAnswer(sdp) : { ok: false, status: 500, reason: NO_CLIENT };
  }

  /**
   * A re-INVITE or UPDATE offer from one side (hold, retrieve): the asker's leg answers it,
   * and the other leg offers the same direction to its peer (narrowed to the call's codec).
   */
  translateOffer(from: "pbx" | "client", offer: string): OfferTranslation {
    const asker = from === "pbx" ? this.pbx : this.clientLeg;
    const other = from === "pbx" ? this.clientLeg : this.pbx;
    if (!asker || !other) return { ok: false, status: 500, reason: `Server Internal Error: ${NO_CLIENT}` };
    const codec = asker.codec?.name;
    const narrowed = codec ? restrictCodecs(offer, [codec]) : offer;
    const answered = asker.answer(narrowed);
    if (!answered.ok) return answered;
    const direction = offeredDirection(offer) ?? "sendrecv";
    const forward = restrictCodecs(other.offer(direction), [answered.codec.name]);
    return { ok: true, answerBack: answered.sdp, forward };
  }

  /** The answer from the side a translated offer went to. */
  translateAnswer(to: "pbx" | "client", answer: string): ApplyAnswerResult | Refusal {
    const leg = to === "pbx" ? this.pbx : this.clientLeg;
    return leg ? leg.applyAnswer(answer) : { ok: false, status: 500, reason: NO_CLIENT };
  }

  /**
   * RFC 4733 digits received on either leg (the relay passes the events on as well): a plain
   * RTP leg's detector, or the end of a browser's event; the journal records them.
   */
  onDigit(listener: (digit: string, side: "pbx" | "client") => void): void {
    this.digitListener = listener;
    this.listenForDigits(this.pbx, "pbx");
    if (this.clientLeg) this.listenForDigits(this.clientLeg, "client");
  }

  private listenForDigits(leg: AnchorLeg, side: "pbx" | "client"): void {
    const listener = this.digitListener;
    if (!listener || !leg.onDtmf || this.heard.has(leg)) return;
    this.heard.add(leg);
    leg.onDtmf((digit) => listener(digit, side));
  }

  /** Each frame received on either leg (audio and telephone-event). Returns the unsubscribe. */
  onAudio(listener: (audio: LegAudio) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Send one 20 ms frame, already in that leg's codec, to one side (a mixer's output). */
  sendAudio(side: "pbx" | "client", payload: Buffer): boolean {
    const leg = side === "pbx" ? this.pbx : this.clientLeg;
    const codec = leg?.codec;
    if (!leg || !codec) return false;
    const own = this.injected[side];
    own.timestamp = (own.timestamp + payload.length) >>> 0;
    return leg.forward({
      payloadType: codec.payloadType,
      marker: false,
      timestamp: own.timestamp,
      ssrc: own.ssrc,
      payload,
    });
  }

  /** Both legs as the journal shows them. */
  views(): { pbx: MediaLegView; client: MediaLegView | null } {
    return { pbx: viewOf(this.pbx), client: this.clientLeg ? viewOf(this.clientLeg) : null };
  }

  /** One line for the journal and the live stream when the call ends: each leg's counters. */
  summary(): string {
    const line = (name: string, v: MediaLegView | null) =>
      v
        ? `${name} ${v.kind} ${v.codec ?? "-"}: sent ${v.stats.packetsSent}, received ${v.stats.packetsReceived}, lost ${v.stats.packetsLost}, jitter ${v.stats.jitterMs.toFixed(1)} ms`
        : `${name}: none`;
    const { pbx, client } = this.views();
    return `${line("PBX leg", pbx)}; ${line("client leg", client)}`;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.pbx.close();
    this.clientLeg?.close();
  }

  /**
   * A browser's RFC 4733 event (§2.3): the first packet with the end bit names the digit;
   * its retransmissions share the event's timestamp and are not counted again.
   */
  private browserDigit(packet: RtpPacket): void {
    const { payload } = packet;
    if (payload.length < 4 || (payload[1]! & 0x80) === 0 || this.lastBrowserEvent === packet.timestamp)
      return;
    this.lastBrowserEvent = packet.timestamp;
    const digit = "0123456789*#ABCD"[payload[0]!];
    if (digit) this.digitListener?.(digit, "client");
  }

  private relayed(from: "pbx" | "client", packet: RtpPacket): void {
    const source = from === "pbx" ? this.pbx : this.clientLeg;
    const target = from === "pbx" ? this.clientLeg : this.pbx;
    const codec = source?.codec;
    if (!codec) return;
    if (source.kind === "webrtc" && packet.payloadType === codec.telephoneEvent) this.browserDigit(packet);
    if (this.listeners.size > 0)
      for (const listener of this.listeners)
        listener({ side: from, codec, timestamp: packet.timestamp, payload: packet.payload });
    if (!this.relaying || !target?.codec) return;
    const payloadType = mapPayloadType(packet.payloadType, codec, target.codec);
    // The fields forward() reads, not a spread copy of the packet (this runs for every packet).
    if (payloadType !== undefined)
      target.forward({
        payloadType,
        marker: packet.marker,
        timestamp: packet.timestamp,
        ssrc: packet.ssrc,
        payload: packet.payload,
      });
  }
}

/** Same codec on both legs, maybe under other payload types; telephone-event only where both have it. */
function mapPayloadType(payloadType: number, from: CodecChoice, to: CodecChoice): number | undefined {
  if (payloadType === from.payloadType && from.name === to.name) return to.payloadType;
  if (payloadType === from.telephoneEvent && to.telephoneEvent !== null) return to.telephoneEvent;
  return undefined;
}

function viewOf(leg: AnchorLeg): MediaLegView {
  return {
    kind: leg.kind,
    localPort: leg.localPort,
    codec: leg.codec?.name ?? null,
    direction: leg.direction,
    remote: leg.remoteAddress ? `${leg.remoteAddress.address}:${leg.remoteAddress.port}` : null,
    stats: leg.stats,
  };
}

/** Fault rules (`rtp.*`) match a session by call, tenant and trunk. */
function tag(leg: AnchorLeg, call: Call): void {
  leg.tags = { callId: call.id, tenantId: call.tenantId, trunkId: call.trunkId, trunk: call.trunkName };
}

function noCommonCodec(clientSdp: string, pbxSdp: string | null): Refusal {
  const client = offeredCodecs(clientSdp).join(", ") || "none of PCMU, PCMA, G722";
  const pbx =
    pbxSdp === null ? "" : `; the PBX offered ${offeredCodecs(pbxSdp).join(", ") || "none of them"}`;
  return {
    ok: false,
    status: 488,
    reason: `Not Acceptable Here: no common codec (the client offered ${client}${pbx})`,
  };
}

function randomSsrc(): number {
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}
