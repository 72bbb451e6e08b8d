import type { BenchConnection, Exchange } from "./bench-connection.js";
import { digestAuthorization } from "./digest-client.js";
import type { PhaseStats } from "./phase-stats.js";
import { type ResponseLite, registerText } from "./sip-wire.js";
import { type TrunkState, uniqueId } from "./trunk-state.js";
import type { LoopState, Workload } from "./workload.js";

export type DigestMode = "full" | "refresh";

/** Writes REGISTER with Authorization for the trunk's current nonce and nc. */
export function sendAuthorized(conn: BenchConnection, exchange: Exchange, t: TrunkState): void {
  const authorization = digestAuthorization(t.username, t.ha1, t.nonce ?? "", t.nc, t.cnonce);
  conn.send(
    exchange,
    registerText({
      user: t.username,
      port: conn.localPort,
      branch: uniqueId(),
      tag: t.tag,
      callId: t.callId,
      cseq: t.cseq,
      authorization,
    }),
  );
}

/**
 * One request window slot: works through its own trunks one after the other (no trunk is
 * shared between slots, so no two registrations of a trunk race). "full": new Call-ID,
 * REGISTER → 401 → REGISTER with Authorization (nc=1) → 200. "refresh": same Call-ID,
 * CSeq+1, same nonce with nc+1 → 200, as a PBX re-registering does.
 */
class DigestSlot implements Exchange {
  sentAt = 0;
  private trunk: TrunkState;
  private cursor = 0;
  private startedAt = 0;
  private awaitingChallenge = false;
  busy = false;

  constructor(
    private readonly conn: BenchConnection,
    private readonly trunks: TrunkState[],
    private readonly mode: DigestMode,
    private readonly loop: LoopState,
  ) {
    this.trunk = trunks[0]!;
  }

  get callId(): string {
    return this.trunk.callId;
  }

  get cseq(): number {
    return this.trunk.cseq;
  }

  next(): void {
    this.busy = false;
    if (!this.loop.running || !this.conn.alive) return;
    this.busy = true;
    const t = this.trunks[this.cursor]!;
    this.cursor = (this.cursor + 1) % this.trunks.length;
    this.trunk = t;
    this.startedAt = performance.now();
    if (this.mode === "refresh") {
      t.cseq++;
      t.nc++;
      sendAuthorized(this.conn, this, t);
      return;
    }
    t.callId = uniqueId();
    t.cseq = 1;
    this.awaitingChallenge = true;
    this.conn.send(
      this,
      registerText({
        user: t.username,
        port: this.conn.localPort,
        branch: uniqueId(),
        tag: t.tag,
        callId: t.callId,
        cseq: t.cseq,
      }),
    );
  }

  onResponse(r: ResponseLite): void {
    const t = this.trunk;
    const stats: PhaseStats = this.loop.stats;
    if (this.awaitingChallenge) {
      this.awaitingChallenge = false;
      if (r.status === 401 && r.nonce !== undefined) {
        t.nonce = r.nonce;
        t.nc = 1;
        t.cseq++;
        sendAuthorized(this.conn, this, t);
        return;
      }
      stats.unexpectedStatus(r.status);
    } else if (r.status === 200) {
      stats.complete(performance.now() - this.startedAt);
    } else {
      stats.unexpectedStatus(r.status);
      // A stale or replayed nonce is answered with a fresh challenge: use it next time.
      if (r.status === 401 && r.nonce !== undefined) {
        t.nonce = r.nonce;
        t.nc = 0;
      }
    }
    this.next();
  }

  onFailure(kind: "timeout" | "reset" | "unmatched"): void {
    this.loop.stats.fail(kind);
    this.awaitingChallenge = false;
    if (kind === "timeout") this.next();
    else this.busy = false;
  }
}

/** Closed loop: `window` slots per connection, each with one request in flight. */
export class DigestWorkload implements Workload {
  private readonly loop: LoopState;
  private readonly slots: DigestSlot[] = [];

  constructor(
    connections: readonly BenchConnection[],
    trunksByConnection: readonly (readonly TrunkState[])[],
    window: number,
    mode: DigestMode,
    stats: PhaseStats,
  ) {
    this.loop = { running: false, stats };
    connections.forEach((conn, c) => {
      // A refresh needs a nonce: skip trunks the full flow never reached.
      const trunks = (trunksByConnection[c] ?? []).filter((t) => mode === "full" || t.nonce !== undefined);
      for (let s = 0; s < window; s++) {
        const own = trunks.filter((_, i) => i % window === s);
        if (own.length > 0) this.slots.push(new DigestSlot(conn, own, mode, this.loop));
      }
    });
  }

  get slotCount(): number {
    return this.slots.length;
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
