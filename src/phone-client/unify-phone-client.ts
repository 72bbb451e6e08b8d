import {
  type Invitation,
  Inviter,
  type LogLevel,
  Registerer,
  RegistererState,
  type Session,
  UserAgent,
} from "sip.js";
import { ClientCall, ClientCallError, type ClientDialogId } from "./client-call.js";
import {
  type ClientNotification,
  ClientNotifications,
  type ClientSubscription,
} from "./client-notifications.js";
import { installWebSocket, trustCa } from "./node-websocket.js";
import { type ClientMediaMode, RtpEndpoint } from "./rtp-endpoint.js";
import { RtpSessionDescriptionHandler } from "./rtp-session-description-handler.js";

/** The delegate sip.js calls back with a REGISTER's final response. */
type RequestDelegate = NonNullable<NonNullable<Parameters<Registerer["register"]>[0]>["requestDelegate"]>;

export interface UnifyPhoneClientOptions {
  /** The emulator's SIP WebSocket, e.g. "wss://127.0.0.1:8443/ws". */
  readonly url: string;
  /** The user's id (e.g. "us_k3v9q2m7xa"): the AOR's user part and the digest username. */
  readonly userId: string;
  /** The client password set with PUT …/users/{userId}/client-password. */
  readonly password: string;
  /** SIP domain and digest realm; default "phoneapp.unify.com". */
  readonly domain?: string;
  /** PEM of the CA that signed the emulator's certificate (the emulator's certs/ca.pem). */
  readonly ca?: string;
  /** What calls send: the peer's audio back ("echo", default) or silence. */
  readonly media?: ClientMediaMode;
  /** Where RTP sockets are bound and what SDP advertises; default "127.0.0.1". */
  readonly rtpHost?: string;
  /** Registration interval asked for, in seconds; default 600. */
  readonly expires?: number;
  /** sip.js log lines at or above this level go to stderr; default: none. */
  readonly logLevel?: LogLevel;
}

export interface UnifyPhoneClientStats {
  readonly registered: boolean;
  /** Calls of this client so far (incoming and outgoing, ended ones included). */
  readonly calls: number;
  readonly activeCalls: number;
}

