import type { Clock, TimerHandle } from "../../shared/clock.js";
import type { SipRequest, SipResponse } from "../message/index.js";
import type { ServerTransaction, TransactionTimers } from "../transaction/index.js";
import { dialogKey, dialogKeyOfIncoming } from "./dialog-id.js";

/** A 2xx to an INVITE that waits for its ACK. */
interface Waiting {
  /** The dialog the 2xx belongs to (our tag in To, the peer's in From). */
  readonly dialogKey: string;
  readonly cseq: number;
  readonly tx: ServerTransaction;
  readonly response: SipResponse;
  readonly onTimeout: (() => void) | undefined;
  interval: number;
  retransmit: TimerHandle;
  giveUp: TimerHandle;
}

/**
 * RFC 3261 §13.3.1.4: the UAS core, not the INVITE server transaction, keeps a 2xx alive.
 * It is sent again after T1, then at intervals doubling up to T2, until the ACK arrives —
 * over reliable transports too, because a hop behind the peer's proxy may be UDP — and for
 * at most 64·T1, after which `onTimeout` runs (the caller ends the session with BYE).
 * The ACK is matched by dialog and CSeq (§13.3.1.4, §17.1.1.3), whatever connection
 * carries it. Timers run on the protocol clock the transaction layer uses.
 */
export class AcceptedInvites {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly clock: Clock,
    private readonly timers: TransactionTimers,
  ) {}

  /** 2xx responses still waiting for their ACK. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Send `response` (a 2xx with our To tag) through the INVITE's transaction and keep
   * sending it until `acknowledge` sees its ACK.
   */
  answer(tx: ServerTransaction, response: SipResponse, onTimeout?: () => void): void {
    const key = dialogKey(response.callId, response.to.params.tag ?? "", response.from.params.tag ?? "");
    const cseq = tx.request.cseq.seq;
    this.stop(waitKey(key, cseq));
    tx.respond(response);
    const { t1 } = this.timers;
    const waiting: Waiting = {
      dialogKey: key,
      cseq,
      tx,
      response,
      onTimeout,
      interval: t1,
      retransmit: this.clock.setTimer(t1, () => this.retransmit(waiting)),
      giveUp: this.clock.setTimer(64 * t1, () => this.giveUp(waiting)),
    };
    this.waiting.set(waitKey(key, cseq), waiting);
  }

  /** An ACK for a 2xx: its 2xx is no longer sent. False when none was waiting for it. */
  acknowledge(ack: SipRequest): boolean {
    const key = dialogKeyOfIncoming(ack);
    return key !== undefined && this.stop(waitKey(key, ack.cseq.seq));
  }

  /** Stop every 2xx of the dialog (the call ended before its ACK). */
  forget(key: string): void {
    for (const waiting of [...this.waiting.values()]) {
      if (waiting.dialogKey === key) this.stop(waitKey(waiting.dialogKey, waiting.cseq));
    }
  }

  /** Stop everything, silently (shutdown). */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.stop(id);
  }

  private retransmit(waiting: Waiting): void {
    if (this.waiting.get(waitKey(waiting.dialogKey, waiting.cseq)) !== waiting) return;
    // A transaction that died with its connection sends nothing; the deadline still decides.
    if (waiting.tx.state !== "terminated") waiting.tx.respond(waiting.response);
    waiting.interval = Math.min(2 * waiting.interval, this.timers.t2);
    waiting.retransmit = this.clock.setTimer(waiting.interval, () => this.retransmit(waiting));
  }

  private giveUp(waiting: Waiting): void {
    if (!this.stop(waitKey(waiting.dialogKey, waiting.cseq))) return;
    waiting.onTimeout?.();
  }

  private stop(id: string): boolean {
    const waiting = this.waiting.get(id);
    if (!waiting) return false;
    this.waiting.delete(id);
    this.clock.clearTimer(waiting.retransmit);
    this.clock.clearTimer(waiting.giveUp);
    return true;
  }
}

function waitKey(dialog: string, cseq: number): string {
  return `${dialog}\u0000${cseq}`;
}
