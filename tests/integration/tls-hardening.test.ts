import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { registerText, SipTestClient } from "../support/sip-test-client.js";
import { until } from "../support/until.js";
import {
  RawWsClient,
  startWsStack,
  type WsStack,
  optionsText as wsOptionsText,
} from "../support/ws-support.js";

let emulator: EmulatorHandle | undefined;
let wsStack: WsStack | undefined;
const peers: HalfOpen[] = [];
const wsClients: RawWsClient[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  for (const c of wsClients.splice(0)) c.close();
  await emulator?.close();
  emulator = undefined;
  await wsStack?.close();
  wsStack = undefined;
});

/**
 * A TCP peer that never finishes a TLS handshake. With `trickle` it announces a 16 KiB
 * ClientHello record and sends one byte of it every 50 ms: enough to keep an idle timer
 * from ever firing, never enough to complete.
 */
class HalfOpen {
  closedByServer = false;
  private readonly socket: net.Socket;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(port: number, trickle: boolean) {
    this.socket = net.connect({ host: "127.0.0.1", port });
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      this.closedByServer = true;
      clearInterval(this.timer);
    });
    if (trickle) {
      // Queued before any trickled byte: a handshake record header announcing 16 KiB.
      this.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00]));
      this.timer = setInterval(() => {
        if (this.socket.writable) this.socket.write(Buffer.from([0]));
      }, 50);
    }
    peers.push(this);
  }

  destroy(): void {
    clearInterval(this.timer);
    this.socket.destroy();
  }
}

async function healthz(e: EmulatorHandle): Promise<number> {
  const dispatcher = new Agent({ connect: { ca: e.certificates.caCertPem! } });
  try {
    const res = await request(`${e.urls.https}/healthz`, { dispatcher });
    await res.body.dump();
    return res.statusCode;
  } finally {
    await dispatcher.close();
  }
}

/** A REGISTER from a new TLS connection gets its digest challenge: the PBX got in. */
async function registerChallenged(e: EmulatorHandle): Promise<number> {
  const c = await SipTestClient.connectTls(e.ports.sip, { ca: e.certificates.caCertPem! });
  try {
    return (await c.request(registerText({ user: TRUNK.username, localPort: c.localPort }))).status;
  } finally {
    c.close();
  }
}

function optionsText(port: number): string {
  return [
    "OPTIONS sip:phoneapp.unify.com SIP/2.0",
    `Via: SIP/2.0/TLS 127.0.0.1:${port};branch=z9hG4bKflood1`,
    "Max-Forwards: 70",
    "From: <sip:probe@example.test>;tag=flood1",
    "To: <sip:phoneapp.unify.com>",
    "Call-ID: flood1",
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

type Handshake = { ok: true; protocol: string | null; cipher: string } | { ok: false; code: string };

function handshake(port: number, options: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false, ...options });
    s.once("secureConnect", () => {
      resolve({ ok: true, protocol: s.getProtocol(), cipher: s.getCipher().standardName });
      s.destroy();
    });
    s.once("error", (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? err.message }));
  });
}

