/** RFC 3261 §17.1.1.1 / Appendix A timer bases, in ms. */
export interface TransactionTimers {
  /** RTT estimate. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses. */
  t2: number;
  /** Maximum duration a message will remain in the network. */
  t4: number;
}

export const DEFAULT_TRANSACTION_TIMERS: TransactionTimers = { t1: 500, t2: 4000, t4: 5000 };

/** RFC 3261 Appendix A: Timer D is "> 32 s for UDP", independent of T1. */
export const TIMER_D_UNRELIABLE_MS = 32_000;
