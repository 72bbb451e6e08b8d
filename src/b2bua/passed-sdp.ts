import { type Direction, parseSdp, type SdpAttribute, type SdpMedia } from "../media/index.js";

const DIRECTIONS: ReadonlySet<string> = new Set(["sendrecv", "sendonly", "recvonly", "inactive"]);

/**
 * Why the connector refuses a PBX's SDP offer for a call its clients are to answer (before
 * ringing them; the media is anchored, client-media.ts): not SDP, no active audio stream, or
 * SRTP only — toward the PBX the connector is RTP only (SPEC §3.3), whoever answers.
 * Undefined when the offer may go through.
 */
export function passThroughProblem(sdp: string): string | undefined {
  let audio: SdpMedia[];
  try {
    audio = parseSdp(sdp).media.filter((m) => m.type.toLowerCase() === "audio" && m.port !== 0);
  } catch (err) {
    return `the SDP offer cannot be read: ${(err as Error).message}`;
  }
  if (audio.length === 0) return "the offer has no active audio stream (m=audio)";
  if (audio.some((m) => m.protocol.toUpperCase() === "RTP/AVP")) return undefined;
  const protocols = [...new Set(audio.map((m) => m.protocol))].join(", ");
  return `SRTP (${protocols}) offered; the connector is RTP only`;
}

/**
 * The direction the offerer declares for its first audio stream (RFC 3264 §5.1), with the
 * RFC 2543 hold (c=0.0.0.0: it receives nothing) applied; undefined when the body is not readable SDP.
 */
export function offeredDirection(sdp: string): Direction | undefined {
  try {
    const description = parseSdp(sdp);
    const audio = description.media.find((m) => m.type.toLowerCase() === "audio");
    if (!audio) return undefined;
    const declared = directionOf(audio.attributes) ?? directionOf(description.attributes) ?? "sendrecv";
    const address = (audio.connection ?? description.connection)?.address;
    if (address !== "0.0.0.0") return declared;
    // The offerer receives nothing at 0.0.0.0.
    return declared === "sendrecv" ? "sendonly" : declared === "recvonly" ? "inactive" : declared;
  } catch {
    return undefined;
  }
}

/** The offerer holds the other side when it only sends or does neither (RFC 3264 §8.4). */
export function holds(direction: Direction): boolean {
  return direction === "sendonly" || direction === "inactive";
}

function directionOf(attributes: readonly SdpAttribute[]): Direction | undefined {
  const found = attributes.find((a) => a.value === null && DIRECTIONS.has(a.name));
  return found ? (found.name as Direction) : undefined;
}

/**
 * RFC 3261 §13.2.2.4: an ACK must answer an offer made in a 2xx even when we do not want
 * the session; this answer rejects every stream (port 0, RFC 3264 §6) before the BYE.
 */
export function rejectingAnswer(offer: string): string {
  const streams = offer
    .split(/\r?\n/)
    .filter((line) => line.startsWith("m="))
    .map((line) => {
      const [type = "audio", , protocol = "RTP/AVP", format = "0"] = line.slice(2).trim().split(/\s+/);
      return `m=${type} 0 ${protocol} ${format}`;
    });
  const lines = ["v=0", "o=- 0 0 IN IP4 0.0.0.0", "s=-", "c=IN IP4 0.0.0.0", "t=0 0", ...streams];
  return `${lines.join("\r\n")}\r\n`;
}
