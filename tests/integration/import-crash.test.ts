import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { DATABASE_FILE } from "../../src/store/index.js";
import { writeTemp } from "../support/emulator.js";
import { PbxTestUa } from "../support/pbx-test-ua.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TOKEN = "crash-test-admin-token";
const ROWS = 100_000;
const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "3919209257", password: "s3cret-Trunk-1" }
`;

/** 100k users with a callno each: phone numbers +4923026671xxxxx (15 digits, E.164's maximum). */
const importCsv = (): string =>
  `emailAddress,firstName,lastName,locale,callno\n${Array.from(
    { length: ROWS },
    (_, i) => `user.${i}@acme.test,Jürgen,Groß ${i},de-DE,${100_000 + i}\n`,
  ).join("")}`;

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<NodeJS.Signals | null>;
  readonly call: (method: string, url: string, body?: string, type?: string) => Promise<Response>;
  /** Registers the seed's PBX: user provisioning needs an available connector (HowTo §2.4). */
  readonly connectPbx: () => Promise<PbxTestUa>;
}

interface Response {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field
  body: any;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** The emulator as a real process (what `kill -9` hits), on a data dir, ready once the banner says so. */
async function startEmulator(dir: string, seed: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/main.ts",
      ...["--data-dir", path.join(dir, "data"), "--certs-dir", path.join(dir, "certs")],
      ...["--https-port", "0", "--sip-port", "0", "--stun-port", "off", "--bind", "127.0.0.1"],
      ...["--admin-token", TOKEN, "--seed", seed, "--log-level", "warn"],
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  started.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_c, s) => resolve(s)));
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!/^ready: .*https=(\d+)/m.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line:\n${out}`);
    await sleep(50);
  }
  const port = /^ready: .*https=(\d+)/m.exec(out)![1];
  const sipPort = Number(/^ready: sip=(\d+)/m.exec(out)![1]);
  const ca = readFileSync(path.join(dir, "certs", "ca.pem"));
  const dispatcher = new Agent({ connect: { ca } });
  const call = async (method: string, url: string, body?: string, type = "application/json") => {
    const res = await request(`https://127.0.0.1:${port}${url}`, {
      method: method as "GET",
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": type }) },
      body,
      dispatcher,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  };
  const connectPbx = async () => {
    // PbxTestUa needs only the SIP port and the CA of the handle
    const handle = { ports: { sip: sipPort }, certificates: { caCertPem: ca.toString() } } as EmulatorHandle;
    const ua = await PbxTestUa.connect(handle, "3919209257", "s3cret-Trunk-1");
    expect((await ua.register()).status).toBe(200);
    return ua;
  };
  return { child, exited, call, connectPbx };
}

describe("kill -9 during a user import", () => {
  it("keeps acknowledged writes and leaves the import all or nothing", { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "upe-crash-"));
    try {
      const seed = writeTemp("seed.yaml", SEED);
      const first = await startEmulator(dir, seed);
      const tenants = await first.call("GET", "/api/admin/tenants");
      const acme = tenants.body.find((t: { name: string }) => t.name === "Acme").id as string;
      const users = `/api/admin/tenants/${acme}/users`;
      const before = await first.call(
        "POST",
        users,
        JSON.stringify({ emailAddress: "kept@acme.test", firstName: "Kept", lastName: "Before" }),
      );
      expect(before.status).toBe(201);
      await first.connectPbx();

      const wal = path.join(dir, "data", `${DATABASE_FILE}-wal`);
      const walBefore = statSync(wal).size;
      let answered = false;
      const importing = first.call("POST", `${users}/import?trunk=gtc-001`, importCsv(), "text/csv").then(
        () => (answered = true),
        () => undefined,
      );
      // A big transaction spills its pages to the WAL before it commits: kill once that has begun.
      while (statSync(wal).size < walBefore + 1024 * 1024 && !answered) await sleep(2);
      first.child.kill("SIGKILL");
      expect(await first.exited).toBe("SIGKILL");
      await importing;
      expect(answered).toBe(false);

      const second = await startEmulator(dir, seed);
      const after = await second.call("GET", `${users}?limit=1000`);
      expect(after.status).toBe(200);
      expect(after.body.items.map((u: { emailAddress: string }) => u.emailAddress)).toContain(
        "kept@acme.test",
      );
      // besides the import's rows: "kept" and the tenant's Administrator
      expect([0, ROWS]).toContain(after.body.total - 2);
      second.child.kill("SIGTERM");
      await second.exited;

      const db = new Database(path.join(dir, "data", DATABASE_FILE), { readonly: true });
      try {
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
