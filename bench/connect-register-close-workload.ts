import { ExchangeFailure, request } from "./awaited-request.js";
import { BenchConnection, connectTls } from "./bench-connection.js";
import type { PhaseStats } from "./phase-stats.js";
import { registerText } from "./sip-wire.js";
import { uniqueId } from "./trunk-state.js";
import type { Workload } from "./workload.js";

const TIMEOUT_MS = 5000;

/**
 * `parallel` workers, each repeating: TLS connect (full handshake, no session resumption),
 * one plain REGISTER, close. Worker i always registers the same contact of its own plain
 * trunk, so the closed connections' bindings never pile up beyond the 10-contact limit.
 */
export class ConnectRegisterCloseWorkload implements Workload {
  private running = false;
  private busy = 0;

  constructor(
    private readonly port: number,
    private readonly parallel: number,
    private readonly userOf: (worker: number) => string,
    private readonly stats: PhaseStats,
  ) {}

  start(): void {
    this.running = true;
    for (let w = 0; w < this.parallel; w++) void this.work(w);
  }

  stop(): void {
    this.running = false;
  }

  inFlight(): number {
    return this.busy;
  }

  private async work(worker: number): Promise<void> {
    const user = this.userOf(worker);
    const contactPort = 20_000 + worker;
    while (this.running) {
      this.busy++;
      const startedAt = performance.now();
      let conn: BenchConnection | undefined;
      try {
        conn = new BenchConnection(await connectTls({ port: this.port, timeoutMs: TIMEOUT_MS }));
        const callId = uniqueId();
        const text = registerText({
          user,
          port: contactPort,
          branch: uniqueId(),
          tag: uniqueId(),
          callId,
          cseq: 1,
        });
        const response = await request(conn, callId, 1, text, TIMEOUT_MS);
        if (response.status === 200) this.stats.complete(performance.now() - startedAt);
        else this.stats.unexpectedStatus(response.status);
      } catch (err) {
        this.stats.fail(err instanceof ExchangeFailure ? err.kind : "reset");
      } finally {
        conn?.close();
        this.busy--;
      }
    }
  }
}
