import type { SipMessage, SipRequest, SipResponse } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import { TransactionBase } from "./transaction-base.js";
import type { TransactionHost } from "./transaction-host.js";
import type { TransactionState } from "./transaction-state.js";

export interface ClientTransactionDelegate {
  onResponse(response: SipResponse): void;
  /** Timer B / F fired (or §9.1: the INVITE stayed unanswered 64*T1 after its CANCEL). */
  onTimeout?(): void;
  onTransportError?(): void;
}

export interface ClientTransaction {
  readonly id: string;
  readonly request: SipRequest;
  readonly connection: SipConnection;
  readonly state: TransactionState;
}

/** Behaviour shared by the INVITE and non-INVITE client transactions (RFC 3261 §17.1). */
export abstract class ClientTransactionBase extends TransactionBase implements ClientTransaction {
  constructor(
    host: TransactionHost,
    id: string,
    readonly request: SipRequest,
    connection: SipConnection,
    protected readonly delegate: ClientTransactionDelegate,
    initialState: TransactionState,
  ) {
    super(host, id, connection, initialState);
  }

  /** Send the request and arm the initial timers. */
  abstract start(): void;

  /** A response whose top Via branch and CSeq method matched this transaction (§17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  /** RFC 3261 §17.1.4: inform the TU of the transport failure and enter "Terminated". */
  transportError(): void {
    if (this.currentState === "terminated") return;
    this.terminate();
    this.delegate.onTransportError?.();
  }

  /** The connection closed: a failure only for a transaction still waiting for its final response. */
  connectionLost(): void {
    const state = this.currentState;
    if (state === "calling" || state === "trying" || state === "proceeding") this.transportError();
    else this.terminate();
  }

  protected terminate(): void {
    if (this.currentState === "terminated") return;
    this.stopTimers();
    this.currentState = "terminated";
    this.host.removeClient(this);
  }

  protected timeout(): void {
    this.terminate();
    this.delegate.onTimeout?.();
  }

  protected send(message: SipMessage): boolean {
    if (this.connection.send(message)) return true;
    this.transportError();
    return false;
  }
}
