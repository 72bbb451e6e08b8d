import type { TimerHandle } from "../../shared/clock.js";
import type { SipRequest, SipResponse } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import { buildNonSuccessAck } from "./ack-request.js";
import { ClientTransactionBase, type ClientTransactionDelegate } from "./client-transaction.js";
import type { TransactionHost } from "./transaction-host.js";
import { TIMER_D_UNRELIABLE_MS } from "./transaction-timers.js";

/** INVITE client transaction: RFC 3261 §17.1.1 with the RFC 6026 §7.2 "Accepted" state. */
export class InviteClientTransaction extends ClientTransactionBase {
  private ack: SipRequest | undefined;
  private cancelTimer: TimerHandle | undefined;

  constructor(
    host: TransactionHost,
    id: string,
    request: SipRequest,
    connection: SipConnection,
    delegate: ClientTransactionDelegate,
  ) {
    super(host, id, request, connection, delegate, "calling");
  }

  start(): void {
    // RFC 3261 §17.1.1.2: entering "Calling" passes the INVITE to the transport, starts Timer A
    // (T1) on unreliable transports and Timer B (64*T1) on all.
    const { t1 } = this.host.timers;
    if (!this.connection.reliable) this.startRetransmitTimer(t1, () => this.timerA());
    this.startLifetimeTimer(64 * t1, () => this.timerB());
    this.send(this.request);
  }

  /**
   * RFC 3261 §9.1: if no final response arrives within 64*T1 of sending a CANCEL, the original
   * transaction is considered cancelled and destroyed (reported as a timeout).
   */
  cancelSent(): void {
    if (this.cancelTimer || (this.currentState !== "calling" && this.currentState !== "proceeding")) return;
    this.cancelTimer = this.host.clock.setTimer(64 * this.host.timers.t1, () => this.timeout());
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.currentState) {
      case "calling":
      case "proceeding":
        if (status < 200) {
          // RFC 3261 §17.1.1.2: a provisional response in "Calling" moves to "Proceeding", where
          // the request is no longer retransmitted; it is passed to the TU.
          if (this.currentState === "calling") {
            super.stopTimers();
            this.currentState = "proceeding";
          }
          this.delegate.onResponse(response);
          return;
        }
        this.stopTimers();
        if (status < 300) {
          // RFC 6026 §8.4: a 2xx in "Calling" or "Proceeding" enters "Accepted" (Timer M, 64*T1)
          // and is passed to the TU, which ACKs it itself.
          this.currentState = "accepted";
          this.startLifetimeTimer(64 * this.host.timers.t1, () => this.terminate());
          this.delegate.onResponse(response);
          return;
        }
        // RFC 3261 §17.1.1.2: a 300-699 response enters "Completed", is passed to the TU and is
        // ACKed by the transaction; Timer D is >= 32 s on unreliable transports, zero on reliable.
        this.currentState = "completed";
        this.ack = buildNonSuccessAck(this.request, response);
        if (!this.connection.reliable) this.startLifetimeTimer(TIMER_D_UNRELIABLE_MS, () => this.terminate());
        if (this.send(this.ack) && this.connection.reliable) this.terminate();
        this.delegate.onResponse(response);
        return;
      case "accepted":
        // RFC 6026 §8.4: every 2xx received in "Accepted" is passed to the TU.
        if (status >= 200 && status < 300) this.delegate.onResponse(response);
        return;
      case "completed":
        // RFC 3261 §17.1.1.2: a retransmitted final response in "Completed" resends the ACK and
        // is not passed up to the TU.
        if (status >= 300 && this.ack) this.send(this.ack);
        return;
      default:
        return;
    }
  }

  protected override stopTimers(): void {
    super.stopTimers();
    if (this.cancelTimer) this.host.clock.clearTimer(this.cancelTimer);
    this.cancelTimer = undefined;
  }

  private timerA(): void {
    if (this.currentState !== "calling") return;
    // RFC 3261 §17.1.1.2: when Timer A fires the INVITE is retransmitted and A is reset with
    // twice its previous value (no T2 cap for INVITE).
    if (!this.send(this.request)) return;
    this.host.counts.retransmitted++;
    this.startRetransmitTimer(2 * this.retransmitInterval, () => this.timerA());
  }

  private timerB(): void {
    // RFC 3261 §17.1.1.2: Timer B firing in "Calling" informs the TU of the timeout; no ACK.
    if (this.currentState === "calling") this.timeout();
  }
}
