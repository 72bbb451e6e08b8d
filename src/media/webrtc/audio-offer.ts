import type { CodecChoice, CodecName } from "../codecs.js";
import { parseSdp, rtpMaps, SdpParseError, type SessionDescription } from "../session-description.js";
import { WebRtcError } from "./webrtc-error.js";

/** What we answer toward a browser: one audio codec + telephone-event/8000 when offered. */
export interface AudioOfferNarrowing {
  /** The offer with its audio section cut down to the chosen formats (given to werift). */
  readonly sdp: string;
  readonly codec: CodecChoice;
}

/** Parses a browser's SDP, turning a parse failure into a typed error. */
export function parseBrowserSdp(sdp: string, what: "offer" | "answer"): SessionDescription {
  try {
    return parseSdp(sdp);
  } catch (error) {
    if (error instanceof SdpParseError)
      throw new WebRtcError("bad-sdp", `the ${what} is not SDP: ${error.message}`);
    throw error;
  }
}

/**
 * Checks a browser's offer and narrows its audio section to the first codec of `preferences`
 * it offers (plus telephone-event/8000). werift answers every offered format it knows and
 * sends with the offerer's first one; with one codec left, what it sends is what we chose —
 * the codec of the PBX leg, so audio passes through without transcoding. Opus (which a
 * browser always offers) is never chosen.
 */
export function narrowAudioOffer(sdp: string, preferences: readonly CodecName[]): AudioOfferNarrowing {
  const parsed = parseBrowserSdp(sdp, "offer");
  checkOnlyAudio(parsed, "offer");
  const audio = parsed.media[0];
  if (!audio || audio.port === 0) throw new WebRtcError("bad-sdp", "the offer has no active audio section");
  const maps = rtpMaps(audio);
  const codec = chooseCodec(audio.formats, maps, preferences);
  if (!codec) {
    const offered = [...maps.values()].map((m) => `${m.encoding}/${m.clockRate}`).join(", ");
    throw new WebRtcError(
      "no-common-codec",
      `the offer has none of ${preferences.join(", ")} (offered: ${offered || "nothing"})`,
    );
  }
  const keep = new Set([String(codec.payloadType)]);
  if (codec.telephoneEvent !== null) keep.add(String(codec.telephoneEvent));
  return { sdp: rewriteAudioFormats(sdp, keep), codec };
}

/** We answer audio only: a browser phone offers exactly one audio section. */
export function checkOnlyAudio(parsed: SessionDescription, what: "offer" | "answer"): void {
  if (parsed.media.length !== 1 || parsed.media[0]?.type !== "audio")
    throw new WebRtcError(
      "bad-sdp",
      `the ${what} must have exactly one m=audio section (has: ${parsed.media.map((m) => m.type).join(", ") || "none"})`,
    );
}

const RTP_NAMES: Readonly<Record<CodecName, string>> = { PCMU: "PCMU", PCMA: "PCMA", G722: "G722" };
const STATIC: Readonly<Record<CodecName, number>> = { PCMU: 0, PCMA: 8, G722: 9 };

/** The first preferred codec among the formats (by rtpmap, or by static payload type without one). */
export function chooseCodec(
  formats: readonly string[],
  maps: ReadonlyMap<string, { encoding: string; clockRate: number }>,
  preferences: readonly CodecName[],
): CodecChoice | null {
  const named = (pt: string): string | undefined => maps.get(pt)?.encoding.toUpperCase();
  const event = formats.find((pt) => named(pt) === "TELEPHONE-EVENT" && maps.get(pt)?.clockRate === 8000);
  const telephoneEvent = event === undefined ? null : Number(event);
  for (const name of preferences) {
    const pt = formats.find(
      (p) => named(p) === RTP_NAMES[name] || (!maps.has(p) && p === String(STATIC[name])),
    );
    if (pt !== undefined) return { name, payloadType: Number(pt), clockRate: 8000, telephoneEvent };
  }
  return null;
}

/** Keeps only `keep` in the audio m-line and drops the rtpmap/fmtp/rtcp-fb lines of the others. */
function rewriteAudioFormats(sdp: string, keep: ReadonlySet<string>): string {
  const lines = sdp.split(/\r?\n/);
  let inAudio = false;
  const out: string[] = [];
  for (const line of lines) {
    if (line.startsWith("m=")) {
      inAudio = line.startsWith("m=audio ");
      if (inAudio) {
        const [m, port, proto] = line.split(" ");
        out.push([m, port, proto, ...keep].join(" "));
        continue;
      }
    }
    const format = inAudio ? /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ /]/.exec(line)?.[1] : undefined;
    if (format !== undefined && !keep.has(format)) continue;
    out.push(line);
  }
  return out.join("\r\n");
}