/** REGISTER (or un-REGISTER) answered with a final non-2xx. */
export class ClientRegistrationError extends Error {
  override readonly name = "ClientRegistrationError";

  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${status} ${reason}`);
  }
}

/**
 * An emulated Unify Phone client: a sip.js 0.21 UserAgent over SIP/WebSocket (RFC 7118)
 * with real RTP over UDP. Scriptable from a test: register, receive and place calls,
 * hold, DTMF, transfer, hang up. The client authenticates as the user (digest username =
 * user id, password = its client password).
 */
export class UnifyPhoneClient {
  private readonly registerer: Registerer;
  private readonly handlers = new WeakMap<Session, RtpSessionDescriptionHandler>();
  private readonly allCalls: ClientCall[] = [];
  private readonly incomingHandlers = new Set<(call: ClientCall) => void>();
  private readonly pendingIncoming: ClientCall[] = [];
  private readonly notifications = new ClientNotifications();

  private constructor(
    private readonly ua: UserAgent,
    private readonly domain: string,
    expires: number,
  ) {
    this.registerer = new Registerer(ua, { expires });
  }

  static async connect(options: UnifyPhoneClientOptions): Promise<UnifyPhoneClient> {
    const domain = options.domain ?? "phoneapp.unify.com";
    const uri = UserAgent.makeURI(`sip:${options.userId}@${domain}`);
    if (!uri) throw new Error(`cannot make a SIP URI of user ${options.userId} and domain ${domain}`);
    installWebSocket();
    if (options.ca) trustCa(options.url, options.ca);
    const rtpHost = options.rtpHost ?? "127.0.0.1";
    const media = options.media ?? "echo";
    let client: UnifyPhoneClient | undefined;
    const ua = new UserAgent({
      uri,
      transportOptions: { server: options.url, connectionTimeout: 10 },
      authorizationUsername: options.userId,
      authorizationPassword: options.password,
      userAgentString: "unify-phone-emulator client (SIP.js 0.21.2)",
      logBuiltinEnabled: options.logLevel !== undefined,
      logLevel: options.logLevel ?? "error",
      sessionDescriptionHandlerFactory: (session: Session) => {
        const handler = new RtpSessionDescriptionHandler(RtpEndpoint.open(rtpHost, media));
        client?.handlers.set(session, handler);
        return handler;
      },
      delegate: {
        onInvite: (invitation: Invitation) => client?.onInvite(invitation),
        onNotify: (notification) => client?.notifications.unsolicited(notification),
      },
    });
    client = new UnifyPhoneClient(ua, domain, options.expires ?? 600);
    await ua.start();
    return client;
  }

  /** The address-of-record this client registers, `sip:<userId>@<domain>`. */
  get aor(): string {
    return this.ua.configuration.uri.toString();
  }

  get registered(): boolean {
    return this.registerer.state === RegistererState.Registered;
  }

  get stats(): UnifyPhoneClientStats {
    return {
      registered: this.registered,
      calls: this.allCalls.length,
      activeCalls: this.allCalls.filter((c) => c.state !== "terminated").length,
    };
  }

  /** REGISTER (digest handled by sip.js); resolves on 2xx, rejects with the final status otherwise. */
  register(): Promise<void> {
    return this.settle((options) => this.registerer.register(options), "REGISTER refused");
  }

  /** REGISTER with expires 0; resolves on 2xx. */
  unregister(): Promise<void> {
    return this.settle((options) => this.registerer.unregister(options), "");
  }

  /** A REGISTER sent by sip.js, as a promise of its final response. */
  private settle(
    send: (options: { requestDelegate: RequestDelegate }) => Promise<unknown>,
    fallbackReason: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      send({
        requestDelegate: {
          onAccept: () => resolve(),
          onReject: (response) =>
            reject(
              new ClientRegistrationError(
                response.message.statusCode ?? 0,
                response.message.reasonPhrase ?? fallbackReason,
              ),
            ),
        },
      }).catch(reject);
    });
  }

  /**
   * Be told of incoming calls (already ringing: 180 sent). Calls that arrived before any
   * handler was set are delivered to the first one. Returns an unsubscribe function.
   */
  onIncoming(handler: (call: ClientCall) => void): () => void {
    this.incomingHandlers.add(handler);
    for (const call of this.pendingIncoming.splice(0)) handler(call);
    return () => this.incomingHandlers.delete(handler);
  }

  /**
   * Call a number (E.164 or internal callno) through the emulator. By default resolves once
   * answered and rejects with ClientCallError on a final failure; `waitForAnswer: false`
   * resolves as soon as the INVITE is out (to CANCEL a ringing call, say).
   */
  async call(
    number: string,
    options: { waitForAnswer?: boolean; extraHeaders?: string[] } = {},
  ): Promise<ClientCall> {
    const target = UserAgent.makeURI(`sip:${number}@${this.domain}`);
    if (!target) throw new ClientCallError(0, `cannot make a SIP URI of "${number}"`);
    const inviter = new Inviter(this.ua, target, { extraHeaders: options.extraHeaders ?? [] });
    const call = this.track(inviter);
    let failure: ClientCallError | undefined;
    const sent = inviter.invite({
      requestDelegate: {
        onReject: (response) => {
          failure = new ClientCallError(
            response.message.statusCode ?? 0,
            response.message.reasonPhrase ?? "",
          );
        },
      },
    });
    await sent;
    if (options.waitForAnswer === false) return call;
    try {
      await call.established();
    } catch (err) {
      throw failure ?? err;
    }
    return call;
  }

  /**
   * Pick up a call active on another device of the same user (RFC 3891): INVITE with
   * Replaces naming that device's dialog (its `dialogId`); the connector moves the call here
   * and the other device gets BYE. Resolves once answered; rejects with ClientCallError (481
   * when the dialog is unknown).
   */
  pickup(other: ClientDialogId): Promise<ClientCall> {
    const replaces = `${other.callId};to-tag=${other.remoteTag};from-tag=${other.localTag}`;
    const user = this.ua.configuration.uri.user ?? "";
    return this.call(user, { extraHeaders: [`Replaces: ${replaces}`] });
  }

  /**
   * A 3-way (or larger) conference mixed by the emulator: INVITE to the conference factory
   * `sip:conference@<domain>`, then each call joined by REFER with Replaces (its client leg
   * ends; its far end now hears everyone). Resolves with the conference call once all joined;
   * rejects with ClientCallError when a call could not be joined.
   */
  async conference(...calls: ClientCall[]): Promise<ClientCall> {
    const focus = await this.call("conference");
    for (const call of calls) {
      const outcome = await focus.join(call);
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(outcome)?.[1] ?? 0);
      if (status !== 200) throw new ClientCallError(status, `joining ${call.remote}: ${outcome}`);
    }
    return focus;
  }

  /** NOTIFYs received (message-summary, say), oldest first: unsolicited ones and those of `subscribe`. */
  get notifies(): readonly ClientNotification[] {
    return this.notifications.received;
  }

  /** SUBSCRIBE to an event package of a user (default: this client's own), e.g. "message-summary". */
  subscribe(event: string, options: { user?: string; expires?: number } = {}): Promise<ClientSubscription> {
    const user = options.user ?? this.ua.configuration.uri.user ?? "";
    return this.notifications.subscribe(this.ua, user, event, options.expires ?? 3600);
  }

  /** Every call of this client, oldest first. */
  get calls(): readonly ClientCall[] {
    return this.allCalls;
  }

  /** Hang up every call, unregister if registered, close the WebSocket and RTP sockets. */
  async close(): Promise<void> {
    await Promise.allSettled(this.allCalls.map((c) => c.hangup()));
    if (this.registered) await this.unregister().catch(() => undefined);
    await this.registerer.dispose().catch(() => undefined);
    await this.ua.stop();
  }

  private onInvite(invitation: Invitation): void {
    const call = this.track(invitation);
    invitation.progress().catch(() => undefined);
    if (this.incomingHandlers.size === 0) this.pendingIncoming.push(call);
    for (const handler of this.incomingHandlers) handler(call);
  }

  private track(session: Session): ClientCall {
    const call = new ClientCall(session, this.domain, () => this.handlers.get(session));
    this.allCalls.push(call);
    return call;
  }
}
