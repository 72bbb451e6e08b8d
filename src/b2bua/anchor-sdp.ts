import { type CodecName, parseSdp, rtpMaps, type SdpMedia } from "../media/index.js";

/** How a client's media leg is carried: plain RTP (Node sip.js clients) or WebRTC (browsers). */
export type LegKind = "rtp" | "webrtc";

const CODECS: readonly CodecName[] = ["PCMU", "PCMA", "G722"];
const STATIC: Readonly<Record<string, CodecName>> = { "0": "PCMU", "8": "PCMA", "9": "G722" };

function firstActiveAudio(sdp: string): SdpMedia | undefined {
  try {
    return parseSdp(sdp).media.find((m) => m.type.toLowerCase() === "audio" && m.port !== 0);
  } catch {
    return undefined;
  }
}

/**
 * The leg kind a client's SDP asks for, from its first active audio stream's protocol:
 * RTP/AVP is plain RTP; UDP/TLS/RTP/SAVPF (RFC 5764, what browsers offer) is WebRTC.
 * Undefined when the SDP has no active audio stream or another protocol.
 */
export function legKindOf(sdp: string): LegKind | undefined {
  const protocol = firstActiveAudio(sdp)?.protocol.toUpperCase();
  if (protocol === "RTP/AVP") return "rtp";
  if (protocol === "UDP/TLS/RTP/SAVPF" || protocol === "UDP/TLS/RTP/SAVP") return "webrtc";
  return undefined;
}

/** The name of one format of a stream, when it is one of our codecs (8000 Hz, mono). */
function codecOf(media: SdpMedia, format: string): CodecName | undefined {
  const map = rtpMaps(media).get(format);
  if (!map) return STATIC[format];
  if (map.clockRate !== 8000 || map.channels !== 1) return undefined;
  const upper = map.encoding.toUpperCase();
  return CODECS.find((c) => c === upper);
}

/** Our codecs the first active audio stream of `sdp` lists, in its order of preference. */
export function offeredCodecs(sdp: string): CodecName[] {
  const media = firstActiveAudio(sdp);
  if (!media) return [];
  const names: CodecName[] = [];
  for (const format of media.formats) {
    const name = codecOf(media, format);
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The codec both sides of an anchored call can use (no transcoding): the first of `first`
 * (the offerer whose preference counts) that `second` lists too; undefined when none.
 */
export function commonCodec(
  first: readonly CodecName[],
  second: readonly CodecName[],
): CodecName | undefined {
  return first.find((name) => second.includes(name));
}

/**
 * The same description with every audio stream narrowed to the `allowed` codecs and
 * telephone-event (their rtpmap/fmtp lines kept, the others dropped): an offer the connector
 * makes or answers on one leg then carries only what the other leg can take.
 */
export function restrictCodecs(sdp: string, allowed: readonly CodecName[]): string {
  let media: SdpMedia[];
  try {
    media = parseSdp(sdp).media;
  } catch {
    return sdp;
  }
  const lines = sdp.split(/\r?\n/);
  const out: string[] = [];
  let index = -1;
  let dropped = new Set<string>();
  for (const line of lines) {
    if (line.startsWith("m=")) {
      index++;
      const stream = media[index];
      dropped = new Set();
      if (stream?.type.toLowerCase() === "audio" && stream.port !== 0) {
        const keep = stream.formats.filter((format) => {
          const name = codecOf(stream, format);
          if (name) return allowed.includes(name);
          return rtpMaps(stream).get(format)?.encoding.toLowerCase() === "telephone-event";
        });
        for (const format of stream.formats) if (!keep.includes(format)) dropped.add(format);
        const head = line.split(/\s+/).slice(0, 3).join(" ");
        out.push(`${head} ${keep.join(" ")}`);
        continue;
      }
    } else {
      const attribute = /^a=(rtpmap|fmtp|rtcp-fb):(\d+)\s/.exec(line);
      if (attribute && dropped.has(attribute[2]!)) continue;
    }
    out.push(line);
  }
  return out.join("\r\n");
}
