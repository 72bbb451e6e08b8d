import { X509Certificate } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type ApiContext, authHooks, buildHttpApp, type MetricsEndpoint } from "../api/index.js";
import type { EmulatorConfig } from "../config/index.js";
import type { CtiService } from "../cti/index.js";
import { ScenarioCatalog, ScenarioRunner } from "../scenarios/index.js";
import {
  applySeedJwt,
  CallService,
  ClientSessionService,
  ClockService,
  ConnectorService,
  DiagnoseService,
  MaintenanceService,
  type PresenceService,
  TenantService,
} from "../services/index.js";
import { type ControllableClock, SystemClock } from "../shared/clock.js";
import type { Readiness } from "../shared/readiness.js";
import type { Cleanup } from "./cleanup.js";
import { EvidenceLockout } from "./evidence-lockout.js";
import type { DomainLayer } from "./open-domain.js";
import type { CallLayer } from "./start-calls.js";
import type { SipLayer } from "./start-sip.js";
import { startStubs } from "./start-stubs.js";
import type { ListenerLimits, TlsMaterial } from "./tls-material.js";

/** Step 4: the services and the REST API / web UI on HTTPS (with SIP over WebSocket) and HTTP. */
export interface ApiPorts {
  readonly https: number;
  readonly http: number | null;
}

export async function startApi(
  config: EmulatorConfig,
  data: DomainLayer,
  sip: SipLayer,
  calls: CallLayer,
  env: {
    stunPort: number | null;
    clock: ControllableClock;
    startedAt: number;
    tls: TlsMaterial;
    limits: ListenerLimits;
    log: Logger;
    readiness: Readiness;
    cleanup: Cleanup;
    metrics?: MetricsEndpoint;
    cti?: CtiService;
    presence?: PresenceService;
  },
): Promise<ApiPorts> {
  const { store, users, faults } = data;
  const { registrar } = sip;
  const { b2bua } = calls;
  const { clock, cleanup } = env;
  const registrations = {
    bindingsFor: (trunkId: string) => registrar.bindings.forTrunk(trunkId),
    dropTrunk: (trunkId: string, reason: string) => registrar.bindings.removeTrunk(trunkId, reason),
  };
  users.attachConnectors(registrations);
  const { jwt } = data;
  if (data.seed) await applySeedJwt(jwt, store, data.seed);
  const scenarios = new ScenarioRunner({
    catalog: new ScenarioCatalog(),
    store,
    clock,
    jwt,
    faults,
    registrar,
    defaultDuplicatePolicy: config.registrar.duplicateRegistration,
    maintenance: sip.maintenance,
    realm: config.domain,
  });
  if (config.scenario) await scenarios.apply(config.scenario);
  const connector = new ConnectorService(store, registrations, users, jwt, {
    host: config.host,
    sipPort: sip.port,
    domain: config.domain,
    registerInterval: config.registrar.defaultExpires,
    stun: env.stunPort === null ? null : { host: config.host, port: env.stunPort },
  });
  // Asked by the unmatched capture before its default answer (routes and SIP handlers win).
  const stubs = startStubs(config, data, connector, env);
  sip.unmatched.useStubs(stubs);
  sip.unmatched.captured.on(({ entry }) => calls.webhook.unmatchedRequest(entry));
  const lockout = new EvidenceLockout(
    clock,
    { maxFailures: config.registrar.maxAuthFailures, lockoutMs: config.registrar.lockoutMs },
    sip.evidence,
  );
  const api: ApiContext = {
    log: env.log.child({ component: "http" }),
    readiness: env.readiness,
    startedAt: env.startedAt,
    auth: authHooks({
      adminToken: data.adminToken,
      findTenantByApiKey: (key) => store.tenants.getByApiKey(key),
      lockout,
    }),
    tenants: new TenantService(store, registrations),
    clock: new ClockService(clock),
    maintenance: new MaintenanceService(sip.maintenance, clock),
    jwt,
    users,
    connector,
    stubs,
    calls: new CallService(store, b2bua),
    ...(env.cti ? { cti: env.cti } : {}),
    mwi: calls.mwi,
    ...(env.presence ? { presence: env.presence } : {}),
    trace: sip.trace,
    faults,
    scenarios,
    webhook: calls.webhook,
    live: {
      connectorStatus: sip.trunkStatus,
      callEvents: b2bua.events,
      unmatched: sip.unmatched.captured,
      ...(env.presence ? { presence: env.presence.changed } : {}),
    },
    unmatched: sip.unmatched,
    tenantByApiKey: (key: string) => store.tenants.getByApiKey(key),
    ...(env.metrics ? { metrics: env.metrics } : {}),
    clientCredentials: sip.clientCredentials,
    clientRegistrations: { clientsOf: (userId: string) => sip.clientRegistrar.bindings.forUser(userId) },
    clientPhone: {
      sessions: new ClientSessionService(store, { realm: config.domain, clock, lockout }),
      domain: config.domain,
    },
    diagnose: new DiagnoseService({
      store,
      registrations,
      jwt,
      linesInUse: (trunkId) => b2bua.journal.linesInUse(trunkId),
      lastPbxCall: (trunkId) => b2bua.journal.list({ trunkId }).find((c) => c.direction === "pbx-to-user"),
      lastCallToPbx: (trunkId) => b2bua.journal.list({ trunkId }).find((c) => c.direction === "user-to-pbx"),
      clock,
      startedAt: env.startedAt,
      evidence: sip.evidence,
      faults,
      sip: {
        port: sip.port,
        tlsMin: config.sip.tls.minVersion,
        tlsMax: config.sip.tls.maxVersion,
        certificateNotAfter: firstExpiry(env.tls.tls.cert),
      },
      wallClock: new SystemClock(),
      registerIntervalSec: config.registrar.defaultExpires,
    }),
  };
  const https = await buildHttpApp(api, env.tls.tls, env.limits.http);
  cleanup.add(() => https.close());
  // Before the server closes (later steps run first): delayed stub answers stop waiting.
  cleanup.add(() => stubs.close());
  // SIP over WebSocket (RFC 7118) for Unify Phone clients, on the HTTPS port at /ws. Closed
  // before the HTTPS server, which would otherwise wait for the open WebSocket sockets.
  const wsListener = sip.stack.transport.listenWs(https.server, { maxConnections: env.limits.webSocket });
  cleanup.add(() => wsListener.close());
  const httpsPort = await listen(https, config.bind, config.httpsPort);
  env.readiness.set("https", "up", `https ${httpsPort}`);
  if (config.httpPort === null) return { https: httpsPort, http: null };
  const http = await buildHttpApp(api, undefined, env.limits.http);
  cleanup.add(() => http.close());
  const httpPort = await listen(http, config.bind, config.httpPort);
  env.readiness.set("http", "up", `http ${httpPort}`);
  return { https: httpsPort, http: httpPort };
}

/** When the first of the served certificates expires (each PEM's leaf, the first in its chain). */
function firstExpiry(certs: string | string[]): number {
  return Math.min(...[certs].flat().map((pem) => Date.parse(new X509Certificate(pem).validTo)));
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  return (app.server.address() as AddressInfo).port;
}
