import { spawn } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../src/index.js";
import { spawnCli } from "../support/cli-process.js";
import { DEFAULT_SEED, startTestEmulator, TRUNK, writeTemp } from "../support/emulator.js";
import { registerText, SipTestClient } from "../support/sip-test-client.js";

const insecure = { connect: { rejectUnauthorized: false } };

async function getJson(url: string, ca: string) {
  const { Agent } = await import("undici");
  const res = await request(url, { dispatcher: new Agent({ connect: { ca } }) });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe("start and stop", () => {
  it("starts several emulators in parallel on port 0 and reports the chosen ports", async () => {
    const all = await Promise.all([startTestEmulator(), startTestEmulator(), startTestEmulator()]);
    try {
      const sipPorts = new Set(all.map((e) => e.ports.sip));
      expect(sipPorts.size).toBe(3);
      for (const e of all) {
        expect(e.ports.sip).toBeGreaterThan(0);
        expect(e.ports.https).toBeGreaterThan(0);
        expect(e.ports.stun).toBeGreaterThan(0);
        const ready = await getJson(`${e.urls.https}/readyz`, e.certificates.caCertPem!);
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({
          status: "ready",
          components: {
            sip: { state: "up" },
            https: { state: "up" },
            stun: { state: "up" },
            store: { state: "up" },
          },
        });
        const live = await getJson(`${e.urls.https}/healthz`, e.certificates.caCertPem!);
        expect(live).toMatchObject({ status: 200, body: { status: "ok" } });
      }
    } finally {
      await Promise.all(all.map((e) => e.close()));
    }
  });

  it("close() frees the ports and can be called twice", async () => {
    const e = await startTestEmulator();
    await Promise.all([e.close(), e.close()]);
    await expect(SipTestClient.connectTls(e.ports.sip)).rejects.toThrow();
  });

  it("keeps seeded data and the CA across a restart (persistent data dir)", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "upe-data-"));
    const certsDir = mkdtempSync(path.join(tmpdir(), "upe-certs-"));
    const base = {
      bind: "127.0.0.1",
      dataDir,
      certsDir,
      logLevel: "silent" as const,
      httpsPort: 0,
      stunPort: 0,
      sip: { port: 0 },
    };
    const first = await startEmulator({ ...base, seed: writeTemp("seed.yaml", DEFAULT_SEED) });
    const fingerprint = first.certificates.caFingerprint;
    await first.close();
    expect(statSync(path.join(dataDir, "emulator.db")).mode & 0o777).toBe(0o600);

    const second = await startEmulator(base);
    try {
      expect(second.certificates.caFingerprint).toBe(fingerprint);
      expect(second.store.trunks.getByUsername(TRUNK.username)).toMatchObject({ password: TRUNK.password });
      const c = await SipTestClient.connectTls(second.ports.sip, { ca: second.certificates.caCertPem! });
      const res = await c.request(registerText({ user: TRUNK.username, localPort: c.localPort }));
      expect(res.status).toBe(401);
      c.close();
    } finally {
      await second.close();
    }
  });

  it("reports not ready while shutting down", async () => {
    const e = await startTestEmulator({ httpPort: 0 });
    const closing = e.close();
    await closing;
    await expect(request(`${e.urls.http}/readyz`)).rejects.toThrow();
  });
});

describe("command line", () => {
  it("prints the banner with the bound ports, serves, and exits 0 on SIGTERM", async () => {
    const cli = spawnCli(["--sip-port", "0", "--https-port", "0", "--stun-port", "0", "--bind", "127.0.0.1"]);
    const { sip, https } = await cli.ready();
    const out = cli.output();
    const { child, dir, exited } = cli;
    expect(out).toContain(`CA certificate ${path.join(dir, "certs", "ca.pem")}`);
    expect(sip).toBeGreaterThan(0);
    const res = await request(`https://127.0.0.1:${https}/readyz`, {
      dispatcher: new (await import("undici")).Agent(insecure),
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("README's first command: `npx unify-phone-emulator` runs the package's bin, executable as npm ci built it", async () => {
    const root = path.resolve(import.meta.dirname, "../..");
    // npm ci runs `prepare` (the build), which must leave the bin executable: npx runs it by its shebang.
    const child = spawn("npx", ["--no-install", "unify-phone-emulator", "--help"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(out).toContain("Usage: unify-phone-emulator");
    expect(code).toBe(0);
  });

  it("rejects a bad flag value with a clear one-line error and exit code 2", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "--sip-port", "70000"], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('--sip-port: not a port number: "70000"');
  });
});
