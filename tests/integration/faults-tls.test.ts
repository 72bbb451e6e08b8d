import tls from "node:tls";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type CertificateAndKey,
  createCertificateAuthority,
  issueServerCertificate,
} from "../../src/certs/index.js";
import {
  FaultCertificates,
  FaultEngine,
  type FaultHitEvent,
  SipFaultGate,
  TlsFaultGate,
} from "../../src/faults/index.js";
import { ControllableClock, SystemClock } from "../../src/shared/clock.js";
import { SipRouter, SipStack } from "../../src/sip/core/index.js";
import type { TransportEvent } from "../../src/sip/transport/index.js";

const HOSTS = ["phoneapp.unify.com", "127.0.0.1"];
const LIMITS = {
  maxMessageSize: 65_536,
  maxHeaders: 200,
  maxConnectionsPerSource: 50,
  maxConnections: 500,
  idleTimeoutMs: 60_000,
  partialMessageTimeoutMs: 10_000,
};
/** A client that can only verify an ECDSA P-256 certificate (TLS 1.2 and 1.3 alike). */
const ECDSA_ONLY: tls.ConnectionOptions = { sigalgs: "ecdsa_secp256r1_sha256" };
/** Long enough to see that no handshake completes; nothing asserts how long anything takes. */
const QUIET_MS = 300;

let ca: CertificateAndKey;
let engine: FaultEngine;
let stack: SipStack;
let port: number;
const hits: FaultHitEvent[] = [];

beforeAll(async () => {
  ca = createCertificateAuthority();
  const server = issueServerCertificate(ca, { hosts: HOSTS });
  // RSA and its ECDSA twin, as the emulator serves them.
  const ecServer = issueServerCertificate(ca, { hosts: HOSTS, keyType: "ec" });
  engine = new FaultEngine(new ControllableClock({ frozen: true }));
  engine.onHit((e) => hits.push(e));
  const log = pino({ level: "silent" });
  const tlsFaults = new TlsFaultGate(engine, new FaultCertificates({ ca, hosts: HOSTS }));
  const sipFaults = new SipFaultGate(engine, { timers: new SystemClock() });
  stack = new SipStack(LIMITS, new SystemClock(), new SipRouter(log), log, sipFaults);
  ({ port } = await stack.transport.listenTls({
    host: "127.0.0.1",
    port: 0,
    key: [server.keyPem, ecServer.keyPem],
    cert: [server.certPem, ecServer.certPem],
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.3",
    ciphers: null,
    handshakeTimeoutMs: 5000,
    tlsFaults,
    sipFaults,
  }));
});

afterAll(() => stack.shutdown(0));

beforeEach(() => {
  engine.clear();
  hits.length = 0;
});

type Outcome = { ok: true; protocol: string | null; socket: tls.TLSSocket } | { ok: false; code: string };

/** A TLS handshake as a PBX that trusts the emulator CA does it. */
function handshake(options: tls.ConnectionOptions = {}, quietMs?: number): Promise<Outcome | "no answer"> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port,
      servername: "phoneapp.unify.com",
      ca: ca.certPem,
      ...options,
    });
    const timer =
      quietMs === undefined
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            resolve("no answer");
          }, quietMs);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      resolve({ ok: true, protocol: socket.getProtocol(), socket });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, code: error.code ?? error.message });
    });
  });
}

async function expectOk(options: tls.ConnectionOptions = {}): Promise<string | null> {
  const outcome = await handshake(options);
  if (outcome === "no answer" || !outcome.ok) throw new Error(`handshake failed: ${JSON.stringify(outcome)}`);
  outcome.socket.destroy();
  return outcome.protocol;
}

