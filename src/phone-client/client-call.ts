import {
  type Info,
  Invitation,
  type Inviter,
  type Notification,
  type Session,
  SessionState,
  UserAgent,
} from "sip.js";
import { type Direction, parseRemoteAudio, unacceptable } from "./client-sdp.js";
import type { ClientMediaMode, ClientMediaStats } from "./rtp-endpoint.js";
import type {
  RtpDescriptionOptions,
  RtpSessionDescriptionHandler,
} from "./rtp-session-description-handler.js";

export type ClientCallState = "ringing" | "established" | "terminated";

/** A request of the call failed: the status and reason the far end answered (0: no answer). */
export class ClientCallError extends Error {
  override readonly name = "ClientCallError";

  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(status === 0 ? reason : `${status} ${reason}`);
  }
}

interface Outcome {
  onAccept(): void;
  onReject(response: { message: { statusCode?: number; reasonPhrase?: string } }): void;
}

/** The ids of a call's dialog as this client sees it (RFC 3261 §12): what a Replaces names. */
export interface ClientDialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/**
 * One call of an emulated Unify Phone client, over a sip.js Session: answer, reject,
 * hold/retrieve (re-INVITE with sendonly, then sendrecv), DTMF (RFC 4733 on the RTP stream,
 * or SIP INFO application/dtmf-relay), blind and attended transfer (REFER, with Replaces for
 * the attended one; NOTIFY progress recorded) and hang-up. Incoming calls ring (180) as soon
 * as they arrive. A second call while one is held is a consultation; alternate = hold one,
 * retrieve the other.
 */
export class ClientCall {
  readonly direction: "incoming" | "outgoing";
  /** The other party: the caller's user part (incoming) or the dialled number (outgoing). */
  readonly remote: string;
  /** sipfrag status lines of the NOTIFYs that followed our REFER, e.g. "SIP/2.0 200 OK". */
  readonly transferProgress: string[] = [];
  private readonly endedPromise: Promise<void>;
  private infoDigits = "";
  /** Resolves once the ACK to our 200 brought the answer (late offer); re-INVITEs wait for it. */
  private answerAcked: Promise<void> = Promise.resolve();
  private acked: (() => void) | undefined;
  /** transferOutcome() callers; each returns true once settled. */
  private progressWaiters: (() => boolean)[] = [];

  constructor(
    readonly session: Session,
    private readonly domain: string,
    /** The call's description handler, kept by the client beyond the session's end. */
    private readonly handler: () => RtpSessionDescriptionHandler | undefined,
  ) {
    this.direction = session instanceof Invitation ? "incoming" : "outgoing";
    this.remote =
      session instanceof Invitation
        ? (session.remoteIdentity.uri.user ?? "")
        : ((session as Inviter).request.ruri.user ?? "");
    this.endedPromise = new Promise((resolve) => {
      session.stateChange.addListener((state) => {
        if (state === SessionState.Terminated) resolve();
      });
    });
    session.delegate = { onInfo: (info) => this.onInfo(info), onAck: () => this.onAck() };
  }

  get state(): ClientCallState {
    switch (this.session.state) {
      case SessionState.Established:
        return "established";
      case SessionState.Terminating:
      case SessionState.Terminated:
        return "terminated";
      default:
        return "ringing";
    }
  }

  /** The Call-ID of the call's dialog. */
  get callId(): string {
    return (this.session as Invitation | Inviter).request.callId;
  }

  /** The dialog's ids (once answered): give them to another device's `pickup()`. */
  get dialogId(): ClientDialogId {
    const dialog = this.session.dialog;
    if (!dialog) throw new ClientCallError(0, "the call has no dialog yet");
    return { callId: dialog.callId, localTag: dialog.localTag, remoteTag: dialog.remoteTag };
  }

  /** The negotiated media direction from this client's point of view. */
  get mediaDirection(): Direction {
    return this.handler()?.direction ?? "inactive";
  }

  /** Digits received by SIP INFO (application/dtmf-relay), in order. */
  get infoDtmfReceived(): string {
    return this.infoDigits;
  }

