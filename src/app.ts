import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type ApiContext, authHooks, buildHttpApp } from "./api/index.js";
import { AdminToken, AuthLockout } from "./auth/index.js";
import { B2bua } from "./b2bua/index.js";
import { type CertificateSet, ensureCertificates, loadTlsFiles } from "./certs/index.js";
import { type EmulatorConfig, type EmulatorOptions, resolveConfig } from "./config/index.js";
import {
  applySeedFaults,
  FaultCertificates,
  FaultEngine,
  RtpFaultGate,
  SipFaultGate,
  TlsFaultGate,
} from "./faults/index.js";
import { MediaEngine } from "./media/index.js";
import {
  type Binding,
  ClientRegistrar,
  isClientAor,
  Registrar,
  type TrunkStatusEvent,
} from "./registrar/index.js";
import { EmulatorClient } from "./rest-client/index.js";
import { ScenarioCatalog, ScenarioRunner } from "./scenarios/index.js";
import { applySeed, loadSeedFile, seedAfter, seedClock, weakSeedKeys } from "./seed/index.js";
import {
  applySeedJwt,
  CallService,
  ClientCredentialService,
  ClockService,
  ConnectorService,
  DiagnoseService,
  type FaultHitView,
  JwtService,
  TenantService,
  UserService,
} from "./services/index.js";
import { type Clock, ControllableClock, SystemClock } from "./shared/clock.js";
import { descriptorBudget, openFilesLimit } from "./shared/descriptor-budget.js";
import { Listeners } from "./shared/listeners.js";
import { createLogger } from "./shared/logger.js";
import { Readiness } from "./shared/readiness.js";
import { SipRouter, SipStack } from "./sip/core/index.js";
import { openStore, type Store } from "./store/index.js";
import { StunServer } from "./stun/index.js";
import { TlsKeyLog, TraceRecorder } from "./traces/index.js";
import { WebhookDispatcher } from "./webhooks/index.js";

export interface EmulatorPorts {
  readonly sip: number;
  readonly https: number;
  readonly http: number | null;
  readonly stun: number | null;
  readonly sipTcp: number | null;
  readonly sipUdp: number | null;
}

/** What `startEmulator` gives a test suite or the CLI. */
export interface EmulatorHandle {
  readonly config: EmulatorConfig;
  readonly ports: EmulatorPorts;
  readonly urls: { readonly https: string; readonly http: string | null; readonly sip: string };
  readonly certificates: {
    readonly caCertPath: string | null;
    readonly caCertPem: string | null;
    readonly caFingerprint: string | null;
  };
  /** Emulator time: bindings, nonces and (later) JWT status follow it. */
  readonly clock: ControllableClock;
  readonly store: Store;
  /**
   * The admin bearer token when this start knows it in clear: given by config, or
   * generated now (first start). Null when an earlier start generated it (see `adminTokenFile`).
   */
  readonly adminToken: string | null;
  /** Where a generated admin token was written (0600), if anywhere. */
  readonly adminTokenFile: string | null;
  /** A typed REST client for this emulator (admin token included when known). */
  readonly client: EmulatorClient;
  /** Current registrations of every trunk. */
  bindings(): Binding[];
  /** Subscribe to trunk availability changes; returns an unsubscribe function. */
  onTrunkStatus(listener: (event: TrunkStatusEvent) => void): () => void;
  close(): Promise<void>;
}

export interface StartOptions extends EmulatorOptions {
  /** Logger to use instead of one built from `logLevel`. */
  readonly logger?: Logger;
  /**
   * Clock of the SIP protocol timers (transactions, 2xx retransmission); real time unless
   * a test injects a frozen one to step through RFC 3261 timers.
   */
  readonly protocolClock?: Clock;
}

/**
 * The composition root: builds every module, wires them by constructor injection and
 * starts the listeners. Nothing else knows all the modules.
 */
