/**
 * `npx tsx tools/soak/half-open.ts [--rounds 3] [--connections 20000] [--sources 20]
 *   [--mode silent|hello] [--target sip|https] [--hold 5] [--settle 15] [--from-source]
 *   [-- <emulator options>]` (issue 9 defect 1): floods the emulator with TCP connections
 * that never finish a TLS handshake, from 127.0.0.2… (one address per `--sources`), and
 * reports its RSS and open descriptors after each round and after settling, the /healthz
 * latency during the flood and whether a legit REGISTER still gets its 401 challenge.
 * `silent` peers send nothing; `hello` peers send the header of a 16 KiB handshake record
 * and nothing more. Run `npm run build` first (or pass --from-source).
 */
import { mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EmulatorProcess, staleBuildWarning } from "../lib/emulator-process.js";
import { connectTls } from "../lib/net-clients.js";
import { readFdCount, readRss } from "../lib/proc-stats.js";
import { registerText, WireReader } from "../lib/sip-wire.js";
import { writeToolSeed } from "../lib/tool-seed.js";

const MB = 1024 * 1024;
/** Connects in flight at once: the flooder shares two cores with the emulator. */
const CONNECT_CONCURRENCY = 256;
/** A round never takes longer than this, whatever the emulator does. */
const ROUND_DEADLINE_MS = 120_000;
const PROBE_TIMEOUT_MS = 10_000;

interface Options {
  rounds: number;
  connections: number;
  sources: number;
  mode: "silent" | "hello";
  target: "sip" | "https";
  holdSeconds: number;
  settleSeconds: number;
  fromSource: boolean;
  emulatorArgs: string[];
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    rounds: 3,
    connections: 20_000,
    sources: 20,
    mode: "silent",
    target: "sip",
    holdSeconds: 5,
    settleSeconds: 15,
    fromSource: false,
    emulatorArgs: [],
  };
  const int = (v: string | undefined, name: string, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${name}: an integer 0..${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      o.emulatorArgs = argv.slice(i + 1);
      break;
    }
    if (a === "--from-source") o.fromSource = true;
    else if (a === "--rounds") o.rounds = int(argv[++i], "rounds", 20);
    else if (a === "--connections") o.connections = int(argv[++i], "connections", 100_000);
    else if (a === "--sources") o.sources = Math.max(1, int(argv[++i], "sources", 200));
    else if (a === "--hold") o.holdSeconds = int(argv[++i], "hold", 600);
    else if (a === "--settle") o.settleSeconds = int(argv[++i], "settle", 600);
    else if (a === "--mode" && (argv[i + 1] === "silent" || argv[i + 1] === "hello"))
      o.mode = argv[++i] as Options["mode"];
    else if (a === "--target" && (argv[i + 1] === "sip" || argv[i + 1] === "https"))
      o.target = argv[++i] as Options["target"];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** The flood of one round: every socket the flooder opened and what the server did to them. */
class Flood {
  readonly sockets = new Set<net.Socket>();
  opened = 0;
  failed = 0;
  closedByServer = 0;
  private ending = false;

  constructor(
    private readonly port: number,
    private readonly options: Options,
  ) {}

  async open(deadline: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.options.connections && Date.now() < deadline) {
        const i = next++;
        await this.connect(`127.0.0.${2 + (i % this.options.sources)}`);
      }
    };
    await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  }

  private connect(localAddress: string): Promise<void> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port: this.port, localAddress });
      const timer = setTimeout(() => socket.destroy(), PROBE_TIMEOUT_MS);
      socket.once("connect", () => {
        clearTimeout(timer);
        this.opened++;
        this.sockets.add(socket);
        // A 16 KiB handshake record announced, never sent.
        if (this.options.mode === "hello") socket.write(Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00]));
        resolve();
      });
      socket.on("error", () => {});
      socket.once("close", () => {
        clearTimeout(timer);
        if (!this.sockets.delete(socket)) {
          this.failed++;
          resolve();
        } else if (!this.ending) this.closedByServer++;
      });
      // Whatever the server sends is read and dropped, so its writes never block.
      socket.resume();
    });
  }

  end(): void {
    this.ending = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

function healthzMs(port: number, ca: string): Promise<number | string> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = https.get(
      { host: "127.0.0.1", port, path: "/healthz", ca, servername: "localhost", agent: false },
      (res) => {
        res.resume();
        res.once("end", () =>
          resolve(res.statusCode === 200 ? performance.now() - started : `status ${res.statusCode}`),
        );
      },
    );
    req.setTimeout(PROBE_TIMEOUT_MS, () => req.destroy(new Error("timeout")));
    req.once("error", (e) => resolve(e.message));
  });
}

