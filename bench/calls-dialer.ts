import { randomBytes } from "node:crypto";
import type { CallConnection } from "./calls-connection.js";
import {
  audioPort,
  type DialogLite,
  dialogOf,
  type InviteFields,
  inDialogText,
  inviteText,
  nonSuccessAckText,
  type SipLite,
} from "./calls-sip.js";

/** What became of a call: undefined for success, else e.g. "INVITE 503", "BYE 481", "timeout". */
export type CallFailure = string | undefined;

export interface CallListener {
  /** The 200 to the INVITE arrived and was ACKed. */
  established(call: BenchCall): void;
  /** BYE answered with 2xx (failure undefined), or the call failed at any step. */
  done(call: BenchCall, failure: CallFailure): void;
}

/** "503 Service Unavailable: …" of a response, cut short: failures are counted by it. */
const statusLine = (response: SipLite): string =>
  response.head.slice(8, response.head.indexOf("\r\n")).slice(0, 100);

type CallState = "inviting" | "up" | "hanging-up" | "done";

/** One PBX → user call of the generator: INVITE → (1xx) → 200 → ACK, later BYE → 200. */
export class BenchCall {
  state: CallState = "inviting";
  /** performance.now() of the INVITE, and of the last request we wait on (for timeouts). */
  invitedAt = 0;
  lastSentAt = 0;
  /** INVITE → 200, ms. */
  setupMs = 0;
  /** Provisional responses seen: 100 Trying, 180 Ringing. */
  trying = false;
  ringing = false;
  /** The emulator's RTP port from the SDP answer (0: none). */
  serverRtpPort = 0;
  dialog: DialogLite | undefined;

  constructor(
    readonly invite: InviteFields,
    private readonly dialer: Dialer,
    private readonly listener: CallListener,
  ) {}

  onMessage(message: SipLite): void {
    if (message.status === 0) {
      // The connection answered it; the emulator ending our call is a failure.
      if (message.method === "BYE") this.finish("BYE from the emulator");
      return;
    }
    if (message.method === "INVITE") this.onInviteResponse(message);
    else if (message.method === "BYE" && this.state === "hanging-up" && message.status >= 200)
      this.finish(message.status < 300 ? undefined : `BYE ${statusLine(message)}`);
  }

  hangUp(): void {
    if (this.state !== "up" || !this.dialog) return;
    this.state = "hanging-up";
    this.lastSentAt = performance.now();
    this.dialer.send(inDialogText("BYE", this.dialog, 2, this.invite.port, `${this.invite.branch}b`));
  }

  finish(failure: CallFailure): void {
    if (this.state === "done") return;
    this.state = "done";
    this.dialer.forget(this);
    this.listener.done(this, failure);
  }

  private onInviteResponse(response: SipLite): void {
    if (response.status < 200) {
      if (response.status === 100) this.trying = true;
      else if (response.status === 180) this.ringing = true;
      return;
    }
    if (response.status >= 300) {
      if (this.state !== "inviting") return;
      this.dialer.send(nonSuccessAckText(this.invite, response));
      this.finish(`INVITE ${statusLine(response)}`);
      return;
    }
    if (this.state !== "inviting") {
      // RFC 3261 §13.2.2.4: a retransmitted 2xx is ACKed again.
      if (this.dialog && this.state !== "done") this.ack();
      return;
    }
    this.setupMs = performance.now() - this.invitedAt;
    this.dialog = dialogOf(response);
    this.serverRtpPort = audioPort(response.body);
    this.state = "up";
    this.ack();
    this.listener.established(this);
  }

  private ack(): void {
    this.dialer.send(inDialogText("ACK", this.dialog!, 1, this.invite.port, `${this.invite.branch}a`));
  }
}

export interface DialerOptions {
  readonly trunkUser: string;
  /** The number dialed. */
  readonly to: string;
  /** A request without its final response after this long fails as "timeout". */
  readonly timeoutMs: number;
}

/**
 * Places calls over the connection, times out what gets no final response and fails every
 * open call when the connection drops.
 */
export class Dialer {
  private readonly live = new Set<BenchCall>();
  private readonly prefix = randomBytes(4).toString("hex");
  private readonly sweeper: ReturnType<typeof setInterval>;
  private next = 0;

  constructor(
    private readonly connection: CallConnection,
    private readonly options: DialerOptions,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 250);
    connection.onLost = () => {
      for (const call of [...this.live]) call.finish("connection lost");
    };
  }

  get open(): number {
    return this.live.size;
  }

  dial(rtpPort: number, listener: CallListener): BenchCall {
    const n = this.next++;
    const invite: InviteFields = {
      trunkUser: this.options.trunkUser,
      port: this.connection.localPort,
      to: this.options.to,
      callId: `${this.prefix}-${n}`,
      fromTag: `${this.prefix}${n}`,
      branch: `${this.prefix}${n}`,
      rtpPort,
      sessionId: n,
    };
    const call = new BenchCall(invite, this, listener);
    this.live.add(call);
    this.connection.on(invite.callId, (message) => call.onMessage(message));
    if (!this.connection.alive) {
      // Always asynchronous, as every other end of a call.
      setImmediate(() => call.finish("connection lost"));
      return call;
    }
    call.invitedAt = performance.now();
    call.lastSentAt = call.invitedAt;
    this.connection.write(inviteText(invite));
    return call;
  }

  send(text: string): void {
    this.connection.write(text);
  }

  forget(call: BenchCall): void {
    this.live.delete(call);
    this.connection.off(call.invite.callId);
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const now = performance.now();
    for (const call of this.live) {
      if (call.state === "up") continue;
      if (now - call.lastSentAt > this.options.timeoutMs) call.finish("timeout");
    }
  }
}

/** Adds one failure of kind `failure` (if any) to `counts`. */
export function countFailure(counts: Record<string, number>, failure: CallFailure): void {
  if (failure !== undefined) counts[failure] = (counts[failure] ?? 0) + 1;
}
