import type { BenchConnection, Exchange } from "./bench-connection.js";
import type { PhaseStats } from "./phase-stats.js";
import { type ResponseLite, registerText } from "./sip-wire.js";
import { uniqueId } from "./trunk-state.js";
import type { LoopState, Workload } from "./workload.js";

/**
 * One slot re-registering an `auth: false` trunk: its own Call-ID, CSeq+1 per request, so
 * the registrar's Call-ID/CSeq ordering (RFC 3261 §10.3 step 7) always accepts it.
 */
class PlainSlot implements Exchange {
  readonly callId = uniqueId();
  sentAt = 0;
  busy = false;
  private readonly tag = uniqueId();
  cseq = 0;

  constructor(
    private readonly conn: BenchConnection,
    private readonly user: string,
    private readonly loop: LoopState,
  ) {}

  next(): void {
    this.busy = this.loop.running && this.conn.alive;
    if (!this.busy) return;
    this.cseq++;
    this.conn.send(
      this,
      registerText({
        user: this.user,
        port: this.conn.localPort,
        branch: uniqueId(),
        tag: this.tag,
        callId: this.callId,
        cseq: this.cseq,
      }),
    );
  }

  onResponse(r: ResponseLite): void {
    if (r.status === 200) this.loop.stats.complete(performance.now() - this.sentAt);
    else this.loop.stats.unexpectedStatus(r.status);
    this.next();
  }

  onFailure(kind: "timeout" | "reset" | "unmatched"): void {
    this.loop.stats.fail(kind);
    if (kind === "timeout") this.next();
    else this.busy = false;
  }
}

/** Closed loop of plain REGISTERs: `window` slots per connection, one plain trunk per connection. */
export class PlainWorkload implements Workload {
  private readonly loop: LoopState;
  private readonly slots: PlainSlot[] = [];

  constructor(
    connections: readonly BenchConnection[],
    userOf: (connectionIndex: number) => string,
    window: number,
    stats: PhaseStats,
  ) {
    this.loop = { running: false, stats };
    connections.forEach((conn, c) => {
      for (let s = 0; s < window; s++) this.slots.push(new PlainSlot(conn, userOf(c), this.loop));
    });
  }

  start(): void {
    this.loop.running = true;
    for (const slot of this.slots) slot.next();
  }

  stop(): void {
    this.loop.running = false;
  }

  inFlight(): number {
    let n = 0;
    for (const slot of this.slots) if (slot.busy) n++;
    return n;
  }
}
