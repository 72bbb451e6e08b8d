import type { Direction, MediaSession } from "../media/index.js";
import type { Clock } from "../shared/clock.js";
import type { Dialog, RequestOptions } from "../sip/dialog/index.js";
import { createResponse, dtmfFromInfo, type SipRequest, type SipResponse } from "../sip/message/index.js";
import type { ServerTransaction, TransactionLayer } from "../sip/transaction/index.js";
import type { SipConnection } from "../sip/transport/index.js";
import { sendInfoDigits } from "./dtmf-info.js";
import type { MockEndpoint } from "./mock-endpoint.js";
import { ReferWatch } from "./refer-watch.js";
import { dialogResponse, withSdp } from "./responses.js";
import { sendRequest } from "./send-request.js";

export type MockCallState = "calling" | "ringing" | "answered" | "ended";
export type DtmfVia = "rfc4733" | "info";

/** What a call needs from the mock that owns it. */
export interface CallContext {
  readonly transactions: TransactionLayer;
  readonly endpoint: MockEndpoint;
  readonly timers: Clock;
  readonly domain: string;
  readonly user: string;
  readonly log: (line: string) => void;
  /** The call ended (once). */
  readonly ended: (call: MockCall) => void;
  /** The trunk's current connection: in-call requests follow it to a new flow (new public address). */
  readonly flow?: () => SipConnection | undefined;
  /** A REFER inside the call's dialog (RFC 3515): absent, it gets 501. */
  readonly refer?: (call: MockCall, tx: ServerTransaction) => void;
}

export interface TransferResult {
  /** Final status of the referred call, from the last NOTIFY's message/sipfrag. */
  readonly status: number;
  readonly reason: string;
}

