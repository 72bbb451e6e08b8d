import type { Clock } from "../../shared/clock.js";
import type { SipRequest } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import type { ClientTransactionBase } from "./client-transaction.js";
import type { ServerTransactionBase } from "./server-transaction.js";
import type { TransactionTimers } from "./transaction-timers.js";

/** What a state machine needs from the transaction layer that owns it. */
export interface TransactionHost {
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  /** The server transaction entered Terminated: forget it. */
  removeServer(transaction: ServerTransactionBase): void;
  /** The client transaction entered Terminated: forget it. */
  removeClient(transaction: ClientTransactionBase): void;
  /** A server transaction stopped waiting for its final response (sent one, or died). */
  settled(): void;
  /** RFC 6026 §8.7: an ACK matched an INVITE server transaction in the Accepted state. */
  passAck(ack: SipRequest, connection: SipConnection): void;
}
