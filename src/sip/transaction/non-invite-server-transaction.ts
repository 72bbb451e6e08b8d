import type { SipRequest, SipResponse } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import { ServerTransactionBase } from "./server-transaction.js";
import type { TransactionHost } from "./transaction-host.js";

/** Non-INVITE server transaction: RFC 3261 §17.2.2. */
export class NonInviteServerTransaction extends ServerTransactionBase {
  constructor(
    host: TransactionHost,
    id: string,
    request: SipRequest,
    connection: SipConnection,
    mergeKey: string | undefined,
  ) {
    super(host, id, request, connection, mergeKey, "trying");
  }

  respond(response: SipResponse): void {
    const status = ServerTransactionBase.checkStatus(response);
    const state = this.currentState;
    if (state === "trying" || state === "proceeding") {
      this.lastResponse = response;
      if (status < 200) {
        // RFC 3261 §17.2.2: a provisional response from the TU is sent and moves "Trying" to
        // "Proceeding".
        this.currentState = "proceeding";
        this.send(response);
        return;
      }
      // RFC 3261 §17.2.2: a final response enters "Completed"; Timer J is 64*T1 on unreliable
      // transports and zero on reliable ones, so a reliable transaction ends right here.
      this.markFinalSent();
      this.currentState = "completed";
      if (!this.send(response)) return;
      if (this.connection.reliable) this.terminate();
      else this.startLifetimeTimer(64 * this.host.timers.t1, () => this.terminate());
      return;
    }
    if (state === "terminated" && !this.finalSent) return;
    throw this.alreadyAnswered(response);
  }

  receive(): void {
    // RFC 3261 §17.2.2: retransmissions are discarded in "Trying"; in "Proceeding" and
    // "Completed" the last response sent is passed to the transport again.
    if (this.currentState === "trying" || !this.lastResponse) return;
    this.send(this.lastResponse);
  }
}