/** A REGISTER on a new TLS connection: the status line it gets (401: the PBX got in). */
async function registerStatus(port: number, ca: string, round: number): Promise<string> {
  let socket: Awaited<ReturnType<typeof connectTls>> | undefined;
  try {
    socket = await connectTls(port, ca, PROBE_TIMEOUT_MS);
    const s = socket;
    const reader = new WireReader();
    const text = registerText({
      user: "5000000000",
      localPort: s.localPort ?? 0,
      transport: "TLS",
      branch: `halfopen${round}`,
      tag: `halfopen${round}`,
      callId: `halfopen-${round}-${Date.now()}`,
      cseq: 1,
      expires: 600,
    });
    return await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve("no answer"), PROBE_TIMEOUT_MS);
      s.on("data", (chunk: Buffer) => {
        const first = reader.push(chunk)[0];
        if (first) {
          clearTimeout(timer);
          resolve(first.head.split("\r\n")[0]!.slice(8));
        }
      });
      s.once("close", () => resolve("closed"));
      s.write(text);
    });
  } catch (e) {
    return (e as Error).message;
  } finally {
    socket?.destroy();
  }
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options.fromSource) {
    const stale = staleBuildWarning();
    if (stale) console.warn(`warning: ${stale}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "upe-half-open-"));
  const seed = writeToolSeed(dir, "halfopen", 1, "half-open-soak-secret-1");
  const emulator = await EmulatorProcess.start({
    seedPath: seed.path,
    certsDir: join(dir, "certs"),
    adminToken: "half-open-soak-admin-token-0123456789",
    fromSource: options.fromSource,
    startTimeoutMs: 60_000,
    // Each source may fill its share: the flood is spread so the per-source cap is not what holds it.
    extraArgs: ["--max-connections-per-source", "5000", ...options.emulatorArgs],
  });
  const port = options.target === "sip" ? emulator.ports.sip : emulator.ports.https;
  const pid = emulator.pid;
  const sample = async (label: string) => {
    const heap = (await emulator.memory(true))?.heapUsed ?? 0;
    console.log(
      `${label.padEnd(22)} rss ${mb(readRss(pid)).padStart(8)}  heap ${mb(heap).padStart(6)}  fds ${readFdCount(pid)}`,
    );
  };
  try {
    console.log(
      `half-open flood: ${options.rounds} × ${options.connections} ${options.mode} connections to ${options.target} ` +
        `from ${options.sources} addresses, emulator pid ${pid} ${options.emulatorArgs.join(" ")}`,
    );
    await sample("start");
    for (let round = 1; round <= options.rounds && emulator.alive; round++) {
      const flood = new Flood(port, options);
      let peakRss = 0;
      let peakFds = 0;
      const latencies: number[] = [];
      const failures: string[] = [];
      let failed = 0;
      let probing = true;
      const prober = (async () => {
        for (let i = 0; probing && i < 1000; i++) {
          peakRss = Math.max(peakRss, readRss(pid));
          peakFds = Math.max(peakFds, readFdCount(pid));
          const r = await healthzMs(emulator.ports.https, emulator.ca);
          if (typeof r === "number") latencies.push(r);
          else if (++failed <= 3) failures.push(r);
          await sleep(500);
        }
      })();
      const started = Date.now();
      await flood.open(started + ROUND_DEADLINE_MS);
      const register = await registerStatus(emulator.ports.sip, emulator.ca, round);
      await sleep(options.holdSeconds * 1000);
      probing = false;
      await prober;
      const held = flood.sockets.size;
      flood.end();
      latencies.sort((a, b) => a - b);
      const pct = (q: number) =>
        latencies.length ? latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(0) : "-";
      console.log(
        `round ${round}: opened ${flood.opened}, failed ${flood.failed}, closed by server ${flood.closedByServer}, ` +
          `held at end ${held} (${((Date.now() - started) / 1000).toFixed(1)} s); peak rss ${mb(peakRss)}, peak fds ${peakFds}; ` +
          `/healthz ms p50 ${pct(0.5)} max ${pct(1)} (${latencies.length} ok${failed ? `, ${failed} failed: ${failures.join("; ")}` : ""}); ` +
          `REGISTER during flood: ${register}`,
      );
      await sleep(2000);
      await sample(`after round ${round}`);
    }
    await sleep(options.settleSeconds * 1000);
    await sample(`settled ${options.settleSeconds} s`);
    if (!emulator.alive) console.log(`emulator died:\n${emulator.output().slice(-2000)}`);
  } finally {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