describe("half-open TLS connections", () => {
  it("closes SIP connections that never finish the handshake, however slowly they trickle", async () => {
    emulator = await startTestEmulator({ sip: { port: 0, handshakeTimeoutMs: 300 } });
    const silent = Array.from({ length: 100 }, () => new HalfOpen(emulator!.ports.sip, false));
    const trickling = Array.from({ length: 100 }, () => new HalfOpen(emulator!.ports.sip, true));
    const all = [...silent, ...trickling];
    await until(
      () => all.every((p) => p.closedByServer),
      () => `all half-open connections closed (${all.filter((p) => !p.closedByServer).length} still open)`,
    );
    expect(await registerChallenged(emulator)).toBe(401);
  });

  it("lets a PBX in while half-open connections fill the connection limit, and keeps /healthz answering", async () => {
    emulator = await startTestEmulator({
      sip: { port: 0, handshakeTimeoutMs: 60_000, maxConnections: 20, maxConnectionsPerSource: 1000 },
    });
    const flood = Array.from({ length: 200 }, () => new HalfOpen(emulator!.ports.sip, true));
    // The oldest half-open connections made room for newer ones: 20 at most are held.
    await until(
      () => flood.filter((p) => p.closedByServer).length >= 180,
      "the flood to be cut to the connection limit",
    );
    expect(await healthz(emulator)).toBe(200);
    expect(await registerChallenged(emulator)).toBe(401);
  });

  it("holds at most --max-pending-handshakes TLS handshakes, and none for peers that send nothing", async () => {
    // Each socket in its handshake pins tens of KiB of native memory (issue 9: RSS 125 → 1,645 MB).
    emulator = await startTestEmulator({
      sip: { port: 0, handshakeTimeoutMs: 60_000, maxConnectionsPerSource: 1000, maxPendingHandshakes: 20 },
    });
    // Oldest first: were they given a TLS socket on accept, they would be the first to go.
    const silent = Array.from({ length: 30 }, () => new HalfOpen(emulator!.ports.sip, false));
    const trickling = Array.from({ length: 60 }, () => new HalfOpen(emulator!.ports.sip, true));
    await until(
      () => trickling.filter((p) => p.closedByServer).length >= 40,
      () =>
        `the handshakes to be cut to 20 (${trickling.filter((p) => p.closedByServer).length} of 60 closed)`,
    );
    expect(silent.filter((p) => p.closedByServer)).toHaveLength(0);
    expect(await registerChallenged(emulator)).toBe(401);
  });

  it("closes HTTPS connections that never finish the handshake, and caps them per source", async () => {
    emulator = await startTestEmulator({
      sip: { port: 0, handshakeTimeoutMs: 300, maxConnectionsPerSource: 5 },
    });
    const held = Array.from({ length: 5 }, () => new HalfOpen(emulator!.ports.https, true));
    await until(() => held.every((p) => p.closedByServer), "half-open HTTPS connections to be closed");
    expect(await healthz(emulator)).toBe(200);
  });

  it("refuses a sixth HTTPS connection from one address while five are held", async () => {
    emulator = await startTestEmulator({
      sip: { port: 0, handshakeTimeoutMs: 60_000, maxConnectionsPerSource: 5 },
    });
    const held = Array.from({ length: 5 }, () => new HalfOpen(emulator!.ports.https, true));
    const sixth = new HalfOpen(emulator.ports.https, true);
    await until(() => sixth.closedByServer, "the sixth HTTPS connection to be refused");
    expect(held.some((p) => p.closedByServer)).toBe(false);
    for (const p of held) p.destroy();
    await until(async () => (await healthz(emulator!).catch(() => 0)) === 200, "/healthz to answer again");
  });

  it("keeps /healthz and SIP registration working under floods of both ports at a low open-files limit", async () => {
    // Before the budget, SIP took descriptors up to the limit and HTTPS accept failed (EMFILE).
    const dir = mkdtempSync(path.join(tmpdir(), "upe-nofile-"));
    const child = spawn(
      "sh",
      [
        "-c",
        'ulimit -n 256 && exec "$0" --import tsx src/main.ts "$@"',
        process.execPath,
        ...["--sip-port", "0", "--https-port", "0", "--stun-port", "off", "--bind", "127.0.0.1"],
        ...["--max-connections-per-source", "5000", "--handshake-timeout", "60", "--ephemeral"],
      ],
      {
        cwd: path.resolve(import.meta.dirname, "../.."),
        env: { ...process.env, UPE_CERTS_DIR: path.join(dir, "certs"), UPE_LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await until(() => /ready: sip=\d+ https=\d+/.test(out) || child.exitCode !== null, "the ready line");
      const [, sip, https] = /ready: sip=(\d+) https=(\d+)/.exec(out) ?? [];
      expect(sip, out).toBeDefined();
      // 256 descriptors leave SIP 96 (see descriptorBudget): the oldest half-open ones go.
      const flood = Array.from({ length: 400 }, () => new HalfOpen(Number(sip), true));
      await until(
        () => flood.filter((p) => p.closedByServer).length >= 300,
        () => `the flood to be cut to the SIP share (${flood.filter((p) => p.closedByServer).length} closed)`,
      );
      const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
      const res = await request(`https://127.0.0.1:${https}/healthz`, { dispatcher });
      expect(res.statusCode).toBe(200);
      await res.body.dump();
      await dispatcher.close();
      const c = await SipTestClient.connectTls(Number(sip));
      expect((await c.request(optionsText(c.localPort))).status).toBe(200);
      c.close();
      // HTTPS holds 32 sockets at 256 descriptors: once a flood fills them, the oldest still in
      // its handshake makes room (before, every later connection was refused, /healthz too).
      const httpsFlood = Array.from({ length: 100 }, () => new HalfOpen(Number(https), true));
      await until(
        () => httpsFlood.filter((p) => p.closedByServer).length >= 68,
        () => `the HTTPS flood to be cut (${httpsFlood.filter((p) => p.closedByServer).length} closed)`,
      );
      const again = new Agent({ connect: { rejectUnauthorized: false } });
      const during = await request(`https://127.0.0.1:${https}/healthz`, { dispatcher: again });
      expect(during.statusCode).toBe(200);
      await during.body.dump();
      await again.close();
    } finally {
      for (const p of peers.splice(0)) p.destroy();
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});

/**
 * Connects with TLS 1.2, asks for a renegotiation and waits until the server has closed the
 * connection; returns whether the renegotiation succeeded.
 */
async function renegotiateTls12(port: number, ca: string, servername: string): Promise<boolean> {
  const s = tls.connect({ host: "127.0.0.1", port, ca, servername, maxVersion: "TLSv1.2" });
  s.on("error", () => {});
  await new Promise((resolve) => s.once("secureConnect", resolve));
  let renegotiated = false;
  s.renegotiate({ rejectUnauthorized: false }, (err) => {
    if (!err) renegotiated = true;
  });
  await until(() => s.destroyed || s.readyState === "closed", "the connection to be closed");
  return renegotiated;
}

describe("TLS settings", () => {
  it("refuses TLS 1.2 renegotiation on the SIP port and closes the connection", async () => {
    emulator = await startTestEmulator();
    const c = await SipTestClient.connectTls(emulator.ports.sip, { ca: emulator.certificates.caCertPem! });
    const socket = c.socket as tls.TLSSocket;
    expect(socket.getProtocol()).toBe("TLSv1.3");
    c.close();

    expect(
      await renegotiateTls12(emulator.ports.sip, emulator.certificates.caCertPem!, "phoneapp.unify.com"),
    ).toBe(false);
  });

  it("refuses TLS 1.2 renegotiation on the HTTPS port", async () => {
    emulator = await startTestEmulator();
    expect(await renegotiateTls12(emulator.ports.https, emulator.certificates.caCertPem!, "localhost")).toBe(
      false,
    );
  });

  it("offers only ECDHE with AEAD ciphers on TLS 1.2, on both ports", async () => {
    emulator = await startTestEmulator();
    for (const port of [emulator.ports.sip, emulator.ports.https]) {
      const tls12 = { maxVersion: "TLSv1.2" as const };
      // Static RSA key transport and CBC with SHA-1 are gone.
      expect(await handshake(port, { ...tls12, ciphers: "AES128-SHA:AES256-GCM-SHA384" })).toMatchObject({
        ok: false,
      });
      expect(
        await handshake(port, { ...tls12, ciphers: "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA" }),
      ).toMatchObject({
        ok: false,
      });
      expect(await handshake(port, { ...tls12, ciphers: "ECDHE-RSA-AES128-GCM-SHA256" })).toMatchObject({
        ok: true,
        protocol: "TLSv1.2",
        cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      });
      expect(await handshake(port, { ...tls12, ciphers: "ECDHE-ECDSA-CHACHA20-POLY1305" })).toMatchObject({
        ok: true,
        cipher: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      });
      expect(await handshake(port, {})).toMatchObject({ ok: true, protocol: "TLSv1.3" });
    }
  });

  it("takes another cipher list from --tls-ciphers, to reproduce an old peer", async () => {
    emulator = await startTestEmulator({ sip: { port: 0, tls: { ciphers: "AES128-SHA" } } });
    expect(
      await handshake(emulator.ports.sip, { maxVersion: "TLSv1.2", ciphers: "AES128-SHA" }),
    ).toMatchObject({ ok: true, cipher: "TLS_RSA_WITH_AES_128_CBC_SHA" });
  });
});

describe("the WebSocket endpoint", () => {
  async function wsConnect(stack: WsStack): Promise<RawWsClient> {
    const client = await RawWsClient.connect(stack.port, stack.ca);
    wsClients.push(client);
    return client;
  }

  it("refuses upgrades beyond its own cap with 503, keeping room on the HTTPS port", async () => {
    wsStack = await startWsStack({ maxConnections: 2 });
    const open = [await wsConnect(wsStack), await wsConnect(wsStack)];
    expect(open.map((c) => c.status)).toEqual([101, 101]);
    expect((await wsConnect(wsStack)).status).toBe(503);
    open[0]!.close();
    await until(() => wsStack!.stack.transport.connections.size === 1, "the closed one to be forgotten");
    expect((await wsConnect(wsStack)).status).toBe(101);
  });

  it("answers upgrades 503 once shutdown has begun, while open connections still carry SIP", async () => {
    wsStack = await startWsStack();
    const open = await wsConnect(wsStack);
    wsStack.listener.stopAccepting();
    expect((await wsConnect(wsStack)).status).toBe(503);
    expect((await open.request(wsOptionsText("after-stop"))).status).toBe(200);
  });
});
