import { randomInt } from "node:crypto";
import type { BodyAndContentType, SessionDescriptionHandler, SessionDescriptionHandlerOptions } from "sip.js";
import {
  answerDirection,
  CLIENT_CODECS,
  ClientSdpError,
  chooseCodec,
  type Direction,
  effectiveDirection,
  parseRemoteAudio,
  type RemoteAudio,
  sends,
  TELEPHONE_EVENT_PAYLOAD_TYPE,
  unacceptable,
  writeSdp,
} from "./client-sdp.js";
import type { RtpEndpoint } from "./rtp-endpoint.js";

/** Options a ClientCall passes through sip.js (`sessionDescriptionHandlerOptions`). */
export interface RtpDescriptionOptions extends SessionDescriptionHandlerOptions {
  /** true: offer/answer sendonly (we hold the call); false: back to sendrecv; absent: unchanged. */
  readonly hold?: boolean;
}

const SDP = "application/sdp";

/**
 * The sip.js SessionDescriptionHandler of an emulated client: RFC 3264 offer/answer over
 * the client's own SDP, media on a real RtpEndpoint. `getDescription` answers a pending
 * remote offer or makes a new offer; `setDescription` takes the answer to our offer or
 * records a remote offer. An offer without G.711 over RTP/AVP (SRTP only, say) is refused.
 */
export class RtpSessionDescriptionHandler implements SessionDescriptionHandler {
  private readonly sessionId = String(randomInt(1, 2 ** 47));
  private version = 0;
  private hold = false;
  private localOffer: Direction | undefined;
  private remoteOffer: RemoteAudio | undefined;
  private negotiated: Direction = "inactive";
  private closed = false;
  private bound: RtpEndpoint | undefined;

  constructor(private readonly endpoint: Promise<RtpEndpoint>) {
    // A failed bind surfaces through getDescription, never as an unhandled rejection.
    endpoint.then(
      (media) => {
        this.bound = media;
      },
      () => undefined,
    );
  }

  /** The media endpoint once its socket is bound (it outlives the session for its counters). */
  get media(): RtpEndpoint | undefined {
    return this.bound;
  }

  /** The negotiated direction from our point of view ("inactive" before negotiation). */
  get direction(): Direction {
    return this.negotiated;
  }

  async getDescription(options?: RtpDescriptionOptions): Promise<BodyAndContentType> {
    const media = await this.endpoint;
    this.hold = options?.hold ?? this.hold;
    const base = { address: media.address, sessionId: this.sessionId, version: ++this.version };
    const remote = this.remoteOffer;
    if (!remote) {
      this.localOffer = this.hold ? "sendonly" : "sendrecv";
      const body = writeSdp({
        ...base,
        port: media.port,
        codecs: CLIENT_CODECS,
        telephoneEvent: TELEPHONE_EVENT_PAYLOAD_TYPE,
        direction: this.localOffer,
      });
      return { body, contentType: SDP };
    }
    this.remoteOffer = undefined;
    const why = unacceptable(remote);
    if (why) throw new ClientSdpError(why);
    const codec = chooseCodec(remote)!;
    const direction = answerDirection(remote.direction, this.hold);
    this.apply(media, remote, direction);
    const body = writeSdp({
      ...base,
      port: media.port,
      codecs: [codec],
      telephoneEvent: remote.telephoneEvent,
      direction,
    });
    return { body, contentType: SDP };
  }

  async setDescription(sdp: string, options?: RtpDescriptionOptions): Promise<void> {
    const media = await this.endpoint;
    this.hold = options?.hold ?? this.hold;
    const remote = parseRemoteAudio(sdp);
    const offered = this.localOffer;
    if (offered === undefined) {
      this.remoteOffer = remote;
      return;
    }
    // RFC 3264 §5: this is the answer to our offer.
    this.localOffer = undefined;
    if (!chooseCodec(remote) || remote.port === 0) {
      throw new ClientSdpError("the answer accepts none of our codecs");
    }
    this.apply(media, remote, effectiveDirection(offered, remote.direction));
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(";")[0]!.trim().toLowerCase() === SDP;
  }

  async rollbackDescription(): Promise<void> {
    this.localOffer = undefined;
  }

  /** sip.js's own DTMF entry point; ClientCall calls the endpoint directly to await it. */
  sendDtmf(tones: string): boolean {
    this.endpoint.then((media) => media.sendDtmf(tones)).catch(() => undefined);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endpoint.then((media) => media.close()).catch(() => undefined);
  }

  private apply(media: RtpEndpoint, remote: RemoteAudio, direction: Direction): void {
    this.negotiated = direction;
    const codec = chooseCodec(remote)!;
    media.configure({
      address: remote.address,
      port: remote.port,
      codec,
      telephoneEvent: remote.telephoneEvent,
      sending: sends(direction),
    });
  }
}
