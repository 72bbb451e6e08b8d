import { type CodecChoice, codecByName, codecByStaticPayloadType, RTP_CLOCK_RATE } from "./codecs.js";
import { intersectDirections, isDirection, reverseDirection } from "./direction.js";
import type { Direction } from "./media-types.js";
import { rtpMaps, type SdpAttribute, type SdpMedia, type SessionDescription } from "./session-description.js";

export interface RemoteAddress {
  address: string;
  port: number;
}

export type NegotiationFailure = { ok: false; status: 488 | 400; reason: string };

export interface NegotiatedStream {
  ok: true;
  /** Index of the accepted m= line in the description. */
  index: number;
  codec: CodecChoice;
  /** The stream's direction as the peer declared it (its own point of view). */
  peerDirection: Direction;
  /** Where to send; null when the peer gave the hold address 0.0.0.0 (RFC 3264 §8.4). */
  remote: RemoteAddress | null;
  rtcp: {
    /** The stream carries `a=rtcp-mux` (RFC 5761 §5.1.1): RTCP may share the RTP port. */
    mux: boolean;
    /** Where the peer wants RTCP without mux: `a=rtcp:` (RFC 3605), else the RTP port + 1. */
    remote: RemoteAddress | null;
  };
}

const NOT_ACCEPTABLE = "Not Acceptable Here";
const SUPPORTED = "PCMU/8000, PCMA/8000, G722/8000";

function notAcceptable(why: string): NegotiationFailure {
  return { ok: false, status: 488, reason: `${NOT_ACCEPTABLE}: ${why}` };
}

function badRequest(why: string): NegotiationFailure {
  return { ok: false, status: 400, reason: `Bad Request: ${why}` };
}

function isSrtpProtocol(protocol: string): boolean {
  return /SAVPF?$/i.test(protocol);
}

function isPlainRtp(protocol: string): boolean {
  return protocol.toUpperCase() === "RTP/AVP";
}

function directionOf(attributes: SdpAttribute[]): Direction | null {
  for (const a of attributes) if (a.value === null && isDirection(a.name)) return a.name;
  return null;
}