const DTMF_DIGITS = /^[0-9A-D*#]+$/;

/**
 * One call of the mock PBX, either direction. Public: its state and the actions of a PBX
 * user (hang up, hold, retrieve, DTMF, blind transfer). The mock drives the setup through
 * the methods marked "mock side".
 */
export class MockCall {
  readonly startedAt: number;
  private current: MockCallState = "calling";
  private finalStatus: number | null = null;
  private finalReason: string | null = null;
  private cause: string | null = null;
  private by: "local" | "remote" | "network" | null = null;
  private times = { answeredAt: null as number | null, endedAt: null as number | null };
  private held = false;
  private heldByPeer = false;
  private readonly digits: { digit: string; via: DtmfVia }[] = [];
  private session: MediaSession | null = null;
  private sipDialog: Dialog | undefined;
  private unansweredHangup: ((reason?: string) => void) | undefined;
  private readonly endListeners: ((call: MockCall) => void)[] = [];
  private offering = false;
  /** We put an offer in a 2xx (no SDP in the INVITE): the ACK brings the answer. */
  private answerInAck = false;
  private refer: ReferWatch | undefined;

  constructor(
    private readonly ctx: CallContext,
    readonly id: string,
    readonly direction: "outgoing" | "incoming",
    /** Caller and callee numbers as signalled. */
    readonly from: string,
    readonly to: string,
    readonly callId: string,
  ) {
    this.startedAt = ctx.timers.now();
  }

  get state(): MockCallState {
    return this.current;
  }
  /** Final status of the INVITE (received for outgoing calls, sent for incoming ones). */
  get status(): number | null {
    return this.finalStatus;
  }
  get reason(): string | null {
    return this.finalReason;
  }
  get endCause(): string | null {
    return this.cause;
  }
  get endedBy(): "local" | "remote" | "network" | null {
    return this.by;
  }
  get answeredAt(): number | null {
    return this.times.answeredAt;
  }
  get endedAt(): number | null {
    return this.times.endedAt;
  }
  /** We put the call on hold (re-INVITE sendonly). */
  get onHold(): boolean {
    return this.held;
  }
  /** The connector put us on hold (its offer was sendonly or inactive). */
  get heldByRemote(): boolean {
    return this.heldByPeer;
  }
  /** The RTP session: `stats` (packets, bytes, loss, jitter) and `dtmf` (RFC 4733 digits heard). */
  get media(): MediaSession | null {
    return this.session;
  }
  /** Digits received, by SIP INFO or RFC 4733, in order. */
  get dtmf(): readonly { digit: string; via: DtmfVia }[] {
    return this.digits;
  }
  get active(): boolean {
    return this.current !== "ended";
  }
  /** Dialog id (RFC 3261 §12) once there is a dialog. */
  get dialogKey(): string | undefined {
    return this.sipDialog?.key;
  }

  /**
   * Hang up: BYE once answered; before that CANCEL (outgoing) or 603 Decline (incoming).
   * `reason` is a Reason header value (RFC 3326) for the CANCEL or BYE, and the end cause.
   */
  async hangup(reason?: string): Promise<void> {
    if (this.current === "ended") return;
    if (this.current !== "answered" || !this.sipDialog) {
      this.unansweredHangup?.(reason);
      return;
    }
    const dialog = this.sipDialog;
    this.end(reason ? `hung up by the mock PBX (${reason})` : "hung up by the mock PBX", "local");
    try {
      const headers = reason === undefined ? {} : { headers: { reason } };
      await sendRequest(this.ctx.transactions, dialog.createRequest("BYE", headers), dialog.connection);
    } catch {
      // The connection is gone: the connector ends the call on its own.
    }
  }

  /** re-INVITE with our offer sendonly (RFC 3264 §8.4). */
  hold(): Promise<void> {
    return this.reoffer("sendonly");
  }

  /** re-INVITE with our offer sendrecv again. */
  retrieve(): Promise<void> {
    return this.reoffer("sendrecv");
  }

  /** DTMF as RFC 4733 telephone-events in the RTP stream, or as SIP INFO (application/dtmf-relay). */
  async sendDtmf(digits: string, via: DtmfVia = "rfc4733"): Promise<void> {
    const upper = digits.toUpperCase();
    if (!DTMF_DIGITS.test(upper)) throw new RangeError(`"${digits}" is not a DTMF string (0-9, A-D, *, #)`);
    const dialog = this.answeredDialog("send DTMF");
    if (via === "info") await sendInfoDigits(this.ctx.transactions, dialog, upper);
    else if (this.session) await this.session.sendDtmf(upper);
    else throw new Error(`call ${this.id} has no media session`);
    this.ctx.log(`call ${this.id}: sent DTMF ${upper} via ${via === "info" ? "SIP INFO" : "RFC 4733"}`);
  }

  /**
   * Blind transfer (RFC 3515): REFER, then the connector's NOTIFYs until the final one.
   * On success the mock leaves the call (BYE), as OSBiz does after a blind transfer.
   */
  async transfer(to: string): Promise<TransferResult> {
    const dialog = this.answeredDialog("transfer");
    if (this.refer && !this.refer.finished) throw new Error(`call ${this.id}: a transfer is already running`);
    const { domain, user } = this.ctx;
    const watch = new ReferWatch((line) => this.ctx.log(`call ${this.id}: transfer to ${to}: ${line}`));
    this.refer = watch;
    const refer = dialog.createRequest("REFER", {
      headers: { "refer-to": `<sip:${to}@${domain}>`, "referred-by": `<sip:${user}@${domain}>` },
    });
    const response = await sendRequest(this.ctx.transactions, refer, dialog.connection);
    if (response.status >= 300) {
      const error = new Error(`REFER refused: ${response.status} ${response.reason}`);
      watch.abort(error);
      throw error;
    }
    const result = await watch.done;
    if (result.status >= 200 && result.status < 300) await this.hangup();
    return result;
  }

  /** Mock side: `listener` runs once when the call ends (at once when it has ended). */
  onEnded(listener: (call: MockCall) => void): void {
    if (this.current === "ended") listener(this);
    else this.endListeners.push(listener);
  }

  /** Mock side: the dialog's Call-ID and tags, to match a Replaces header (RFC 3891 §3). */
  get dialogTags(): { callId: string; localTag: string; remoteTag: string } | undefined {
    const d = this.sipDialog;
    return d ? { callId: d.callId, localTag: d.localTag, remoteTag: d.remoteTag } : undefined;
  }

  /** Mock side: a request inside the answered call's dialog (NOTIFY of a REFER subscription…). */
  async request(method: string, options: RequestOptions = {}): Promise<SipResponse> {
    const dialog = this.answeredDialog(`send ${method}`);
    return sendRequest(this.ctx.transactions, dialog.createRequest(method, options), dialog.connection);
  }

  /** Mock side: the RTP session of this call; RFC 4733 digits it hears are recorded. */
  attachMedia(session: MediaSession): void {
    this.session = session;
    session.onDtmf((digit) => this.heard(digit, "rfc4733"));
  }

  /** Mock side: the dialog (early or confirmed) this call lives in. */
  attachDialog(dialog: Dialog): void {
    if (this.ctx.flow) dialog.followFlow(this.ctx.flow);
    this.sipDialog = dialog;
  }

  /** Mock side: what hangup() does before the answer. */
  beforeAnswer(hangup: (reason?: string) => void): void {
    this.unansweredHangup = hangup;
  }

  /** Mock side: 180/183 sent or received. */
  markRinging(): void {
    if (this.current === "calling") this.current = "ringing";
  }

  /** Mock side: 2xx sent or received; `answerInAck` when our 2xx carried the offer. */
  markAnswered(status: number, reason: string, answerInAck = false): void {
    this.current = "answered";
    this.finalStatus = status;
    this.finalReason = reason;
    this.answerInAck = answerInAck;
    this.times.answeredAt = this.ctx.timers.now();
    this.unansweredHangup = undefined;
  }

  /** Mock side: the call is over (once); `status` is the INVITE's final status when it never got a 2xx. */
  end(cause: string, by: "local" | "remote" | "network", status?: number, reason?: string): void {
    if (this.current === "ended") return;
    this.current = "ended";
    this.cause = cause;
    this.by = by;
    this.times.endedAt = this.ctx.timers.now();
    if (status !== undefined && this.finalStatus === null) {
      this.finalStatus = status;
      this.finalReason = reason ?? null;
    }
    this.unansweredHangup = undefined;
    if (this.sipDialog) this.sipDialog.state = "terminated";
    this.session?.close();
    this.refer?.abort(new Error(`call ${this.id} ended before the transfer completed: ${cause}`));
    const stats = this.times.answeredAt === null ? undefined : this.session?.stats;
    const rtp = stats ? ` (RTP sent ${stats.packetsSent}, received ${stats.packetsReceived})` : "";
    this.ctx.log(`call ${this.id} ended: ${cause}${rtp}`);
    this.ctx.ended(this);
    for (const listener of this.endListeners.splice(0)) {
      try {
        listener(this);
      } catch (error) {
        this.ctx.log(`call ${this.id}: an end listener failed: ${String(error)}`);
      }
    }
  }

  /** Mock side: the ACK for our 2xx (RFC 3261 §13.3.1.4), with the answer when we offered in the 2xx. */
  acknowledged(ack: SipRequest): void {
    if (!this.answerInAck || !this.session || ack.body.length === 0) return;
    this.answerInAck = false;
    const result = this.session.applyAnswer(ack.body.toString("utf8"));
    if (!result.ok) this.ctx.log(`call ${this.id}: the answer in the ACK was refused: ${result.reason}`);
  }

  /** Mock side: a request inside this call's dialog (RFC 3261 §12.2.2). */
  receive(tx: ServerTransaction): void {
    const request = tx.request;
    const dialog = this.sipDialog!;
    if (!dialog.acceptIncoming(request)) {
      tx.respond(createResponse(request, 500, "Server Internal Error: CSeq lower than the last one"));
      return;
    }
    switch (request.method) {
      case "BYE":
        tx.respond(createResponse(request, 200, "OK"));
        this.end("BYE from the connector", "remote");
        return;
      case "INVITE":
      case "UPDATE":
        this.answerOffer(tx, dialog);
        return;
      case "INFO": {
        tx.respond(createResponse(request, 200, "OK"));
        const digit = dtmfFromInfo(request);
        if (digit) this.heard(digit, "info");
        return;
      }
      case "NOTIFY":
        tx.respond(createResponse(request, 200, "OK"));
        if (/^refer\b/i.test(request.headers.get("event") ?? "")) {
          const line = request.body.toString("utf8").split(/\r?\n/)[0]!.trim();
          const terminated = /^terminated/i.test(request.headers.get("subscription-state") ?? "");
          this.refer?.notify(line, terminated);
        }
        return;
      case "REFER":
        if (this.ctx.refer) this.ctx.refer(this, tx);
        else tx.respond(createResponse(request, 501, "Not Implemented"));
        return;
      default:
        tx.respond(dialogResponse(request, 200, dialog.localTag, this.at(dialog)));
    }
  }

  /** re-INVITE / UPDATE from the connector: answer its offer, or offer when it sent none. */
  private answerOffer(tx: ServerTransaction, dialog: Dialog): void {
    const request = tx.request;
    if (this.offering) {
      // RFC 3261 §14.2: an offer crossed ours: 491, the connector retries later.
      tx.respond(createResponse(request, 491, "Request Pending"));
      return;
    }
    if (!this.session || request.body.length === 0) {
      const offer = request.method === "INVITE" && this.session ? this.session.offer() : undefined;
      this.answerInAck = offer !== undefined;
      tx.respond(dialogResponse(request, 200, dialog.localTag, this.at(dialog), offer));
      return;
    }
    const result = this.session.answer(request.body.toString("utf8"));
    if (!result.ok) {
      tx.respond(createResponse(request, result.status, result.reason));
      return;
    }
    tx.respond(dialogResponse(request, 200, dialog.localTag, this.at(dialog), result.sdp));
    const heldNow = result.direction === "recvonly" || result.direction === "inactive";
    if (heldNow !== this.heldByPeer) {
      this.heldByPeer = heldNow;
      this.ctx.log(
        `call ${this.id} ${heldNow ? "put on hold" : "retrieved"} by the connector (${request.method})`,
      );
    }
  }

  private async reoffer(direction: Direction): Promise<void> {
    const dialog = this.answeredDialog(direction === "sendrecv" ? "retrieve" : "hold");
    const session = this.session;
    if (!session) throw new Error(`call ${this.id} has no media session`);
    if (this.offering) throw new Error(`call ${this.id}: an offer is already pending`);
    this.offering = true;
    try {
      const invite = withSdp(dialog.createRequest("INVITE"), session.offer(direction));
      const response = await sendRequest(this.ctx.transactions, invite, dialog.connection);
      if (response.status >= 300) throw new Error(`re-INVITE refused: ${response.status} ${response.reason}`);
      // RFC 3261 §13.2.2.4: the ACK of a 2xx is ours to send, in its own transaction-less request.
      dialog.sendStateless(dialog.createAck(invite.cseq.seq));
      const result = session.applyAnswer(response.body.toString("utf8"));
      if (!result.ok) throw new Error(`the connector's answer was refused: ${result.reason}`);
      this.held = direction !== "sendrecv";
      this.ctx.log(`call ${this.id} ${this.held ? "on hold" : "retrieved"} (we ${result.direction})`);
    } finally {
      this.offering = false;
    }
  }

  private answeredDialog(action: string): Dialog {
    if (this.current !== "answered" || !this.sipDialog) {
      throw new Error(`cannot ${action}: call ${this.id} is ${this.current}`);
    }
    return this.sipDialog;
  }

  private heard(digit: string, via: DtmfVia): void {
    this.digits.push({ digit, via });
    this.ctx.log(`call ${this.id}: received DTMF ${digit} via ${via === "info" ? "SIP INFO" : "RFC 4733"}`);
  }

  private at(dialog: Dialog) {
    return { endpoint: this.ctx.endpoint, connection: dialog.connection };
  }
}
