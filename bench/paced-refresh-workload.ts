import type { BenchConnection, Exchange } from "./bench-connection.js";
import { sendAuthorized } from "./digest-workload.js";
import type { PhaseStats } from "./phase-stats.js";
import type { ResponseLite } from "./sip-wire.js";
import type { TrunkState } from "./trunk-state.js";
import type { Workload } from "./workload.js";

/** One registered trunk that can refresh when the pacer picks it. */
class Refresher implements Exchange {
  sentAt = 0;

  constructor(
    private readonly conn: BenchConnection,
    private readonly trunk: TrunkState,
    private readonly owner: PacedRefreshWorkload,
  ) {}

  get callId(): string {
    return this.trunk.callId;
  }

  get cseq(): number {
    return this.trunk.cseq;
  }

  fire(): void {
    this.trunk.cseq++;
    this.trunk.nc++;
    sendAuthorized(this.conn, this, this.trunk);
  }

  onResponse(r: ResponseLite): void {
    if (r.status === 200) this.owner.stats.complete(performance.now() - this.sentAt);
    else {
      this.owner.stats.unexpectedStatus(r.status);
      if (r.status === 401 && r.nonce !== undefined) {
        this.trunk.nonce = r.nonce;
        this.trunk.nc = 0;
      }
    }
    this.owner.release(this);
  }

  onFailure(kind: "timeout" | "reset" | "unmatched"): void {
    this.owner.stats.fail(kind);
    if (kind === "timeout") this.owner.release(this);
    else this.owner.lose();
  }
}

/**
 * Open loop: refreshes at a fixed rate whatever the response times, so latency is measured
 * below saturation. A 1 ms timer sends what is due since the start (catching up after a
 * late tick); each request goes to the trunk idle the longest (FIFO ring).
 */
export class PacedRefreshWorkload implements Workload {
  private readonly ring: Refresher[];
  private head = 0;
  private idle: number;
  private busy = 0;
  private sent = 0;
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Sends that found no idle trunk (the rate is then not reached). */
  starved = 0;

  constructor(
    connections: readonly BenchConnection[],
    trunksByConnection: readonly (readonly TrunkState[])[],
    private readonly ratePerSecond: number,
    readonly stats: PhaseStats,
  ) {
    this.ring = [];
    // Interleave connections so consecutive sends spread over all of them.
    const lists = connections.map((_, c) =>
      (trunksByConnection[c] ?? []).filter((t) => t.nonce !== undefined),
    );
    const longest = Math.max(0, ...lists.map((l) => l.length));
    for (let i = 0; i < longest; i++) {
      lists.forEach((list, c) => {
        const trunk = list[i];
        if (trunk) this.ring.push(new Refresher(connections[c]!, trunk, this));
      });
    }
    this.idle = this.ring.length;
  }

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.tick(), 1);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  inFlight(): number {
    return this.busy;
  }

  release(r: Refresher): void {
    this.busy--;
    this.ring[(this.head + this.idle) % this.ring.length] = r;
    this.idle++;
  }

  lose(): void {
    this.busy--;
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.startedAt) * this.ratePerSecond) / 1000);
    while (this.sent < due) {
      this.sent++;
      if (this.idle === 0) {
        this.starved++;
        continue;
      }
      const r = this.ring[this.head]!;
      this.head = (this.head + 1) % this.ring.length;
      this.idle--;
      this.busy++;
      r.fire();
    }
  }
}
