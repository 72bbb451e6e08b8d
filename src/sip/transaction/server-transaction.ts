import type { SipMessage, SipRequest, SipResponse } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import { TransactionBase } from "./transaction-base.js";
import type { TransactionHost } from "./transaction-host.js";
import type { TransactionState } from "./transaction-state.js";

export interface ServerTransaction {
  readonly id: string;
  readonly method: string;
  readonly request: SipRequest;
  readonly connection: SipConnection;
  readonly state: TransactionState;
  /**
   * Send the response through the connection and drive the state machine. Throws once a
   * final response was sent, except for 2xx retransmissions of an INVITE (RFC 6026 §8.7).
   * A no-op once the transaction died without a final response (connection lost).
   */
  respond(response: SipResponse): void;
}

/** Behaviour shared by the INVITE and non-INVITE server transactions (RFC 3261 §17.2). */
export abstract class ServerTransactionBase extends TransactionBase implements ServerTransaction {
  protected finalSent = false;
  protected lastResponse: SipResponse | undefined;

  constructor(
    host: TransactionHost,
    id: string,
    readonly request: SipRequest,
    connection: SipConnection,
    /** Key of the §8.2.2.2 merged-request check; undefined when the request had a To tag. */
    readonly mergeKey: string | undefined,
    initialState: TransactionState,
  ) {
    super(host, id, connection, initialState);
  }

  get method(): string {
    return this.request.method;
  }

  /** True until a final response was sent or the transaction died. */
  get awaitingFinal(): boolean {
    return !this.finalSent && this.currentState !== "terminated";
  }

  /** To tag of the latest response sent (RFC 2543 ACK matching, the 200 to a CANCEL). */
  get responseToTag(): string | undefined {
    return this.lastResponse?.to.params.tag ?? undefined;
  }

  abstract respond(response: SipResponse): void;

  /** A retransmission of the request, or an ACK, matched this transaction. */
  abstract receive(request: SipRequest, connection: SipConnection): void;

  /** Enter Terminated (timer expiry, RFC 3261 §17.2.4 transport failure, connection loss). */
  terminate(): void {
    if (this.currentState === "terminated") return;
    this.stopTimers();
    this.currentState = "terminated";
    if (!this.finalSent) this.host.settled();
    this.host.removeServer(this);
  }

  protected markFinalSent(): void {
    this.finalSent = true;
    this.host.settled();
  }

  /** RFC 3261 §17.2.4: a transport failure terminates the server transaction. */
  protected send(message: SipMessage): boolean {
    if (this.connection.send(message)) return true;
    this.terminate();
    return false;
  }

  protected static checkStatus(response: SipResponse): number {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new RangeError(`invalid response status ${status}`);
    }
    return status;
  }

  protected alreadyAnswered(response: SipResponse): Error {
    return new Error(
      `${this.method} server transaction ${this.id} (${this.currentState}) already sent a final response; cannot send ${response.status}`,
    );
  }
}
