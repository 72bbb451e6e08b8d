import { ExchangeFailure, request } from "./awaited-request.js";
import { BenchConnection, connectTls } from "./bench-connection.js";
import { digestAuthorization } from "./digest-client.js";
import type { PhaseStats } from "./phase-stats.js";
import { registerText } from "./sip-wire.js";
import { type TrunkState, uniqueId } from "./trunk-state.js";
import type { Workload } from "./workload.js";

const TIMEOUT_MS = 10_000;

/**
 * Opens one TLS connection per trunk and registers it with the full digest flow, then
 * keeps every registered connection open and silent until `release`. An operation is one
 * connection opened and registered.
 */
export class IdleConnectionsWorkload implements Workload {
  private readonly held: BenchConnection[] = [];
  private running = false;
  private next = 0;
  private busy = 0;
  /** Held connections the server closed before `release`. */
  private lost = 0;

  constructor(
    private readonly port: number,
    private readonly trunks: readonly TrunkState[],
    private readonly parallel: number,
    private readonly stats: PhaseStats,
  ) {}

  get registered(): number {
    return this.held.length;
  }

  start(): void {
    this.running = true;
    for (let w = 0; w < this.parallel; w++) void this.work();
  }

  stop(): void {
    this.running = false;
  }

  inFlight(): number {
    return this.busy;
  }

  finished(): boolean {
    return this.next >= this.trunks.length && this.busy === 0;
  }

  /** Closes every held connection; says how many were held and how many the server had closed. */
  release(): { held: number; lost: number } {
    const held = this.held.length - this.lost;
    for (const conn of this.held) conn.close();
    this.held.length = 0;
    return { held, lost: this.lost };
  }

  private async work(): Promise<void> {
    while (this.running && this.next < this.trunks.length) {
      const t = this.trunks[this.next++]!;
      this.busy++;
      const startedAt = performance.now();
      let conn: BenchConnection | undefined;
      try {
        conn = new BenchConnection(await connectTls({ port: this.port, timeoutMs: TIMEOUT_MS }));
        if (await this.register(conn, t)) {
          this.stats.complete(performance.now() - startedAt);
          conn.onProblem = () => this.lost++;
          this.held.push(conn);
          conn = undefined;
        }
      } catch (err) {
        this.stats.fail(err instanceof ExchangeFailure ? err.kind : "reset");
      } finally {
        conn?.close();
        this.busy--;
      }
    }
  }

  /** REGISTER → 401 → REGISTER with Authorization → 200; false (and counted) otherwise. */
  private async register(conn: BenchConnection, t: TrunkState): Promise<boolean> {
    const fields = { user: t.username, port: conn.localPort, tag: t.tag, callId: t.callId };
    t.cseq = 1;
    const challenge = await request(
      conn,
      t.callId,
      t.cseq,
      registerText({ ...fields, branch: uniqueId(), cseq: t.cseq }),
      TIMEOUT_MS,
    );
    if (challenge.status !== 401 || challenge.nonce === undefined) {
      this.stats.unexpectedStatus(challenge.status);
      return false;
    }
    t.nonce = challenge.nonce;
    t.nc = 1;
    t.cseq++;
    const authorization = digestAuthorization(t.username, t.ha1, t.nonce, t.nc, t.cnonce);
    const ok = await request(
      conn,
      t.callId,
      t.cseq,
      registerText({ ...fields, branch: uniqueId(), cseq: t.cseq, authorization }),
      TIMEOUT_MS,
    );
    if (ok.status !== 200) this.stats.unexpectedStatus(ok.status);
    return ok.status === 200;
  }
}
