import { createResponse, type SipRequest, type SipResponse } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import { ServerTransactionBase } from "./server-transaction.js";
import type { TransactionHost } from "./transaction-host.js";

/** INVITE server transaction: RFC 3261 §17.2.1 with the RFC 6026 §7.1 "Accepted" state. */
export class InviteServerTransaction extends ServerTransactionBase {
  private lastFinal: SipResponse | undefined;

  constructor(
    host: TransactionHost,
    id: string,
    request: SipRequest,
    connection: SipConnection,
    mergeKey: string | undefined,
  ) {
    super(host, id, request, connection, mergeKey, "proceeding");
  }

  /** Whether the final response sent (if any) was a 2xx. */
  get accepted(): boolean {
    const status = this.lastFinal?.status;
    return status !== undefined && status < 300;
  }

  start(): void {
    // RFC 3261 §17.2.1: the server transaction MUST generate a 100 (Trying) response unless it
    // knows that the TU will generate a provisional or final response within 200 ms.
    this.lastResponse = createResponse(this.request, 100, "Trying");
    this.send(this.lastResponse);
  }

  respond(response: SipResponse): void {
    const status = ServerTransactionBase.checkStatus(response);
    switch (this.currentState) {
      case "proceeding":
        this.lastResponse = response;
        if (status < 200) {
          // RFC 3261 §17.2.1: so long as the server transaction is in the "Proceeding" state, each
          // provisional response MUST be passed to the transport layer for transmission.
          this.send(response);
          return;
        }
        this.lastFinal = response;
        this.markFinalSent();
        if (status < 300) {
          // RFC 6026 §8.5: a 2xx from the TU is passed to the transport and the machine enters
          // "Accepted"; Timer L (64*T1) bounds how long the TU may retransmit it.
          this.currentState = "accepted";
          this.startLifetimeTimer(64 * this.host.timers.t1, () => this.terminate());
        } else {
          // RFC 3261 §17.2.1: a 300-699 response enters "Completed"; Timer G (unreliable only)
          // starts at T1, Timer H at 64*T1 for all transports.
          this.currentState = "completed";
          if (!this.connection.reliable) this.startRetransmitTimer(this.host.timers.t1, () => this.timerG());
          this.startLifetimeTimer(64 * this.host.timers.t1, () => this.terminate());
        }
        this.send(response);
        return;
      case "accepted":
        // RFC 6026 §8.7: a 2xx retransmission passed from the TU in "Accepted" MUST be passed
        // to the transport layer; the transaction never retransmits it on its own.
        if (status >= 200 && status < 300) {
          this.send(response);
          return;
        }
        break;
      case "terminated":
        // The transaction died without a final response (connection lost), or Timer L ended the
        // 2xx retransmission window: nothing can be sent any more.
        if (!this.finalSent || (this.accepted && status >= 200 && status < 300)) return;
        break;
      default:
        break;
    }
    throw this.alreadyAnswered(response);
  }

  receive(request: SipRequest, connection: SipConnection): void {
    if (request.method === "ACK") {
      this.receiveAck(request, connection);
      return;
    }
    switch (this.currentState) {
      case "proceeding":
        // RFC 3261 §17.2.1: a request retransmission in "Proceeding" resends the most recent
        // provisional response.
        if (this.lastResponse) this.send(this.lastResponse);
        return;
      case "completed":
        // RFC 3261 §17.2.1: a request retransmission in "Completed" resends the final response.
        if (this.lastFinal) this.send(this.lastFinal);
        return;
      default:
        // RFC 6026 §8.7 ("Accepted") and RFC 3261 §17.2.1 ("Confirmed") absorb retransmissions.
        return;
    }
  }

  private receiveAck(ack: SipRequest, connection: SipConnection): void {
    switch (this.currentState) {
      case "completed":
        // RFC 3261 §17.2.1: an ACK in "Completed" moves to "Confirmed", which absorbs further
        // ACKs for Timer I: T4 on unreliable transports, zero on reliable ones.
        this.stopTimers();
        this.currentState = "confirmed";
        if (this.connection.reliable) this.terminate();
        else this.startLifetimeTimer(this.host.timers.t4, () => this.terminate());
        return;
      case "accepted":
        // RFC 6026 §8.7: ACKs received in "Accepted" MUST be passed directly to the TU.
        this.host.passAck(ack, connection);
        return;
      default:
        // "Confirmed" absorbs ACK retransmissions; an ACK before any final response is bogus.
        return;
    }
  }

  private timerG(): void {
    const lastFinal = this.lastFinal;
    if (this.currentState !== "completed" || !lastFinal) return;
    // RFC 3261 §17.2.1: when Timer G fires the response is retransmitted and G is reset with a
    // value that doubles, capped at T2.
    if (!this.send(lastFinal)) return;
    this.host.counts.retransmitted++;
    const next = Math.min(2 * this.retransmitInterval, this.host.timers.t2);
    this.startRetransmitTimer(next, () => this.timerG());
  }
}
