/**
 * `npm run soak -- --seconds N` (issue 9): many PBX trunks on TLS connections register
 * (digest), refresh, unregister, reconnect (gracefully, by reset, and mid-call) and place
 * calls to virtual users, in a loop bounded by the deadline. Meanwhile the emulator's RSS,
 * heap, open files, bindings and active calls are sampled. Fails when, at the checkpoint
 * (every trunk registered) or after the settle period (every trunk gone), bindings or calls
 * differ from what the clients know, or when memory or file descriptors grew past bounds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AdminApi } from "../lib/admin-api.js";
import { describeExit, EmulatorProcess, type MemoryUsage } from "../lib/emulator-process.js";
import { readFdCount, readRss, Series } from "../lib/proc-stats.js";
import { Rng } from "../lib/rng.js";
import { runTool } from "../lib/tool-cli.js";
import { CALLEE_NUMBER, type ToolTrunk, writeToolSeed } from "../lib/tool-seed.js";
import { parseSoakOptions, type SoakOptions, USAGE } from "./soak-options.js";
import { newCounters, recordError, type SoakCounters, TrunkClient } from "./trunk-client.js";

const MB = 1024 * 1024;
/** A trunk connection's life: at most this many connect/…/close cycles. */
const MAX_CYCLES = 100_000;
/** Entries of the emulator's trace ring: small, so it is full well within the warm-up. */
const TRACE_BUFFER = 1000;

/** Lets the workers wait for the checkpoint to be read before they leave. */
class Gate {
  #open!: () => void;
  readonly opened = new Promise<void>((resolve) => {
    this.#open = resolve;
  });
  open(): void {
    this.#open();
  }
}

