import type { Clock } from "../../shared/clock.js";
import type { SipRequest } from "../message/index.js";
import type { SipConnection } from "../transport/index.js";
import type { ClientTransactionBase } from "./client-transaction.js";
import type { ServerTransactionBase } from "./server-transaction.js";
import type { TransactionTimers } from "./transaction-timers.js";

/** Running totals of the layer, read by monitoring (the metrics scrape them): plain numbers. */
export interface TransactionCounts {
  /** Server transactions created for new requests (not retransmissions, not ACK). */
  server: number;
  /** Client transactions started. */
  client: number;
  /** Requests and responses resent on a retransmission timer (A, E, G). */
  retransmitted: number;
  /** Request retransmissions that matched a live server transaction (absorbed or answered from it). */
  absorbed: number;
}

/** What a state machine needs from the transaction layer that owns it. */
export interface TransactionHost {
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  readonly counts: TransactionCounts;
  /** The server transaction entered Terminated: forget it. */
  removeServer(transaction: ServerTransactionBase): void;
  /** The client transaction entered Terminated: forget it. */
  removeClient(transaction: ClientTransactionBase): void;
  /** A server transaction stopped waiting for its final response (sent one, or died). */
  settled(): void;
  /** RFC 6026 §8.7: an ACK matched an INVITE server transaction in the Accepted state. */
  passAck(ack: SipRequest, connection: SipConnection): void;
}