describe("TLS faults on the SIP listener", () => {
  it("without a rule, handshakes with the emulator's certificate (TLS 1.3)", async () => {
    expect(await expectOk()).toBe("TLSv1.3");
  });

  it("refuses the handshake: the connection is dropped on accept", async () => {
    const id = engine.add({
      layer: "tls",
      match: { remoteAddress: "127.0.0.1" },
      action: { type: "refuse" },
    }).id;
    expect(await handshake()).toEqual({ ok: false, code: "ECONNRESET" });
    expect(engine.get(id)?.hits).toBe(1);
    expect(hits[0]).toMatchObject({ point: "tls.accept", action: "refuse" });
    expect(hits[0]?.detail).toMatch(/^refuse: connection from 127\.0\.0\.1:\d+$/);
  });

  it("does not touch peers the rule does not match", async () => {
    engine.add({ layer: "tls", match: { remoteAddress: "192.0.2.7" }, action: { type: "refuse" } });
    expect(await expectOk()).toBe("TLSv1.3");
  });

  it("presents an expired certificate: CERT_HAS_EXPIRED", async () => {
    engine.add({ layer: "tls", action: { type: "expired-certificate" } });
    expect(await handshake()).toEqual({ ok: false, code: "CERT_HAS_EXPIRED" });
  });

  it("presents a certificate for another host: ERR_TLS_CERT_ALTNAME_INVALID", async () => {
    engine.add({ layer: "tls", action: { type: "wrong-host-certificate", host: "other.example" } });
    expect(await handshake()).toEqual({ ok: false, code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    const accepted = await handshake({ checkServerIdentity: () => undefined });
    expect(accepted).toMatchObject({ ok: true });
    if (accepted !== "no answer" && accepted.ok) {
      expect(accepted.socket.getPeerCertificate().subjectaltname).toBe("DNS:other.example");
      accepted.socket.destroy();
    }
  });

  it("presents a certificate from an untrusted CA: UNABLE_TO_VERIFY_LEAF_SIGNATURE", async () => {
    engine.add({ layer: "tls", action: { type: "untrusted-certificate" } });
    expect(await handshake()).toEqual({ ok: false, code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  it.each([
    ["expired-certificate", {}, "CERT_HAS_EXPIRED"],
    ["untrusted-certificate", {}, "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
    ["wrong-host-certificate", { host: "other.example" }, "ERR_TLS_CERT_ALTNAME_INVALID"],
  ] as const)("presents the %s fault to a client that offers only ECDSA", async (type, fields, code) => {
    engine.add({ layer: "tls", action: { type, ...fields } });
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      expect(await handshake({ ...ECDSA_ONLY, minVersion: version, maxVersion: version })).toEqual({
        ok: false,
        code,
      });
    }
  });

  it("limits the TLS version for a client that offers only ECDSA: a protocol version alert", async () => {
    engine.add({ layer: "tls", action: { type: "limit-version", maxVersion: "TLSv1.2" } });
    expect(await handshake({ ...ECDSA_ONLY, minVersion: "TLSv1.3" })).toEqual({
      ok: false,
      code: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
    });
    const accepted = await handshake(ECDSA_ONLY);
    expect(accepted).toMatchObject({ ok: true, protocol: "TLSv1.2" });
    if (accepted !== "no answer" && accepted.ok) {
      expect(accepted.socket.getPeerX509Certificate()?.publicKey.asymmetricKeyType).toBe("ec");
      accepted.socket.destroy();
    }
  });

  it("limits the TLS version: a TLS 1.3-only client fails, others settle for TLS 1.2", async () => {
    engine.add({ layer: "tls", action: { type: "limit-version", maxVersion: "TLSv1.2" } });
    const strict = await handshake({ minVersion: "TLSv1.3" });
    expect(strict).toMatchObject({ ok: false });
    expect(await expectOk()).toBe("TLSv1.2");
  });

  it("stalls the handshake: TCP is accepted, no handshake completes", async () => {
    engine.add({ layer: "tls", action: { type: "stall" }, when: { firstN: 1 } });
    expect(await handshake({}, QUIET_MS)).toBe("no answer");
    expect(await expectOk()).toBe("TLSv1.3");
  });

  it("targets TLS faults like any other: every second connection is refused", async () => {
    engine.add({ layer: "tls", action: { type: "refuse" }, when: { everyNth: 2 } });
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      const outcome = await handshake();
      if (outcome !== "no answer" && outcome.ok) outcome.socket.destroy();
      outcomes.push(outcome !== "no answer" && outcome.ok);
    }
    expect(outcomes).toEqual([true, false, true, false]);
  });

  it("drops the connection and reports a TLS fault that cannot be applied", async () => {
    const failing = new TlsFaultGate(engine, {
      get: () => {
        throw new Error("no key material");
      },
    } as unknown as FaultCertificates);
    const log = pino({ level: "silent" });
    const local = new SipStack(LIMITS, new SystemClock(), new SipRouter(log), log);
    const seen: TransportEvent[] = [];
    local.onTransportEvent = (event) => seen.push(event);
    const server = issueServerCertificate(ca, { hosts: HOSTS });
    const address = await local.transport.listenTls({
      host: "127.0.0.1",
      port: 0,
      key: server.keyPem,
      cert: server.certPem,
      minVersion: "TLSv1.2",
      maxVersion: "TLSv1.3",
      ciphers: null,
      handshakeTimeoutMs: 5000,
      tlsFaults: failing,
    });
    engine.add({ layer: "tls", action: { type: "expired-certificate" } });
    const saved = port;
    port = address.port;
    try {
      expect(await handshake()).toMatchObject({ ok: false });
    } finally {
      port = saved;
      await local.shutdown(0);
    }
    expect(seen).toEqual([
      expect.objectContaining({ type: "tls-error", message: "TLS accept failed: no key material" }),
    ]);
  });
});
