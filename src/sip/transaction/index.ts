export { isRfc3261BranchAt, newBranch } from "./branch.js";
export type { ClientTransaction, ClientTransactionDelegate } from "./client-transaction.js";
export type { ServerTransaction } from "./server-transaction.js";
export type { TransactionCounts } from "./transaction-host.js";
export { TransactionLayer, type TransactionUser } from "./transaction-layer.js";
export type { TransactionState } from "./transaction-state.js";
export type { TransactionTimers } from "./transaction-timers.js";