function isHoldAddress(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

/** RFC 3605 `a=rtcp:<port> [IN IP4|IP6 <address>]`; null when absent or malformed (then port + 1). */
function rtcpAttribute(attributes: SdpAttribute[]): { port: number; address: string | null } | null {
  const value = attributes.find((a) => a.name === "rtcp")?.value;
  const match = value ? /^\s*(\d{1,5})(?:\s+IN\s+IP[46]\s+(\S+))?\s*$/i.exec(value) : null;
  const port = Number(match?.[1]);
  if (!match || port < 1 || port > 65535) return null;
  return { port, address: match[2] ?? null };
}

function rtcpOf(media: SdpMedia, address: string): NegotiatedStream["rtcp"] {
  const mux = media.attributes.some((a) => a.name === "rtcp-mux" && a.value === null);
  const attribute = rtcpAttribute(media.attributes);
  const host = attribute?.address ?? address;
  const port = attribute?.port ?? media.port + 1;
  return { mux, remote: isHoldAddress(host) || port > 65535 ? null : { address: host, port } };
}

/** The first format of the stream that is one of our codecs, plus telephone-event/8000 if listed. */
function pickCodec(media: SdpMedia): CodecChoice | null {
  const maps = rtpMaps(media);
  let telephoneEvent: number | null = null;
  for (const format of media.formats) {
    const map = maps.get(format);
    if (map?.encoding.toLowerCase() === "telephone-event" && map.clockRate === RTP_CLOCK_RATE) {
      telephoneEvent = Number(format);
      break;
    }
  }
  for (const format of media.formats) {
    if (!/^\d{1,3}$/.test(format)) continue;
    const map = maps.get(format);
    // Static payload types may come without a=rtpmap (RFC 3551 §6); an rtpmap always wins.
    const name = map
      ? map.clockRate === RTP_CLOCK_RATE && map.channels === 1
        ? codecByName(map.encoding)
        : null
      : codecByStaticPayloadType(Number(format));
    if (name) return { name, payloadType: Number(format), clockRate: RTP_CLOCK_RATE, telephoneEvent };
  }
  return null;
}

function describeFormats(media: SdpMedia): string {
  const maps = rtpMaps(media);
  return media.formats
    .map((f) => {
      const map = maps.get(f);
      return map ? `${map.encoding}/${map.clockRate}` : (codecByStaticPayloadType(Number(f)) ?? `PT ${f}`);
    })
    .join(", ");
}

function accept(
  description: SessionDescription,
  index: number,
  codec: CodecChoice,
): NegotiatedStream | NegotiationFailure {
  const media = description.media[index]!;
  const connection = media.connection ?? description.connection;
  if (!connection) return badRequest(`no c= line for the audio stream (m= line ${index + 1})`);
  const declared = directionOf(media.attributes) ?? directionOf(description.attributes) ?? "sendrecv";
  const hold = isHoldAddress(connection.address);
  return {
    ok: true,
    index,
    codec,
    // A peer that gives 0.0.0.0 receives nothing (RFC 3264 §8.4, the RFC 2543 hold).
    peerDirection: hold ? intersectDirections(declared, "sendonly") : declared,
    remote: hold ? null : { address: connection.address, port: media.port },
    rtcp: rtcpOf(media, connection.address),
  };
}

/**
 * RFC 3264 §6 as answerer: the first active RTP/AVP audio stream with a codec we support.
 * SRTP-only offers are refused: the connector is RTP only (SPEC §1). An RTP/AVP stream
 * that also carries a=crypto (best-effort SRTP) is answered as plain RTP, without crypto.
 */
export function negotiateOffer(description: SessionDescription): NegotiatedStream | NegotiationFailure {
  const audio = description.media
    .map((media, index) => ({ media, index }))
    .filter(({ media }) => media.type.toLowerCase() === "audio");
  if (audio.length === 0) return notAcceptable("the offer has no audio stream (m=audio)");
  const active = audio.filter(({ media }) => media.port !== 0);
  if (active.length === 0) return notAcceptable("every audio stream of the offer is disabled (port 0)");
  const rtp = active.filter(({ media }) => isPlainRtp(media.protocol));
  if (rtp.length === 0) {
    const protocols = [...new Set(active.map(({ media }) => media.protocol))].join(", ");
    const srtp = active.some(
      ({ media }) => isSrtpProtocol(media.protocol) || media.attributes.some((a) => a.name === "crypto"),
    );
    return notAcceptable(
      srtp
        ? `SRTP (${protocols}) offered; the connector is RTP only`
        : `no RTP/AVP audio stream (offered ${protocols})`,
    );
  }
  for (const { media, index } of rtp) {
    const codec = pickCodec(media);
    if (codec) return accept(description, index, codec);
  }
  const offered = rtp.map(({ media }) => describeFormats(media)).join("; ");
  return notAcceptable(`no common codec (offered ${offered}; supported ${SUPPORTED})`);
}

/**
 * Reads the answer to our single-stream offer (RFC 3264 §6.1): the first m= line
 * corresponds to our audio stream and must keep to the formats we offered.
 */
export function negotiateAnswer(description: SessionDescription): NegotiatedStream | NegotiationFailure {
  const media = description.media[0];
  if (media?.type.toLowerCase() !== "audio") {
    return badRequest("the answer has no audio m= line to match our offer");
  }
  if (media.port === 0) return notAcceptable("the answer rejected our audio stream (port 0)");
  if (isSrtpProtocol(media.protocol)) {
    return notAcceptable(`SRTP (${media.protocol}) answered; the connector is RTP only`);
  }
  if (!isPlainRtp(media.protocol)) return notAcceptable(`the answer uses ${media.protocol}, not RTP/AVP`);
  const codec = pickCodec(media);
  if (!codec) return notAcceptable(`no common codec in the answer (${describeFormats(media)})`);
  return accept(description, 0, codec);
}

/** Our direction once the peer has declared its own (the peer's sendonly is our recvonly). */
export function ourDirection(peerDirection: Direction, wanted: Direction): Direction {
  return intersectDirections(wanted, reverseDirection(peerDirection));
}