export async function startEmulator(options: StartOptions = {}): Promise<EmulatorHandle> {
  const { logger, protocolClock, ...rest } = options;
  const config = resolveConfig(rest);
  const log = logger ?? createLogger(config.logLevel);
  const readiness = new Readiness();
  const startedAt = Date.now();
  const clock = new ControllableClock();
  const trunkStatus = new Listeners<TrunkStatusEvent>();
  const cleanup: Array<() => Promise<void> | void> = [];

  try {
    const faults = new FaultEngine(clock);
    readiness.set("store", "starting");
    const store = openStore({ dataDir: config.dataDir, ephemeral: config.ephemeral, clock });
    cleanup.push(() => store.close());
    const loaded = config.seed ? loadSeedFile(config.seed) : undefined;
    let seed = loaded;
    if (loaded) {
      const start = seedClock(loaded);
      if (start) clock.setState(start);
      // --seed-mode create (default) keeps what the API changed since (a rotated key…).
      const applied = applySeed(store, loaded, { clock, mode: config.seedMode });
      seed = seedAfter(loaded, applied, config.seedMode);
      applySeedFaults(faults, loaded);
      for (const tenant of weakSeedKeys(loaded)) {
        log.warn(
          { tenant },
          "seed API key is easy to guess: fine for a test fixture, not on a reachable emulator",
        );
      }
    }
    const adminToken = AdminToken.init({
      configured: config.adminToken,
      settings: store.settings,
      dataDir: config.ephemeral ? null : config.dataDir,
    });
    readiness.set("store", "up", config.ephemeral ? "in memory" : config.dataDir);

    const { tls, certificates, caKeyPath } = await loadCertificates(config);
    // Each listener gets its share of the descriptor limit: a SIP flood cannot starve HTTPS.
    const budget = descriptorBudget({
      openFiles: openFilesLimit(),
      rtpPorts: config.rtpPorts.max - config.rtpPorts.min + 1,
      configuredSip: config.sip.maxConnections,
    });
    if (config.sip.maxConnections !== null && config.sip.maxConnections > budget.sip)
      log.warn({ ...budget }, `--max-connections lowered to ${budget.sip} to fit the open-files limit`);
    const sipLimits = { ...config.sip, maxConnections: budget.sip };
    const httpLimits = {
      maxConnections: budget.https,
      maxConnectionsPerSource: config.sip.maxConnectionsPerSource,
      handshakeTimeoutMs: config.sip.handshakeTimeoutMs,
    };

    const router = new SipRouter(log.child({ component: "sip" }));
    const registrar = new Registrar(
      { realm: config.domain, ...config.registrar },
      { findByUsername: (username) => store.trunks.getByUsername(username) },
      clock,
      trunkStatus,
    );
    const users = new UserService(store);
    const clientRegistrar = new ClientRegistrar(
      { realm: config.domain, ...config.registrar, maxContactsPerUser: 10 },
      { findClientAccount: (userId) => clientCredentials.findClientAccount(userId) },
      clock,
    );
    const clientCredentials = new ClientCredentialService(
      users,
      store.clientCredentials,
      { realm: config.domain, clock },
      { dropUser: (userId, reason) => clientRegistrar.bindings.removeUser(userId, reason) },
    );
    // One REGISTER method, two kinds of AOR: Unify Phone clients (sip:us_…) and PBX trunks.
    router.on("REGISTER", (tx) =>
      isClientAor(tx.request.to.uri) ? clientRegistrar.handleRegister(tx) : registrar.handleRegister(tx),
    );
    trunkStatus.on((e) =>
      log.info({ trunkId: e.trunkId, status: e.status, reason: e.reason }, "connector status"),
    );
    // The wire says "wrong password" for unknown trunk users too (no enumeration); the log says why.
    registrar.unknownAccounts.on((a) =>
      log.info({ remote: a.remote, status: a.status }, `REGISTER refused: ${a.reason}`),
    );

    // Faults act where they really happen: SIP in/out, the TLS accept, HTTP, RTP.
    const sipFaults = new SipFaultGate(faults, {
      timers: new SystemClock(),
      subjects: (message, connection) => {
        const sole = registrar.bindings.soleOwnerOnConnection(connection.id);
        const trunk =
          sole !== undefined
            ? store.trunks.get(sole)
            : message.kind === "request" && message.method === "REGISTER"
              ? store.trunks.getByUsername(message.to.uri.user ?? "")
              : undefined;
        if (!trunk) return {};
        const tenant = store.tenants.get(trunk.tenantId);
        return {
          trunk: [trunk.id, trunk.name, trunk.username],
          tenant: tenant ? [tenant.id, tenant.name] : [trunk.tenantId],
        };
      },
    });
    const stack = new SipStack(
      sipLimits,
      protocolClock ?? new SystemClock(),
      router,
      log.child({ component: "sip" }),
      sipFaults,
    );
    stack.connectionClosed.on(({ connection, reason }) => {
      registrar.connectionClosed(connection.id, reason);
      clientRegistrar.connectionClosed(connection.id, reason);
    });
    const trace = new TraceRecorder({
      capacity: config.traceBuffer,
      clock,
      ...(config.traceFile ? { file: config.traceFile } : {}),
      resolve: (connectionId) => {
        const sole = registrar.bindings.soleOwnerOnConnection(connectionId);
        const trunk = sole === undefined ? undefined : store.trunks.get(sole);
        return trunk && { tenantId: trunk.tenantId, trunkId: trunk.id, trunkName: trunk.name };
      },
      resolveCall: (callId) => {
        const call = b2bua.journal.get(callId);
        return (
          call && {
            tenantId: call.tenantId,
            trunkId: call.trunkId,
            trunkName: call.trunkName,
            sipCallIds: call.legs.map((l) => l.callId),
          }
        );
      },
      onFileError: (err) => log.warn({ err }, "trace file write failed"),
    });
    cleanup.push(() => trace.close());
    let lastFaultHit:
      | { faultId: string; name?: string; at: number; action: string; point: string }
      | undefined;
    faults.onHit((e) => {
      lastFaultHit = e;
      trace.recordFault(e);
    });
    if (config.traceBuffer > 0 || config.traceFile) stack.transport.tap = trace.tap;
    const keylog = config.tlsKeylog ? new TlsKeyLog(config.tlsKeylog) : undefined;
    if (keylog) cleanup.push(() => keylog.close());
    cleanup.push(async () => {
      await stack.shutdown(config.shutdownGraceMs);
      registrar.bindings.clear();
      clientRegistrar.bindings.clear();
    });
    readiness.set("sip", "starting");
    const sip = await stack.transport.listenTls({
      host: config.bind,
      port: config.sip.port,
      key: tls.key,
      cert: tls.cert,
      minVersion: config.sip.tls.minVersion,
      maxVersion: config.sip.tls.maxVersion,
      ciphers: config.sip.tls.ciphers,
      handshakeTimeoutMs: config.sip.handshakeTimeoutMs,
      sipFaults,
      tlsFaults: new TlsFaultGate(
        faults,
        new FaultCertificates({
          hosts: [...config.certHosts],
          ...(certificates.caCertPem && caKeyPath
            ? { ca: { certPem: certificates.caCertPem, keyPem: readFileSync(caKeyPath, "utf8") } }
            : {}),
        }),
      ),
      ...(keylog ? { onKeylog: (line: Buffer) => keylog.write(line) } : {}),
    });
    readiness.set("sip", "up", `tls ${sip.port}`);

    const media = new MediaEngine({
      host: config.host,
      bind: config.bind,
      portRange: config.rtpPorts,
      rtcpIntervalMs: config.rtcpIntervalMs,
      faults: new RtpFaultGate(faults, { timers: new SystemClock() }),
      log: (event, detail) => log.debug({ ...detail }, `media: ${event}`),
    });
    const b2bua = new B2bua({
      store,
      bindings: registrar.bindings,
      clients: clientRegistrar.bindings,
      connections: stack.transport.connections,
      transactions: stack.transactions,
      media,
      clock,
      timers: new SystemClock(),
      host: config.host,
      sipPort: sip.port,
      domain: config.domain,
      inboundRequestUri: config.inboundRequestUri,
      log: log.child({ component: "b2bua" }),
    });
    b2bua.install(router);
    b2bua.events.on((e) => trace.recordCall(e));
    const webhook = new WebhookDispatcher({
      clock,
      findCall: (callId) => b2bua.journal.get(callId),
      log: log.child({ component: "webhook" }),
    });
    cleanup.push(() => webhook.close());
    b2bua.events.on((e) => webhook.callEvent(e));
    trunkStatus.on((e) => webhook.connectorStatus(e));
    if (config.webhookUrl) {
      webhook.configure({
        url: config.webhookUrl,
        ...(config.webhookSecret ? { secret: config.webhookSecret } : {}),
      });
    }
    stack.connectionClosed.on(({ connection, reason }) => b2bua.connectionClosed(connection, reason));
    cleanup.push(async () => {
      await b2bua.close();
      await media.close();
    });
    const sipTcp =
      config.sip.tcpPort === null
        ? null
        : (await stack.transport.listenTcp({ host: config.bind, port: config.sip.tcpPort })).port;
    const sipUdp =
      config.sip.udpPort === null
        ? null
        : (await stack.transport.listenUdp({ host: config.bind, port: config.sip.udpPort })).port;

    let stunPort: number | null = null;
    if (config.stunPort === null) readiness.set("stun", "disabled");
    else {
      const stun = new StunServer({
        log: (event, detail) => log.debug({ ...detail }, `stun: ${event}`),
        rateLimit: { perSecond: config.stunRateLimit },
      });
      cleanup.push(() => stun.close());
      stunPort = (await stun.listen({ host: config.bind, port: config.stunPort })).port;
      readiness.set("stun", "up", `udp ${stunPort}`);
    }

    const httpLockout = new AuthLockout(clock, {
      maxFailures: config.registrar.maxAuthFailures,
      lockoutMs: config.registrar.lockoutMs,
    });
    const registrations = {
      bindingsFor: (trunkId: string) => registrar.bindings.forTrunk(trunkId),
      dropTrunk: (trunkId: string, reason: string) => registrar.bindings.removeTrunk(trunkId, reason),
    };
    const jwt = new JwtService(store, clock);
    if (seed) await applySeedJwt(jwt, store, seed);
    const scenarios = new ScenarioRunner({
      catalog: new ScenarioCatalog(),
      store,
      clock,
      jwt,
      faults,
      registrar,
      defaultDuplicatePolicy: config.registrar.duplicateRegistration,
    });
    if (config.scenario) await scenarios.apply(config.scenario);
    const connector = new ConnectorService(store, registrations, users, jwt, {
      host: config.host,
      sipPort: sip.port,
      domain: config.domain,
      registerInterval: config.registrar.defaultExpires,
      stun: stunPort === null ? null : { host: config.host, port: stunPort },
    });
    const httpDeps: ApiContext = {
      log: log.child({ component: "http" }),
      readiness,
      startedAt,
      auth: authHooks({
        adminToken,
        findTenantByApiKey: (key) => store.tenants.getByApiKey(key),
        lockout: httpLockout,
      }),
      tenants: new TenantService(store, registrations),
      clock: new ClockService(clock),
      jwt,
      users,
      connector,
      calls: new CallService(store, b2bua),
      trace,
      faults,
      scenarios,
      webhook,
      tenantByApiKey: (key: string) => store.tenants.getByApiKey(key),
      clientCredentials,
      diagnose: withFaults(
        new DiagnoseService(
          store,
          registrations,
          jwt,
          (trunkId) => b2bua.journal.linesInUse(trunkId),
          clock,
          startedAt,
          trunkStatus,
          registrar.attempts,
        ),
        { active: () => faults.list().length, lastHit: () => lastFaultHit },
      ),
    };
    const https = await buildHttpApp(httpDeps, tls, httpLimits);
    cleanup.push(() => https.close());
    // SIP over WebSocket (RFC 7118) for Unify Phone clients, on the HTTPS port at /ws. Closed
    // before the HTTPS server, which would otherwise wait for the open WebSocket sockets.
    const wsListener = stack.transport.listenWs(https.server, { maxConnections: budget.webSocket });
    cleanup.push(() => wsListener.close());
    const httpsPort = await listen(https, config.bind, config.httpsPort);
    readiness.set("https", "up", `https ${httpsPort}`);
    let httpPort: number | null = null;
    if (config.httpPort !== null) {
      const http = await buildHttpApp(httpDeps, undefined, httpLimits);
      cleanup.push(() => http.close());
      httpPort = await listen(http, config.bind, config.httpPort);
      readiness.set("http", "up", `http ${httpPort}`);
    }

    const host = config.bind === "0.0.0.0" || config.bind === "::" ? "127.0.0.1" : config.bind;
    const ports: EmulatorPorts = {
      sip: sip.port,
      https: httpsPort,
      http: httpPort,
      stun: stunPort,
      sipTcp,
      sipUdp,
    };
    const knownAdminToken = config.adminToken ?? adminToken.generated;
    const client = new EmulatorClient({
      baseUrl: `https://${urlHost(host)}:${httpsPort}`,
      ...(certificates.caCertPem ? { ca: certificates.caCertPem } : {}),
      ...(knownAdminToken ? { adminToken: knownAdminToken } : {}),
    });
    cleanup.push(() => client.close());
    let closing: Promise<void> | undefined;
    return {
      config,
      ports,
      urls: {
        https: `https://${urlHost(host)}:${httpsPort}`,
        http: httpPort === null ? null : `http://${urlHost(host)}:${httpPort}`,
        sip: `sips:${urlHost(host)}:${sip.port};transport=tls`,
      },
      certificates,
      clock,
      store,
      client,
      adminToken: knownAdminToken,
      adminTokenFile: adminToken.file,
      bindings: () => [...allBindings(registrar, store)],
      onTrunkStatus: (listener) => trunkStatus.on(listener),
      close: () => {
        readiness.markStopping();
        // Live calls get their BYE while the connections are open; the rest then stops.
        closing ??= stack
          .shutdown(config.shutdownGraceMs, () => b2bua.close())
          .catch((err: unknown) => log.warn({ err }, "error during SIP shutdown"))
          .then(() => runCleanup(cleanup, clock, log));
        return closing;
      },
    };
  } catch (err) {
    await runCleanup(cleanup, clock, log);
    throw err;
  }
}

