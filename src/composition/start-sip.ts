import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import type { EmulatorConfig } from "../config/index.js";
import type { Trunk } from "../domain/index.js";
import { FaultCertificates, SipFaultGate, TlsFaultGate } from "../faults/index.js";
import {
  ClientRegistrar,
  connectionOwner,
  connectionTrunk,
  isClientAor,
  MaintenanceWindow,
  RefreshShortcut,
  Registrar,
  type TrunkStatusEvent,
} from "../registrar/index.js";
import {
  ClientCredentialService,
  clientAccounts,
  DiagnoseEvidence,
  UnmatchedCapture,
} from "../services/index.js";
import { type Clock, type ControllableClock, SystemClock } from "../shared/clock.js";
import { Listeners } from "../shared/listeners.js";
import type { Readiness } from "../shared/readiness.js";
import { SipRouter, SipStack, type UnhandledRequestListener } from "../sip/core/index.js";
import { TlsKeyLog, type TraceOwner, TraceRecorder } from "../traces/index.js";
import { captureUnhandledSip } from "./capture-unmatched-sip.js";
import type { Cleanup } from "./cleanup.js";
import type { DomainLayer } from "./open-domain.js";
import { ownerDirectory } from "./store-ports.js";
import type { ListenerLimits, TlsMaterial } from "./tls-material.js";

/** Step 2: registrars, the SIP stack listening on TLS, and the trace of its traffic. */
export interface SipLayer {
  readonly router: SipRouter;
  readonly stack: SipStack;
  readonly registrar: Registrar;
  readonly clientRegistrar: ClientRegistrar;
  readonly clientCredentials: ClientCredentialService;
  /** A planned outage: REGISTERs of trunks and clients answered 503 while it lasts. */
  readonly maintenance: MaintenanceWindow;
  readonly trunkStatus: Listeners<TrunkStatusEvent>;
  readonly trace: TraceRecorder;
  /** Answers trunk registration refreshes from their bytes (`--register-shortcut`, on by default). */
  readonly refreshShortcut: RefreshShortcut | undefined;
  /** REGISTER outcomes, status changes and failed TLS handshakes, kept for the diagnosis. */
  readonly evidence: DiagnoseEvidence;
  /** Requests nothing handles (SIP here, HTTP in the API): journal, stubs, default answers. */
  readonly unmatched: UnmatchedCapture;
  /** Where the B2BUA sends requests it declines as not modelled (into `unmatched`). */
  readonly unmodelled: UnhandledRequestListener;
  /** The SIP over TLS port, known once listening (config may ask for port 0). */
  readonly port: number;
}

/** Captured requests kept in the unmatched journal (the oldest go first). */
const UNMATCHED_CAPACITY = 1000;

