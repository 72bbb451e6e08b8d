import type { SipRequest, SipResponse } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import { ClientTransactionBase, type ClientTransactionDelegate } from "./client-transaction.js";
import type { TransactionHost } from "./transaction-host.js";

/** Non-INVITE client transaction: RFC 3261 §17.1.2. */
export class NonInviteClientTransaction extends ClientTransactionBase {
  constructor(
    host: TransactionHost,
    id: string,
    request: SipRequest,
    connection: SipConnection,
    delegate: ClientTransactionDelegate,
  ) {
    super(host, id, request, connection, delegate, "trying");
  }

  start(): void {
    // RFC 3261 §17.1.2.2: entering "Trying" sets Timer F to 64*T1 and, on an unreliable
    // transport, Timer E to T1; the request is passed to the transport.
    const { t1 } = this.host.timers;
    if (!this.connection.reliable) this.startRetransmitTimer(t1, () => this.timerE());
    this.startLifetimeTimer(64 * t1, () => this.timerF());
    this.send(this.request);
  }

  receiveResponse(response: SipResponse): void {
    if (this.currentState !== "trying" && this.currentState !== "proceeding") {
      // RFC 3261 §17.1.2.2: "Completed" buffers response retransmissions.
      return;
    }
    if (response.status < 200) {
      // RFC 3261 §17.1.2.2: a provisional response is passed to the TU; the transaction moves
      // to (or stays in) "Proceeding".
      this.currentState = "proceeding";
      this.delegate.onResponse(response);
      return;
    }
    // RFC 3261 §17.1.2.2: a final response is passed to the TU and the transaction enters
    // "Completed"; Timer K is T4 on unreliable transports and zero on reliable ones.
    this.stopTimers();
    this.currentState = "completed";
    if (this.connection.reliable) this.terminate();
    else this.startLifetimeTimer(this.host.timers.t4, () => this.terminate());
    this.delegate.onResponse(response);
  }

  private timerE(): void {
    const state = this.currentState;
    if (state !== "trying" && state !== "proceeding") return;
    if (!this.send(this.request)) return;
    this.host.counts.retransmitted++;
    // RFC 3261 §17.1.2.2: in "Trying" Timer E doubles up to T2; in "Proceeding" it is reset to T2.
    const { t2 } = this.host.timers;
    const next = state === "trying" ? Math.min(2 * this.retransmitInterval, t2) : t2;
    this.startRetransmitTimer(next, () => this.timerE());
  }

  private timerF(): void {
    // RFC 3261 §17.1.2.2: Timer F in "Trying" or "Proceeding" informs the TU of the timeout and
    // enters "Terminated".
    if (this.currentState === "trying" || this.currentState === "proceeding") this.timeout();
  }
}