async function loadCertificates(config: EmulatorConfig): Promise<{
  tls: { key: string | string[]; cert: string | string[] };
  certificates: EmulatorHandle["certificates"];
  /** The CA key, to sign fault certificates (expired, wrong host) with our own CA. */
  caKeyPath: string | null;
}> {
  if (config.certFile && config.keyFile) {
    const files = await loadTlsFiles({ certPath: config.certFile, keyPath: config.keyFile });
    return {
      tls: { key: files.keyPem, cert: files.certPem },
      certificates: { caCertPath: null, caCertPem: null, caFingerprint: null },
      caKeyPath: null,
    };
  }
  // The advertised host is where provisioning sends PBXs: the certificate must name it too.
  const hosts = [...new Set([...config.certHosts, config.host])];
  const set: CertificateSet = await ensureCertificates({ dir: config.certsDir, hosts });
  return {
    // RSA for every PBX, ECDSA for clients that offer it: a handshake costs a fraction of RSA's.
    tls: { key: [set.keyPem, set.ecKeyPem], cert: [set.certPem, set.ecCertPem] },
    certificates: {
      caCertPath: set.caCertPath,
      caCertPem: set.caCertPem,
      caFingerprint: set.caFingerprintSha256,
    },
    caKeyPath: set.caKeyPath,
  };
}

function* allBindings(registrar: Registrar, store: Store): Iterable<Binding> {
  for (const tenant of store.tenants.list()) {
    for (const trunk of store.trunks.listByTenant(tenant.id)) yield* registrar.bindings.forTrunk(trunk.id);
  }
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  return (app.server.address() as AddressInfo).port;
}

/** Undo the start in reverse order; one failing step does not stop the others. */
async function runCleanup(
  steps: Array<() => Promise<void> | void>,
  clock: ControllableClock,
  log: Logger,
): Promise<void> {
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch (err) {
      log.warn({ err }, "error during shutdown");
    }
  }
  steps.length = 0;
  clock.dispose();
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function withFaults(diagnose: DiagnoseService, faults: FaultHitView): DiagnoseService {
  diagnose.faults = faults;
  return diagnose;
}
