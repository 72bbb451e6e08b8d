/**
 * `npx tsx bench/pipeline-micro.ts [seconds] [rounds]`: the emulator's REGISTER path without
 * TLS and without a second process, for comparing two versions of the code on a busy machine.
 * The emulator runs in this process with a plain TCP SIP listener; the bench's own clients
 * (the same digest slots as `npm run bench`) drive it over loopback TCP, and the figure is
 * this whole process's CPU per registration — server and client together, so only the
 * difference between two builds means anything. Kernel scheduling noise from other processes
 * does not count as this process's CPU time, which makes the A/B steadier than the TLS bench.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type tls from "node:tls";
import { startEmulator } from "../src/index.js";
import { BenchConnection } from "./bench-connection.js";
import { digestTrunk } from "./bench-trunks.js";
import { DigestWorkload } from "./digest-workload.js";
import { failureTotal } from "./generator-protocol.js";
import { PhaseStats } from "./phase-stats.js";
import { writeBenchSeed } from "./seed-file.js";
import { runTimedPhase } from "./timed-phase.js";
import { TrunkState } from "./trunk-state.js";

const seconds = Math.min(60, Math.max(1, Number(process.argv[2] ?? 4) || 4));
const rounds = Math.min(10, Math.max(1, Number(process.argv[3] ?? 3) || 3));
const CONNECTIONS = 16;
const WINDOW = 16;
const TRUNKS = 1024;

const work = mkdtempSync(join(tmpdir(), "upe-pipeline-"));
const secret = randomBytes(6).toString("hex");
const emulator = await startEmulator({
  bind: "127.0.0.1",
  host: "127.0.0.1",
  ephemeral: true,
  certsDir: join(work, "certs"),
  logLevel: "warn",
  seed: writeBenchSeed(work, { secret, digestTrunks: TRUNKS, plainTrunks: 0 }),
  httpsPort: 0,
  stunPort: null,
  sip: { port: 0, tcpPort: 0 },
});

function connectTcp(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
  });
}

try {
  const port = emulator.ports.sipTcp;
  if (port === null) throw new Error("the emulator opened no SIP TCP listener");
  const connections: BenchConnection[] = [];
  const trunks: TrunkState[][] = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    // BenchConnection uses only the socket's stream side, which TCP and TLS share.
    connections.push(new BenchConnection((await connectTcp(port)) as tls.TLSSocket));
    trunks.push([]);
  }
  for (let i = 0; i < TRUNKS; i++) {
    const { username, password } = digestTrunk(i, secret);
    trunks[i % CONNECTIONS]!.push(new TrunkState(username, password));
  }
  const phase = async (mode: "full" | "refresh", measureMs: number) => {
    const stats = new PhaseStats();
    const workload = new DigestWorkload(connections, trunks, WINDOW, mode, stats);
    let cpu = process.cpuUsage();
    const result = await runTimedPhase({
      workload,
      stats,
      timing: { warmupMs: 300, measureMs, maxOps: 5_000_000 },
      connections,
      mark: (at) => {
        if (at === "start") cpu = process.cpuUsage();
        else cpu = process.cpuUsage(cpu);
      },
    });
    const failures = failureTotal(result.failures);
    return { us: (cpu.user + cpu.system) / result.ops, ops: result.ops, failures };
  };
  await phase("full", 1000);
  await phase("refresh", 1000);
  const rows: string[] = [];
  for (let r = 1; r <= rounds; r++) {
    const full = await phase("full", seconds * 1000);
    const refresh = await phase("refresh", seconds * 1000);
    const bad = full.failures + refresh.failures;
    rows.push(
      `round ${r}: full ${full.us.toFixed(1)} µs (${full.ops} ops)  refresh ${refresh.us.toFixed(1)} µs (${refresh.ops} ops)${bad ? `  !!! ${bad} failures` : ""}`,
    );
    console.log(rows.at(-1));
  }
  for (const c of connections) c.close();
} finally {
  await emulator.close();
  rmSync(work, { recursive: true, force: true });
}
