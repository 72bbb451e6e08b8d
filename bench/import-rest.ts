/**
 * Issue 3 goals: CSV user import of 10k and 100k rows (time, server peak RSS) and REST
 * throughput of `GET /api/admin/tenants/{id}/connectors` and provisioning
 * (`POST /api/connector/v1/systems`). Starts the compiled emulator (dist/main.js, rebuilt
 * when src/ is newer) in its own process on 127.0.0.1, imports from this process and
 * drives the REST phases from a separate load process. About 30 s.
 *
 * The emulator stores in a temporary data dir, not --ephemeral: an in-memory database
 * would count 100k stored users (~55 MB of pages) as the import's RSS growth, and a file
 * with synchronous=FULL is what deployments (and the crash-safety promise) use.
 *
 *   npx tsx bench/import-rest.ts
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { connect, type TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { Agent, request } from "undici";
import { BENCH_DOMAIN } from "./bench-trunks.js";
import { usersCsv } from "./import-csv.js";
import { type RestLoadResult, runRestLoad } from "./rest-load.js";
import { freshBuild, type RestServer, repositoryRoot, startRestServer } from "./rest-server.js";
import { registerText } from "./sip-wire.js";

const MB = 1024 * 1024;
const IMPORTS = [10_000, 100_000] as const;
const GOAL_100K_SECONDS = 3;
const GOAL_RSS_GROWTH_MB = 100;
const CONCURRENCY = 16;
const PHASE_MS = 5_000;
/** Each provisioning creates a system and its trunk: bound them. */
const MAX_PROVISIONS = 20_000;
const CONNECTORS = 10;
const NUMBERING = { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" };

interface ImportMeasure {
  readonly label: string;
  readonly rows: number;
  readonly seconds: number;
  /** server CPU (user + system) during the import */
  readonly cpuSeconds: number;
  readonly answer: string;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly peak: number;
  /** false: the kernel refused to reset VmHWM, `peak` is the process's lifetime peak */
  readonly peakWindowed: boolean;
}

interface TenantJson {
  readonly id: string;
  readonly name: string;
}

const tenantIdOf = (tenants: readonly TenantJson[], name: string): string =>
  tenants.find((t) => t.name === name)!.id;

/** The trunk user of an import tenant's gtc-001 (digest off: the bench only needs it registered). */
const importTrunkUser = (rows: number) => String(7_000_000_000 + rows);

/**
 * Registers a PBX on each import trunk over TLS: user provisioning needs an available
 * connector (HowTo §2.4). The sockets hold the registrations until they are destroyed.
 */
async function registerImportTrunks(server: RestServer): Promise<TLSSocket[]> {
  const sockets: TLSSocket[] = [];
  for (const rows of IMPORTS) {
    const socket = connect({
      host: "127.0.0.1",
      port: server.sipPort,
      ca: server.ca,
      servername: BENCH_DOMAIN,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to REGISTER of ${importTrunkUser(rows)}`)),
        10_000,
      );
      let answer = "";
      socket.once("error", reject);
      socket.once("secureConnect", () => {
        const id = randomBytes(6).toString("hex");
        socket.write(
          registerText({
            user: importTrunkUser(rows),
            port: socket.localPort!,
            branch: id,
            tag: id,
            callId: id,
            cseq: 1,
          }),
        );
      });
      socket.on("data", (chunk: Buffer) => {
        answer += chunk.toString("latin1");
        if (!answer.includes("\r\n\r\n")) return;
        clearTimeout(timer);
        if (answer.startsWith("SIP/2.0 200")) resolve();
        else reject(new Error(`REGISTER of ${importTrunkUser(rows)}: ${answer.split("\r\n")[0]}`));
      });
    });
  }
  return sockets;
}

/** One tenant per import (phone numbers are unique per tenant), one with connectors, one to provision into. */
function writeSeed(dir: string, apiKey: string): string {
  const system = (systemId: string, trunk = {}) => ({ systemId, numbering: NUMBERING, trunk });
  const tenants = [
    ...IMPORTS.map((rows) => ({
      name: `Import ${rows}`,
      systems: [system(`import-${rows}`, { username: importTrunkUser(rows), auth: false })],
      users: [],
    })),
    {
      name: "Connectors",
      systems: Array.from({ length: CONNECTORS }, (_, i) => system(`osbiz-${i + 1}`)),
      users: [],
    },
    { name: "Provisioning", apiKey, systems: [], users: [] },
  ];
  const path = join(dir, "seed.json");
  writeFileSync(path, JSON.stringify({ tenants }));
  return path;
}

async function call(server: RestServer, dispatcher: Agent, token: string, path: string, csv?: Buffer) {
  const res = await request(`${server.origin}${path}`, {
    method: csv ? "POST" : "GET",
    headers: { authorization: `Bearer ${token}`, ...(csv ? { "content-type": "text/csv" } : {}) },
    ...(csv ? { body: csv } : {}),
    dispatcher,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

async function measureImport(
  server: RestServer,
  post: (csv: Buffer) => Promise<unknown>,
  label: string,
  rows: number,
  csv: Buffer,
): Promise<ImportMeasure> {
  const rssBefore = server.memory().rss;
  const peakWindowed = server.resetPeak();
  const cpuBefore = server.cpuSeconds();
  const started = performance.now();
  const answer = JSON.stringify(await post(csv));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = server.cpuSeconds() - cpuBefore;
  const { rss: rssAfter, peak } = server.memory();
  return { label, rows, seconds, cpuSeconds, answer, rssBefore, rssAfter, peak, peakWindowed };
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const int = (n: number) => Math.round(n).toLocaleString("en-US");

function importLine(m: ImportMeasure): string {
  const peak = m.peakWindowed ? "peak" : "lifetime peak";
  return `${m.label.padEnd(30)} ${m.seconds.toFixed(2).padStart(6)} s (server CPU ${m.cpuSeconds.toFixed(2)} s)  ${int(m.rows / m.seconds).padStart(7)} rows/s  RSS ${mb(m.rssBefore)} → ${mb(m.rssAfter)}, ${peak} ${mb(m.peak)} (+${mb(m.peak - m.rssBefore)})  ${m.answer}`;
}

function loadLine(label: string, r: RestLoadResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(" ");
  return `${label.padEnd(30)} ${int(r.requests / (r.elapsedMs / 1000)).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  max ${r.maxMs.toFixed(0)} ms  ${int(r.requests)} requests, ${r.failures} failed (${statuses})`;
}

function goalTable(big: ImportMeasure, connectors: RestLoadResult, provision: RestLoadResult): string {
  const growth = (big.peak - big.rssBefore) / MB;
  const rows: [string, string, string, string][] = [
    ["100k-row CSV import", `${big.seconds.toFixed(2)} s`, `< ${GOAL_100K_SECONDS} s`, ""],
    ["  server RSS growth (peak)", `${growth.toFixed(0)} MB`, `< ${GOAL_RSS_GROWTH_MB} MB`, ""],
    [
      "GET …/connectors",
      `${int(connectors.requests / (connectors.elapsedMs / 1000))} req/s, p99 ${connectors.p99Ms.toFixed(1)} ms`,
      "report",
      `${connectors.failures} failed`,
    ],
    [
      "POST /api/connector/v1/systems",
      `${int(provision.requests / (provision.elapsedMs / 1000))} req/s, p99 ${provision.p99Ms.toFixed(1)} ms`,
      "report",
      `${provision.failures} failed`,
    ],
  ];
  rows[0][3] = big.seconds < GOAL_100K_SECONDS ? "met" : "MISSED";
  rows[1][3] = growth < GOAL_RSS_GROWTH_MB ? "met" : "MISSED";
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("   ")).join("\n");
}

/** Imports 10k and 100k users (the 100k twice: new, then unchanged); prints each line as it goes. */
async function importPhases(server: RestServer, dispatcher: Agent, adminToken: string) {
  const tenants = (await call(server, dispatcher, adminToken, "/api/admin/tenants")) as TenantJson[];
  const lines: ImportMeasure[] = [];
  const measure = async (
    label: string,
    rows: number,
    post: (csv: Buffer) => Promise<unknown>,
    csv: Buffer,
  ) => {
    const m = await measureImport(server, post, label, rows, csv);
    console.log(importLine(m));
    lines.push(m);
    return m;
  };
  let big: ImportMeasure | undefined;
  for (const rows of IMPORTS) {
    const csv = usersCsv(rows, `bench-${rows}.example`);
    const path = `/api/admin/tenants/${tenantIdOf(tenants, `Import ${rows}`)}/users/import?trunk=gtc-001`;
    const post = (body: Buffer) => call(server, dispatcher, adminToken, path, body);
    const created = await measure(`CSV import ${int(rows)} new (${mb(csv.length)})`, rows, post, csv);
    if (rows === 100_000) {
      big = created;
      await measure("same 100,000 again (unchanged)", rows, post, csv);
    }
  }
  return { lines, big: big!, tenants };
}

/** Runs the benchmark; prints as it goes and returns the printed summary. */
export async function run(): Promise<string> {
  const root = repositoryRoot(dirname(fileURLToPath(import.meta.url)));
  const mainPath = freshBuild(root);
  const work = mkdtempSync(join(tmpdir(), "upe-bench-rest-"));
  try {
    const adminToken = randomBytes(16).toString("hex");
    const apiKey = randomBytes(16).toString("hex");
    const server = await startRestServer({
      mainPath,
      seedPath: writeSeed(work, apiKey),
      dataDir: join(work, "data"),
      certsDir: join(work, "certs"),
      adminToken,
    });
    const dispatcher = new Agent({
      connect: { ca: server.ca },
      bodyTimeout: 120_000,
      headersTimeout: 120_000,
    });
    try {
      const header = `user import and REST benchmark — node ${process.version}, ${cpus()[0]?.model ?? "?"} × ${cpus().length}, load average ${loadavg()[0]?.toFixed(2)}; server pid ${server.pid}, RSS ${mb(server.memory().rss)}, data in a SQLite file (WAL, synchronous=FULL)`;
      console.log(header);
      const pbxs = await registerImportTrunks(server);
      const imports = await importPhases(server, dispatcher, adminToken);
      for (const socket of pbxs) socket.destroy();
      const common = { origin: server.origin, ca: server.ca, concurrency: CONCURRENCY, durationMs: PHASE_MS };
      const connectors = await runRestLoad({
        ...common,
        method: "GET",
        path: `/api/admin/tenants/${tenantIdOf(imports.tenants, "Connectors")}/connectors`,
        headers: { authorization: `Bearer ${adminToken}` },
        maxRequests: 5_000_000,
      });
      const connectorsLine = loadLine(`GET …/connectors (${CONNECTORS})`, connectors);
      console.log(connectorsLine);
      const provision = await runRestLoad({
        ...common,
        method: "POST",
        path: "/api/connector/v1/systems",
        headers: { "x-api-key": apiKey },
        bodyTemplate: JSON.stringify({ systemId: "bench-{n}", numbering: NUMBERING }),
        maxRequests: MAX_PROVISIONS,
      });
      const provisionLine = loadLine("POST …/systems (new systemId)", provision);
      console.log(provisionLine);
      const note = `REST: ${CONCURRENCY} concurrent requests from a separate process, ${PHASE_MS / 1000} s per phase; each provisioning commits (an fsync)`;
      const goals = goalTable(imports.big, connectors, provision);
      console.log(`${note}\n\n${goals}`);
      return [header, ...imports.lines.map(importLine), connectorsLine, provisionLine, note, "", goals].join(
        "\n",
      );
    } finally {
      await dispatcher.close();
      await server.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().catch((error: unknown) => {
    console.error(`bench failed: ${String((error as Error)?.stack ?? error)}`);
    process.exitCode = 1;
  });
}
