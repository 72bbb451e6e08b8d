/**
 * States of the four RFC 3261 §17 transaction state machines, with the "accepted" state
 * RFC 6026 §7 adds to both INVITE machines.
 */
export type TransactionState =
  | "calling"
  | "trying"
  | "proceeding"
  | "completed"
  | "confirmed"
  | "accepted"
  | "terminated";
