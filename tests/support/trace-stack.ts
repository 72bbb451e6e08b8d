import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { installErrorHandler } from "../../src/api/error-handler.js";
import { authHooks } from "../../src/api/index.js";
import { traceHttp } from "../../src/api/plugins/trace-hook.js";
import { traceRoutes } from "../../src/api/routes/trace.js";
import { problemSchema } from "../../src/api/schemas/common.js";
import { AdminToken, AuthLockout } from "../../src/auth/index.js";
import { type CertificateSet, ensureCertificates } from "../../src/certs/index.js";
import { ControllableClock, SystemClock } from "../../src/shared/clock.js";
import { createLogger } from "../../src/shared/logger.js";
import { SipRouter, SipStack } from "../../src/sip/core/index.js";
import { createResponse } from "../../src/sip/message/index.js";
import type { TransportLimits } from "../../src/sip/transport/index.js";
import { TlsKeyLog, type TraceOwner, TraceRecorder } from "../../src/traces/index.js";

export const ADMIN_TOKEN = "trace-test-admin-token";
export const TRUNK_OWNER: TraceOwner = { tenantId: "t-acme", trunkId: "tr-1", trunkName: "gtc-001" };

const LIMITS: TransportLimits = {
  maxMessageSize: 65_536,
  maxHeaders: 128,
  maxConnectionsPerSource: 64,
  maxConnections: 1000,
  idleTimeoutMs: 3_700_000,
  partialMessageTimeoutMs: 10_000,
};

let certs: Promise<CertificateSet> | undefined;

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "upe-trace-"));
}

export interface TraceStack {
  /** TLS, plain TCP and UDP SIP ports on 127.0.0.1. */
  readonly ports: { readonly tls: number; readonly tcp: number; readonly udp: number };
  readonly ca: string;
  readonly recorder: TraceRecorder;
  readonly clock: ControllableClock;
  /** The trace routes (and the HTTP trace hook) on a fastify app, for `inject`. */
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The SIP stack wired the way the emulator wires it (transport → transactions → router),
 * the trace recorder tapped into its transport, and the trace routes. REGISTER is answered
 * 200 and makes its connection belong to TRUNK_OWNER, as a registrar binding would.
 */
export async function startTraceStack(
  options: { keylog?: string; traceFile?: string } = {},
): Promise<TraceStack> {
  certs ??= ensureCertificates({ dir: tempDir(), hosts: ["phoneapp.unify.com", "localhost", "127.0.0.1"] });
  const set = await certs;
  const log = createLogger("silent");
  const clock = new ControllableClock({ frozen: true });
  const owners = new Map<string, TraceOwner>();
  const recorder = new TraceRecorder({
    capacity: 10_000,
    clock,
    resolve: (id) => owners.get(id),
    ...(options.traceFile ? { file: options.traceFile } : {}),
  });
  const router = new SipRouter(log);
  router.on("REGISTER", (tx) => {
    owners.set(tx.connection.id, TRUNK_OWNER);
    const ok = createResponse(tx.request, 200, "OK");
    ok.headers.set("contact", `${tx.request.headers.get("contact")};expires=600`);
    tx.respond(ok);
  });
  const stack = new SipStack(LIMITS, new SystemClock(), router, log);
  stack.transport.tap = recorder.tap;
  const keylog = options.keylog ? new TlsKeyLog(options.keylog) : undefined;
  const tls = await stack.transport.listenTls({
    host: "127.0.0.1",
    port: 0,
    key: set.keyPem,
    cert: set.certPem,
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.3",
    ciphers: null,
    handshakeTimeoutMs: 5000,
    ...(keylog ? { onKeylog: (line: Buffer) => keylog.write(line) } : {}),
  });
  const tcp = await stack.transport.listenTcp({ host: "127.0.0.1", port: 0 });
  const udp = await stack.transport.listenUdp({ host: "127.0.0.1", port: 0 });

  // The validation settings of the emulator's own app (src/api/http-server.ts).
  const app = Fastify({
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, allowUnionTypes: true },
    },
  });
  app.addSchema(problemSchema);
  installErrorHandler(app);
  const auth = authHooks({
    adminToken: AdminToken.init({
      configured: ADMIN_TOKEN,
      settings: { get: () => undefined, set: () => {} },
      dataDir: null,
    }),
    findTenantByApiKey: () => undefined,
    lockout: new AuthLockout(clock, { maxFailures: 100, lockoutMs: 60_000 }),
  });
  traceHttp(app, recorder);
  traceRoutes(app, { auth, trace: recorder });
  await app.ready();

  return {
    ports: { tls: tls.port, tcp: tcp.port, udp: udp.port },
    ca: set.caCertPem,
    recorder,
    clock,
    app,
    close: async () => {
      await app.close();
      await stack.shutdown(0);
      keylog?.close();
      await recorder.close();
      clock.dispose();
    },
  };
}

function branch(): string {
  return `z9hG4bK${randomBytes(6).toString("hex")}`;
}

/** An OPTIONS as a PBX probes with; the Via has `rport`, so the server stamps it on receipt. */
export function optionsText(callId: string, localPort: number, transport = "TLS"): string {
  return [
    "OPTIONS sip:phoneapp.unify.com SIP/2.0",
    `Via: SIP/2.0/${transport} 127.0.0.1:${localPort};branch=${branch()};rport`,
    "Max-Forwards: 70",
    `From: <sip:probe@example.test>;tag=${callId}`,
    "To: <sip:phoneapp.unify.com>",
    `Call-ID: ${callId}`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}