async function main(options: SoakOptions): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), "upe-soak-"));
  try {
    return await soak(options, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function soak(options: SoakOptions, work: string): Promise<number> {
  const seed = writeToolSeed(work, "soak", options.trunks, "Soak-Trunk-Secret-1");
  const emulator = await EmulatorProcess.start({
    seedPath: seed.path,
    certsDir: join(work, "certs"),
    adminToken: `upe-soak-${process.pid}-admin-token`,
    fromSource: options.fromSource,
    startTimeoutMs: 60_000,
    extraArgs: ["--trace-buffer", String(TRACE_BUFFER)],
  });
  const failures: string[] = [];
  let crashed = false;
  void emulator.exited.then((info) => {
    if (emulator.stopping) return;
    crashed = true;
    failures.push(`the emulator exited during the soak: ${describeExit(info)}`);
  });
  try {
    const admin = new AdminApi({ port: emulator.ports.https, ca: emulator.ca, token: emulator.adminToken });
    const byName = await admin.tenants();
    const tenantIds = seed.trunks.map((_, i) => byName.get(`soak-tenant-${i}`)!);
    for (const id of tenantIds) await admin.answerAtOnce(id);

    console.log(
      `soak: seed ${options.seed}, ${options.seconds} s of load on ${options.trunks} trunks, warm-up ${options.warmupSeconds} s`,
    );
    const rss = new Series();
    const fds = new Series();
    const heap = new Series();
    const bindingsSeen = new Series();
    const callsSeen = new Series();
    const sampleProc = () => {
      if (!emulator.alive) return;
      rss.add(readRss(emulator.pid));
      fds.add(readFdCount(emulator.pid));
    };
    sampleProc();
    const preload = { rss: rss.end ?? 0, fds: fds.end ?? 0, heap: (await emulator.memory(true))?.heapUsed };

    const counters = newCounters();
    const rng = new Rng(options.seed);
    const started = Date.now();
    const loadDeadline = started + options.seconds * 1000;
    const gate = new Gate();
    let registeredAtCheckpoint = 0;
    const workers = seed.trunks.map((trunk, i) =>
      trunkWorker(emulator, trunk, rng.fork(`trunk-${i}`), counters, loadDeadline, gate, () => {
        registeredAtCheckpoint++;
      }),
    );

    let warm: { rss: number; heap: number | undefined } | undefined;
    let mid: MemoryUsage | undefined;
    let nextAdminSample = 0;
    let nextReport = started + 10_000;
    while (Date.now() < loadDeadline && !crashed) {
      await sleep(1000);
      sampleProc();
      const now = Date.now();
      if (!warm && now >= started + options.warmupSeconds * 1000) {
        const memory = await emulator.memory(true);
        warm = { rss: readRss(emulator.pid), heap: memory?.heapUsed };
        if (memory) heap.add(memory.heapUsed);
      }
      if (!mid && warm && now >= started + ((options.seconds + options.warmupSeconds) / 2) * 1000) {
        mid = await emulator.memory(true);
      }
      if (now >= nextAdminSample) {
        nextAdminSample = now + 5000;
        try {
          bindingsSeen.add((await admin.bindings(tenantIds)).bindings);
          callsSeen.add(await admin.activeCalls());
          const memory = await emulator.memory(false);
          if (memory) heap.add(memory.heapUsed);
        } catch (error) {
          recordError(counters, `admin sample: ${(error as Error).message}`);
        }
      }
      if (now >= nextReport) {
        nextReport += 10_000;
        console.log(
          `  ${Math.round((now - started) / 1000)} s: ${counters.registers} registers, ${counters.calls} calls, ` +
            `bindings ${bindingsSeen.end}, active calls ${callsSeen.end}, RSS ${((rss.end ?? 0) / MB).toFixed(1)} MB, fds ${fds.end}`,
        );
      }
    }

    // Checkpoint: every trunk registered on its own connection, no call up.
    const checkpoint = await pollUntil(
      options.settleSeconds * 1000 + 15_000,
      async () => ({ ...(await admin.bindings(tenantIds)), calls: await admin.activeCalls() }),
      (s) =>
        registeredAtCheckpoint === options.trunks &&
        s.bindings === options.trunks &&
        s.available === options.trunks &&
        s.calls === 0,
    );
    if (registeredAtCheckpoint !== options.trunks) {
      failures.push(`checkpoint: only ${registeredAtCheckpoint}/${options.trunks} trunks could register`);
    } else if (
      checkpoint.bindings !== options.trunks ||
      checkpoint.available !== options.trunks ||
      checkpoint.calls !== 0
    ) {
      failures.push(
        `checkpoint mismatch: ${checkpoint.bindings} bindings and ${checkpoint.available} available connectors ` +
          `for ${options.trunks} registered trunks, ${checkpoint.calls} active calls (expected 0)`,
      );
    }
    gate.open();
    await Promise.race([Promise.allSettled(workers), sleep(30_000)]);

    // End: every trunk unregistered or disconnected; nothing may be left behind.
    const end = await pollUntil(
      options.settleSeconds * 1000,
      async () => ({ ...(await admin.bindings(tenantIds)), calls: await admin.activeCalls() }),
      (s) => s.bindings === 0 && s.available === 0 && s.calls === 0,
    );
    if (end.bindings !== 0 || end.available !== 0 || end.calls !== 0) {
      failures.push(
        `end mismatch: ${end.bindings} bindings, ${end.available} available connectors, ${end.calls} active calls ` +
          `after every trunk left (expected 0, 0, 0)`,
      );
    }
    // Connections the emulator closes after us may take a moment to leave its fd table.
    const fdsEnd = await pollUntil(
      options.settleSeconds * 1000,
      async () => readFdCount(emulator.pid),
      (n) => n <= preload.fds + options.fdSlack,
    );
    sampleProc();
    const endMemory = await emulator.memory(true);
    const endRss = readRss(emulator.pid);
    if (endMemory) heap.add(endMemory.heapUsed);
    const elapsed = (Date.now() - started) / 1000;

    if (fdsEnd > preload.fds + options.fdSlack) {
      failures.push(
        `open files: ${fdsEnd} at the end, ${preload.fds} before the load (slack ${options.fdSlack})`,
      );
    }
    if (warm && endRss > warm.rss + options.rssGrowthMb * MB) {
      failures.push(
        `RSS grew ${((endRss - warm.rss) / MB).toFixed(1)} MB after warm-up (limit ${options.rssGrowthMb} MB)`,
      );
    }
    if (warm?.heap !== undefined && endMemory && endMemory.heapUsed > warm.heap + options.heapGrowthMb * MB) {
      failures.push(
        `heap grew ${((endMemory.heapUsed - warm.heap) / MB).toFixed(1)} MB after warm-up (limit ${options.heapGrowthMb} MB)`,
      );
    }
    if (counters.errorCount > 0) {
      failures.push(`${counters.errorCount} operations failed (first: ${counters.errors[0]})`);
    }
    const errorLines = emulator.errorLines();
    const exit = await emulator.stop();
    if (!crashed && exit.code !== 0) failures.push(`unclean shutdown on SIGTERM: ${describeExit(exit)}`);

    console.log(
      `\nsoak summary — seed ${options.seed}, ${elapsed.toFixed(0)} s, ${options.trunks} trunk connections`,
    );
    console.log(
      `  connects ${counters.connects}, registers ${counters.registers}, unregisters ${counters.unregisters}, ` +
        `calls ${counters.calls} (${counters.callsDropped} ended by dropping the connection), ` +
        `RTP sent ${counters.rtpSent} / echoed ${counters.rtpEchoed}, requests from the emulator ${counters.serverRequests}`,
    );
    console.log(
      `  failed operations ${counters.errorCount}${counters.errors.length ? `: ${counters.errors.slice(0, 5).join("; ")}` : ""}`,
    );
    console.log(
      `  checkpoint (all registered): bindings ${checkpoint.bindings}/${options.trunks}, available ${checkpoint.available}/${options.trunks}, active calls ${checkpoint.calls}`,
    );
    console.log(
      `  end (all gone): bindings ${end.bindings}, available ${end.available}, active calls ${end.calls}`,
    );
    console.log(
      `  sampled bindings ${bindingsSeen.format("count")}; active calls ${callsSeen.format("count")}`,
    );
    console.log(`  RSS ${rss.format("MB")}; before load ${mb(preload.rss)}, after warm-up ${mb(warm?.rss)}`);
    console.log(
      `  heap ${heap.format("MB")}; after GC: before load ${mb(preload.heap)}, after warm-up ${mb(warm?.heap)}, ` +
        `mid-run ${mb(mid?.heapUsed)}, end ${mb(endMemory?.heapUsed)}`,
    );
    console.log(`  fds ${fds.format("count")}; before load ${preload.fds}, end ${fdsEnd}`);
    console.log(
      `  error-level log lines ${errorLines.length}${errorLines.length ? ` (first: ${errorLines[0]!.slice(0, 300)})` : ""}`,
    );
    if (failures.length > 0) {
      console.log(`\n  emulator output (tail):\n${emulator.output().slice(-3000)}\n`);
      for (const failure of failures) console.log(`  FAIL ${failure}`);
      return 1;
    }
    console.log("  result: pass");
    return 0;
  } catch (error) {
    // Typically the emulator died and the admin API stopped answering: say so, with its output.
    console.log(`\n  emulator output (tail):\n${emulator.output().slice(-3000)}\n`);
    for (const failure of failures) console.log(`  FAIL ${failure}`);
    console.log(`  FAIL the soak could not go on: ${(error as Error).message}`);
    return 1;
  } finally {
    emulator.kill();
  }
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? "-" : `${(bytes / MB).toFixed(1)} MB`;
}

/** Polls `read` every 250 ms until `done` holds or `ms` pass; returns the last value read. */
async function pollUntil<T>(ms: number, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await sleep(250);
  }
}

/**
 * One trunk: cycles of connect → REGISTER → a few of {refresh, unregister + register, call,
 * call ended by dropping the connection} → unregister + close, plain close or reset; then
 * registers once more for the checkpoint and leaves when the gate opens.
 */
async function trunkWorker(
  emulator: EmulatorProcess,
  trunk: ToolTrunk,
  rng: Rng,
  counters: SoakCounters,
  deadline: number,
  gate: Gate,
  registered: () => void,
): Promise<void> {
  const client = new TrunkClient(
    { sipPort: emulator.ports.sip, ca: emulator.ca },
    trunk,
    CALLEE_NUMBER,
    rng,
    counters,
  );
  try {
    for (let cycle = 0; cycle < MAX_CYCLES && Date.now() < deadline && emulator.alive; cycle++) {
      try {
        await client.connect();
      } catch (error) {
        recordError(counters, `connect: ${(error as Error).message}`);
        await sleep(500);
        continue;
      }
      if (!(await client.register(600))) {
        client.close(true);
        await sleep(500);
        continue;
      }
      for (let n = rng.range(2, 6); n > 0 && Date.now() < deadline && client.connected; n--) {
        const r = rng.next();
        if (r < 0.25) await client.register(600);
        else if (r < 0.4) (await client.register(0)) && (await client.register(600));
        else await client.call(rng.range(100, 1500), 5, rng.chance(0.1));
        await sleep(rng.range(20, 200));
      }
      if (client.connected) {
        const r = rng.next();
        if (r < 0.5) {
          await client.register(0);
          client.close(false);
        } else {
          client.close(r < 0.75);
        }
      }
      await sleep(rng.range(20, 200));
    }
    if (!emulator.alive) return;
    await client.connect();
    if (await client.register(600)) registered();
    await gate.opened;
    if (rng.chance(0.5)) await client.register(0);
    client.close(rng.chance(0.5));
  } catch (error) {
    recordError(counters, `trunk ${trunk.username}: ${(error as Error).message}`);
  } finally {
    // Let a graceful close finish before the RTP socket goes.
    await sleep(100);
    client.dispose();
  }
}

runTool(USAGE, parseSoakOptions, main);
