import { randomInt } from "node:crypto";
import { AUDIO_CODECS, TELEPHONE_EVENT_PAYLOAD_TYPE } from "./codecs.js";
import type { Direction } from "./media-types.js";
import {
  type NegotiatedStream,
  type NegotiationFailure,
  negotiateAnswer,
  negotiateOffer,
  ourDirection,
} from "./sdp-negotiation.js";
import { audioSection, formatSdp, rejectedSection } from "./sdp-writer.js";
import { parseSdp, type SessionDescription } from "./session-description.js";

export type Negotiated = { ok: true; stream: NegotiatedStream; direction: Direction };

/**
 * The SDP side of one session (RFC 3264): our o= line, the offer we wait an answer for,
 * and the answers we write. Pure bookkeeping; the session applies the outcome to RTP.
 */
export class OfferAnswer {
  private readonly sessionId = String(randomInt(1, 2 ** 47));
  private version = randomInt(1, 2 ** 31);
  private described = false;
  private pendingOffer: Direction | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** As answerer (§6): we want sendrecv, so the direction mirrors the offer's (§6.1). */
  answer(offerSdp: string): (Negotiated & { sdp: string }) | NegotiationFailure {
    const parsed = parse(offerSdp);
    if ("status" in parsed) return parsed;
    const stream = negotiateOffer(parsed);
    if (!stream.ok) return stream;
    this.pendingOffer = null;
    const direction = ourDirection(stream.peerDirection, "sendrecv");
    const { codec } = stream;
    const ours = {
      port: this.port,
      codecs: [codec],
      telephoneEvent: codec.telephoneEvent,
      direction,
      rtcpMux: stream.rtcp.mux,
    };
    const sections = parsed.media.map((media, i) =>
      i === stream.index ? audioSection(ours) : rejectedSection(media),
    );
    return { ok: true, stream, direction, sdp: this.describe(sections) };
  }

  /** As offerer (§5): all our codecs and telephone-event, in the given direction. */
  offer(direction: Direction): string {
    this.pendingOffer = direction;
    const section = {
      port: this.port,
      codecs: AUDIO_CODECS,
      telephoneEvent: TELEPHONE_EVENT_PAYLOAD_TYPE,
      direction,
      rtcpMux: true,
    };
    return this.describe([audioSection(section)]);
  }

  /** The answer to our last offer; our direction is what we offered, narrowed by the answer. */
  applyAnswer(answerSdp: string): Negotiated | NegotiationFailure {
    const wanted = this.pendingOffer;
    if (wanted === null)
      return { ok: false, status: 400, reason: "Bad Request: no offer of ours awaits an answer" };
    const parsed = parse(answerSdp);
    if ("status" in parsed) return parsed;
    this.pendingOffer = null;
    const stream = negotiateAnswer(parsed);
    if (!stream.ok) return stream;
    return { ok: true, stream, direction: ourDirection(stream.peerDirection, wanted) };
  }

  /** A full description with our o= line: the same session id, version + 1 each time (§8). */
  private describe(sections: string[][]): string {
    if (this.described) this.version++;
    this.described = true;
    return formatSdp({ sessionId: this.sessionId, version: this.version, host: this.host, sections });
  }
}

function parse(sdp: string): SessionDescription | NegotiationFailure {
  try {
    return parseSdp(sdp);
  } catch (error) {
    return { ok: false, status: 400, reason: `Bad Request: malformed SDP: ${(error as Error).message}` };
  }
}