export async function startSip(
  config: EmulatorConfig,
  data: DomainLayer,
  env: {
    clock: ControllableClock;
    protocolClock: Clock | undefined;
    tls: TlsMaterial;
    limits: ListenerLimits;
    log: Logger;
    readiness: Readiness;
    cleanup: Cleanup;
  },
): Promise<SipLayer> {
  const { store, users, faults } = data;
  const { clock, log, cleanup } = env;
  const trunkStatus = new Listeners<TrunkStatusEvent>();
  const router = new SipRouter(log.child({ component: "sip" }));
  const registrar = new Registrar(
    { realm: config.domain, ...config.registrar },
    { findByUsername: (username) => store.trunks.getByUsername(username) },
    clock,
    trunkStatus,
  );
  const clientRegistrar = new ClientRegistrar(
    { realm: config.domain, ...config.registrar, maxContactsPerUser: 10 },
    clientAccounts(store.clientCredentials),
    clock,
    { tenantOutage: (tenantId) => data.jwt.outage(tenantId) },
  );
  // Deleting a user's client password logs its clients out.
  const clientCredentials = new ClientCredentialService(
    users,
    store.clientCredentials,
    { realm: config.domain, clock },
    { dropUser: (userId, reason) => clientRegistrar.bindings.removeUser(userId, reason) },
  );
  const maintenance = new MaintenanceWindow(clock);
  registrar.gate = () => maintenance.refusal();
  clientRegistrar.gate = () => maintenance.refusal();
  maintenance.events.on((e) =>
    log.warn(
      { from: new Date(e.from).toISOString(), until: new Date(e.until).toISOString() },
      e.type === "maintenance.started"
        ? "maintenance window started: REGISTERs are answered 503 until it ends"
        : "maintenance window ended: REGISTERs are accepted again",
    ),
  );
  cleanup.add(() => maintenance.clear());
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

  const owners = ownerDirectory(store);
  // Faults act where they really happen: SIP in/out, the TLS accept, HTTP, RTP.
  const sipFaults = new SipFaultGate(faults, {
    timers: new SystemClock(),
    subjects: (message, connection) => {
      const registering =
        message.kind === "request" && message.method === "REGISTER" ? (message.to.uri.user ?? "") : undefined;
      const owner = connectionOwner(registrar.bindings, owners, connection.id, registering);
      if (!owner) return {};
      const { trunk, tenant } = owner;
      return {
        trunk: [trunk.id, trunk.name, trunk.username],
        tenant: tenant ? [tenant.id, tenant.name] : [trunk.tenantId],
      };
    },
  });
  const stack = new SipStack(
    env.limits.sip,
    env.protocolClock ?? new SystemClock(),
    router,
    log.child({ component: "sip" }),
    sipFaults,
  );
  // Before the listener opens: a PBX failing from the first second is still explained.
  const evidence = new DiagnoseEvidence({
    now: () => clock.now(),
    trunkStatus,
    attempts: registrar.attempts,
    transport: stack.transportEvents,
  });
  stack.connectionClosed.on(({ connection, reason }) => {
    registrar.connectionClosed(connection.id, reason);
    clientRegistrar.connectionClosed(connection.id, reason);
  });
  // The trace keeps an owner with each message: one object per trunk (a trunk changed is a new
  // object), not one per message for the GC to copy and promote.
  const traceOwners = new WeakMap<Trunk, TraceOwner>();
  const traceOwnerOf = (trunk: Trunk): TraceOwner => {
    let owner = traceOwners.get(trunk);
    if (owner === undefined) {
      owner = { tenantId: trunk.tenantId, trunkId: trunk.id, trunkName: trunk.name };
      traceOwners.set(trunk, owner);
    }
    return owner;
  };
  const trace = new TraceRecorder({
    capacity: config.traceBuffer,
    maxBytes: config.traceBufferBytes,
    clock,
    ...(config.traceFile ? { file: config.traceFile } : {}),
    resolve: (connectionId) => {
      const trunk = connectionTrunk(registrar.bindings, owners, connectionId);
      return trunk && traceOwnerOf(trunk);
    },
    onFileError: (err) => log.warn({ err }, "trace file write failed"),
  });
  cleanup.add(() => trace.close());
  faults.onHit((e) => trace.recordFault(e));
  const unmatched = new UnmatchedCapture({
    clock,
    capacity: UNMATCHED_CAPACITY,
    bodyLimit: config.unmatchedBodyLimit,
    httpStatus: config.unmatchedHttpStatus,
    sipStatus: config.unmatchedSipStatus,
    onStubError: (err, kind) => log.warn({ err, kind }, "stub responder failed; the default answer went out"),
  });
  unmatched.captured.on(({ entry, message }) =>
    trace.recordUnmatched({
      unmatchedId: entry.id,
      protocol: entry.kind,
      method: entry.method,
      target: entry.kind === "http" ? entry.path : entry.requestUri,
      status: entry.status,
      answeredBy: entry.answeredBy === "default" ? "default" : entry.answeredBy.mappingId,
      message,
      ...(entry.tenantId === undefined ? {} : { tenantId: entry.tenantId }),
      ...(entry.kind === "sip" ? { connectionId: entry.connectionId } : {}),
      ...(entry.kind === "sip" && entry.trunkId !== undefined ? { trunkId: entry.trunkId } : {}),
    }),
  );
  const unmodelled = captureUnhandledSip(
    router,
    unmatched,
    (connectionId) => {
      const trunk = connectionTrunk(registrar.bindings, owners, connectionId);
      return trunk && { trunkId: trunk.id, trunkUsername: trunk.username, tenantId: trunk.tenantId };
    },
    log.child({ component: "sip" }),
  );
  if (config.traceBuffer > 0 || config.traceFile) stack.transport.tap = trace.tap;
  const refreshShortcut =
    config.registrar.refreshShortcut === "on"
      ? new RefreshShortcut(registrar, {
          faultsActive: () => faults.hasRulesFor("sip.in") || faults.hasRulesFor("sip.out"),
          transactions: stack.transactions,
        })
      : undefined;
  stack.transport.shortcut = refreshShortcut;
  const keylog = config.tlsKeylog ? new TlsKeyLog(config.tlsKeylog) : undefined;
  if (keylog) cleanup.add(() => keylog.close());
  cleanup.add(async () => {
    await stack.shutdown(config.shutdownGraceMs);
    registrar.bindings.clear();
    clientRegistrar.bindings.clear();
  });

  env.readiness.set("sip", "starting");
  const { tls, certificates, caKeyPath } = env.tls;
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
  env.readiness.set("sip", "up", `tls ${sip.port}`);
  return {
    router,
    stack,
    registrar,
    clientRegistrar,
    clientCredentials,
    maintenance,
    trunkStatus,
    trace,
    refreshShortcut,
    evidence,
    unmatched,
    unmodelled,
    port: sip.port,
  };
}