  /** RTP counters of this call (zeros before media was negotiated). */
  get stats(): ClientMediaStats {
    return { ...(this.handler()?.media?.stats ?? EMPTY_STATS) };
  }

  /** Resolves once the call is over, however it ended. */
  ended(): Promise<void> {
    return this.endedPromise;
  }

  /** Resolves once the call is established; rejects if it ends first. */
  async established(): Promise<void> {
    if (this.state === "established") return;
    if (this.state === "terminated") throw new ClientCallError(0, "the call has ended");
    await new Promise<void>((resolve, reject) => {
      const listener = (state: SessionState) => {
        if (state === SessionState.Established) resolve();
        else if (state === SessionState.Terminated) reject(new ClientCallError(0, "the call has ended"));
        else return;
        this.session.stateChange.removeListener(listener);
      };
      this.session.stateChange.addListener(listener);
    });
  }

  /** Accept an incoming call; an offer we cannot take (SRTP only, no G.711) is refused with 488. */
  async answer(): Promise<void> {
    const invitation = this.invitation("answer");
    const offer = invitation.body;
    const why = offer ? unacceptable(parseRemoteAudio(offer)) : null;
    if (why) {
      await invitation.reject({ statusCode: 488, reasonPhrase: "Not Acceptable Here" });
      throw new ClientCallError(488, why);
    }
    if (!offer) {
      // Late offer: we offer in our 200, the answer comes in the ACK. A re-INVITE before it
      // would take that ACK's answer for its own (RFC 3261 §14.1 forbids it anyway).
      this.answerAcked = new Promise<void>((resolve) => {
        this.acked = resolve;
        this.endedPromise.then(resolve, resolve);
      });
    }
    await invitation.accept();
  }

  /** Refuse an incoming call (default 603 Decline, RFC 3261 §21.6.2). */
  async reject(statusCode = 603, reasonPhrase?: string): Promise<void> {
    await this.invitation("reject").reject({ statusCode, ...(reasonPhrase ? { reasonPhrase } : {}) });
  }

  /** Put the far end on hold: re-INVITE offering sendonly; resolves on its 2xx. */
  hold(): Promise<void> {
    return this.reinvite(true);
  }

  /** Take the far end off hold: re-INVITE offering sendrecv; resolves on its 2xx. */
  retrieve(): Promise<void> {
    return this.reinvite(false);
  }

  /** Same as retrieve(). */
  unhold(): Promise<void> {
    return this.retrieve();
  }

  /** Send DTMF as RFC 4733 events in the RTP stream (default) or as SIP INFO requests. */
  async sendDtmf(digits: string, options: { via?: "rtp" | "info" } = {}): Promise<void> {
    if (options.via === "info") {
      for (const digit of digits) {
        await this.outcome((requestDelegate) =>
          this.session.info({
            requestDelegate,
            requestOptions: {
              body: {
                contentDisposition: "render",
                contentType: "application/dtmf-relay",
                content: `Signal=${digit}\r\nDuration=160\r\n`,
              },
            },
          }),
        );
      }
      return;
    }
    const media = this.handler()?.media;
    if (!media) throw new ClientCallError(0, "no media negotiated yet");
    await media.sendDtmf(digits);
  }

  /**
   * Blind transfer (RFC 3515): REFER to `target` — a number or callno in our domain, or a
   * whole SIP URI; resolves on 2xx (202). Progress arrives in `transferProgress`.
   */
  transfer(target: string): Promise<void> {
    const uri = UserAgent.makeURI(target.includes(":") ? target : `sip:${target}@${this.domain}`);
    if (!uri) return Promise.reject(new ClientCallError(0, `cannot make a SIP URI of "${target}"`));
    return this.refer(uri);
  }

  /**
   * Attended transfer (RFC 5589 §7): REFER in this call with Refer-To naming `consultation`'s
   * dialog in Replaces, so the far ends of both calls are joined; resolves on 2xx (202).
   */
  attendedTransfer(consultation: ClientCall): Promise<void> {
    return this.refer(consultation.session);
  }

