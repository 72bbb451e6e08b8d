import {
  type BodyAndContentType,
  type Invitation,
  Inviter,
  Registerer,
  RegistererState,
  type Session,
  type SessionDescriptionHandler,
  SessionState,
  UserAgent,
} from "sip.js";
import { installWebSocket, trustCa } from "../../src/phone-client/node-websocket.js";
import { until } from "./until.js";
import { BrowserPeer } from "./webrtc-browser-peer.js";

/**
 * sip.js's description handler over a werift peer that plays the browser: it offers or
 * answers UDP/TLS/RTP/SAVPF audio as Chromium would. One negotiation per call (re-offers are
 * answered with the same description's direction only, enough for hold tests).
 */
class BrowserPeerHandler implements SessionDescriptionHandler {
  private remoteOffer: string | undefined;
  private offering = false;

  constructor(readonly peer: BrowserPeer) {}

  async getDescription(): Promise<BodyAndContentType> {
    const offer = this.remoteOffer;
    this.remoteOffer = undefined;
    if (offer === undefined) this.offering = true;
    const body = offer === undefined ? await this.peer.offer() : await this.peer.answer(offer);
    return { body, contentType: "application/sdp" };
  }

  async setDescription(sdp: string): Promise<void> {
    if (!this.offering) {
      this.remoteOffer = sdp;
      return;
    }
    this.offering = false;
    await this.peer.acceptAnswer(sdp);
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(";")[0]!.trim().toLowerCase() === "application/sdp";
  }

  async rollbackDescription(): Promise<void> {}

  sendDtmf(): boolean {
    return false;
  }

  close(): void {
    void this.peer.close().catch(() => undefined);
  }
}

/** A registered sip.js user agent whose calls carry WebRTC media (a werift peer): a browser client in tests. */
export class WebRtcSipClient {
  readonly peers: BrowserPeer[] = [];
  private readonly incoming: Invitation[] = [];

  private constructor(
    private readonly ua: UserAgent,
    private readonly registerer: Registerer,
    private readonly domain: string,
  ) {}

  static async connect(options: {
    url: string;
    userId: string;
    password: string;
    ca: string;
    domain?: string;
  }): Promise<WebRtcSipClient> {
    installWebSocket();
    trustCa(options.url, options.ca);
    const domain = options.domain ?? "phoneapp.unify.com";
    let client: WebRtcSipClient | undefined;
    const ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:${options.userId}@${domain}`),
      transportOptions: { server: options.url, connectionTimeout: 10 },
      authorizationUsername: options.userId,
      authorizationPassword: options.password,
      userAgentString: "UnifyPhoneEmulator-Browser (test: sip.js + werift)",
      logBuiltinEnabled: false,
      sessionDescriptionHandlerFactory: (_session: Session) => {
        const peer = new BrowserPeer();
        client?.peers.push(peer);
        return new BrowserPeerHandler(peer);
      },
      delegate: { onInvite: (invitation) => client?.incoming.push(invitation) },
    });
    const registerer = new Registerer(ua);
    client = new WebRtcSipClient(ua, registerer, domain);
    await ua.start();
    await registerer.register();
    await until(() => registerer.state === RegistererState.Registered, "the browser client to register");
    return client;
  }

  /** Calls `number` through the connector; resolves once the call is established. */
  async call(number: string): Promise<Session> {
    const inviter = new Inviter(this.ua, UserAgent.makeURI(`sip:${number}@${this.domain}`)!);
    await inviter.invite();
    await until(
      () => inviter.state !== SessionState.Establishing && inviter.state !== SessionState.Initial,
      "the call to be answered or refused",
    );
    return inviter;
  }

  /** The next incoming INVITE. */
  async nextIncoming(): Promise<Invitation> {
    await until(() => this.incoming.length > 0, "an incoming call");
    return this.incoming.shift()!;
  }

  async close(): Promise<void> {
    await this.registerer.unregister().catch(() => undefined);
    await this.ua.stop().catch(() => undefined);
    await Promise.allSettled(this.peers.map((p) => p.close()));
  }
}
