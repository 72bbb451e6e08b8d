/**
 * The load generator, a child process of bench/run.ts: drives the emulator over TLS as
 * the runner's IPC commands say and reports each phase's figures back.
 */
import { BenchConnection, connectTls } from "./bench-connection.js";
import { digestTrunk, plainTrunkUser } from "./bench-trunks.js";
import { ConnectRegisterCloseWorkload } from "./connect-register-close-workload.js";
import { DigestWorkload } from "./digest-workload.js";
import type {
  GeneratorEvent,
  PhaseResult,
  PhaseSpec,
  PhaseTiming,
  RunnerCommand,
} from "./generator-protocol.js";
import { IdleConnectionsWorkload } from "./idle-connections-workload.js";
import { PacedRefreshWorkload } from "./paced-refresh-workload.js";
import { PhaseStats } from "./phase-stats.js";
import { PlainWorkload } from "./plain-workload.js";
import { runTimedPhase } from "./timed-phase.js";
import { TrunkState } from "./trunk-state.js";
import type { Workload } from "./workload.js";

type OpenCommand = Extract<RunnerCommand, { type: "open" }>;

let setup: OpenCommand | undefined;
const persistent: BenchConnection[] = [];
/** Trunk i belongs to connection i % connections: its contact is that connection's port. */
const trunksByConnection: TrunkState[][] = [];
let idle: IdleConnectionsWorkload | undefined;

function emit(event: GeneratorEvent): void {
  process.send?.(event);
}

async function open(cmd: OpenCommand): Promise<void> {
  setup = cmd;
  for (let c = 0; c < cmd.connections; c++) {
    const conn = new BenchConnection(await connectTls({ port: cmd.port, timeoutMs: 10_000 }));
    persistent.push(conn);
    trunksByConnection.push([]);
  }
  if (cmd.connections > 0) {
    for (let i = 0; i < cmd.digestTrunks; i++) {
      const { username, password } = digestTrunk(i, cmd.secret);
      trunksByConnection[i % cmd.connections]!.push(new TrunkState(username, password));
    }
  }
  emit({ type: "opened", connections: persistent.length });
}

function buildWorkload(spec: PhaseSpec, stats: PhaseStats, s: OpenCommand): Workload {
  switch (spec.kind) {
    case "digest-full":
    case "digest-refresh":
      return new DigestWorkload(
        persistent,
        trunksByConnection,
        spec.windowPerConnection,
        spec.kind === "digest-full" ? "full" : "refresh",
        stats,
      );
    case "digest-refresh-paced":
      return new PacedRefreshWorkload(persistent, trunksByConnection, spec.ratePerSecond, stats);
    case "plain":
      return new PlainWorkload(
        persistent,
        (c) => plainTrunkUser(c % s.plainTrunks),
        spec.windowPerConnection,
        stats,
      );
    case "connect-register-close":
      return new ConnectRegisterCloseWorkload(
        s.port,
        spec.parallel,
        (w) => plainTrunkUser(w % s.plainTrunks),
        stats,
      );
    case "idle": {
      const trunks: TrunkState[] = [];
      for (let i = 0; i < Math.min(spec.connections, s.digestTrunks); i++) {
        const { username, password } = digestTrunk(i, s.secret);
        trunks.push(new TrunkState(username, password));
      }
      idle = new IdleConnectionsWorkload(s.port, trunks, spec.parallel, stats);
      return idle;
    }
  }
}

function noteFor(workload: Workload): string | undefined {
  if (workload instanceof PacedRefreshWorkload && workload.starved > 0)
    return `${workload.starved} sends found no idle trunk: the target rate was not reached`;
  if (workload instanceof IdleConnectionsWorkload)
    return `${workload.registered} connections registered and held`;
  if (workload instanceof DigestWorkload) return `${workload.slotCount} request slots`;
  return undefined;
}

async function runPhase(spec: PhaseSpec, timing: PhaseTiming): Promise<PhaseResult> {
  if (!setup) throw new Error("phase before open");
  const stats = new PhaseStats();
  for (const conn of persistent) conn.onProblem = (kind) => stats.fail(kind);
  const workload = buildWorkload(spec, stats, setup);
  const result = await runTimedPhase({
    workload,
    stats,
    timing,
    connections: persistent,
    mark: (at) => emit({ type: "mark", at }),
  });
  const note = noteFor(workload);
  return note === undefined ? result : { ...result, note };
}

async function handle(cmd: RunnerCommand): Promise<void> {
  switch (cmd.type) {
    case "open":
      await open(cmd);
      return;
    case "phase":
      emit({ type: "result", result: await runPhase(cmd.spec, cmd.timing) });
      return;
    case "release": {
      const { held, lost } = idle?.release() ?? { held: 0, lost: 0 };
      idle = undefined;
      emit({ type: "released", held, lost });
      return;
    }
    case "exit":
      for (const conn of persistent) conn.close();
      idle?.release();
      process.exit(0);
  }
}

process.on("message", (cmd: RunnerCommand) => {
  handle(cmd).catch((err: unknown) => emit({ type: "error", message: String((err as Error)?.stack ?? err) }));
});
// The runner went away: never linger as an orphan holding connections.
process.on("disconnect", () => process.exit(0));