  /**
   * Bring `call` into this conference (a call to `sip:conference@<domain>`, see
   * UnifyPhoneClient.conference): REFER to the focus with Replaces naming `call`'s dialog.
   * Resolves with the final NOTIFY's status line ("SIP/2.0 200 OK" once joined).
   */
  async join(call: ClientCall): Promise<string> {
    const from = this.transferProgress.length;
    await this.refer(call.session);
    return this.transferOutcome(from);
  }

  /**
   * Resolves once a final NOTIFY of our REFER arrived (from the `from`-th progress line on);
   * its status line, e.g. "SIP/2.0 200 OK".
   */
  async transferOutcome(from = 0): Promise<string> {
    const final = () => this.transferProgress.slice(from).find((line) => !/^SIP\/2\.0 1\d\d/.test(line));
    const found = final();
    if (found) return found;
    return new Promise((resolve) =>
      this.progressWaiters.push(() => {
        const line = final();
        if (line) resolve(line);
        return line !== undefined;
      }),
    );
  }

  /**
   * End the call whatever its state: BYE (resolves once answered), CANCEL (outgoing,
   * unanswered) or 480 (incoming, still ringing). Resolves once the call has ended.
   */
  async hangup(): Promise<void> {
    const session = this.session;
    switch (session.state) {
      case SessionState.Established:
        // The call is over whatever the far end answers to the BYE.
        await this.outcome((requestDelegate) => session.bye({ requestDelegate })).catch(() => undefined);
        break;
      case SessionState.Initial:
      case SessionState.Establishing:
        if (session instanceof Invitation) await session.reject({ statusCode: 480 });
        else await (session as Inviter).cancel();
        break;
      default:
        return;
    }
    await this.endedPromise;
  }

  /** Send echo (default) or silence from now on. */
  setMediaMode(mode: ClientMediaMode): void {
    const media = this.handler()?.media;
    if (!media) throw new ClientCallError(0, "no media negotiated yet");
    media.mode = mode;
  }

  private invitation(what: string): Invitation {
    if (!(this.session instanceof Invitation))
      throw new ClientCallError(0, `cannot ${what} an outgoing call`);
    return this.session;
  }

  private async reinvite(hold: boolean): Promise<void> {
    await this.answerAcked;
    const sessionDescriptionHandlerOptions: RtpDescriptionOptions = { hold };
    return this.outcome((requestDelegate) =>
      this.session.invite({ requestDelegate, sessionDescriptionHandlerOptions }),
    );
  }

  /** Run a request and settle on its final response (sip.js resolves when it is sent). */
  private outcome(send: (delegate: Outcome) => Promise<unknown>): Promise<void> {
    return new Promise((resolve, reject) => {
      send({
        onAccept: () => resolve(),
        onReject: (response) =>
          reject(new ClientCallError(response.message.statusCode ?? 0, response.message.reasonPhrase ?? "")),
      }).catch(reject);
    });
  }

  /** The ACK for our 200 arrived; its answer is applied once sip.js's own handling has run. */
  private onAck(): void {
    const acked = this.acked;
    this.acked = undefined;
    if (acked) setImmediate(acked);
  }

  private onInfo(info: Info): void {
    const body = info.request.body ?? "";
    const signal = /^Signal\s*=\s*(\S)/im.exec(body);
    if (signal) this.infoDigits += signal[1]!.toUpperCase();
    info.accept().catch(() => undefined);
  }

  private refer(target: Parameters<Session["refer"]>[0]): Promise<void> {
    return this.outcome((requestDelegate) =>
      this.session.refer(target, {
        requestDelegate,
        onNotify: (notification: Notification) => this.onReferNotify(notification),
      }),
    );
  }

  private onReferNotify(notification: Notification): void {
    const line = (notification.request.body ?? "").split(/\r?\n/)[0]?.trim();
    if (line) this.transferProgress.push(line);
    notification.accept().catch(() => undefined);
    this.progressWaiters = this.progressWaiters.filter((settled) => !settled());
  }
}

const EMPTY_STATS: ClientMediaStats = {
  packetsSent: 0,
  bytesSent: 0,
  packetsReceived: 0,
  bytesReceived: 0,
  packetsLost: 0,
  dtmfSent: "",
  dtmfReceived: "",
};
