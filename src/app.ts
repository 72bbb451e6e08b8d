import type { Logger } from "pino";
import {
  type CertificateInfo,
  Cleanup,
  listenerLimits,
  loadCertificates,
  openDomain,
  type ScenarioPbx,
  startApi,
  startCalls,
  startCti,
  startMetrics,
  startPresence,
  startScenarioPbx,
  startSip,
  startStun,
} from "./composition/index.js";
import { type EmulatorConfig, type EmulatorOptions, resolveConfig } from "./config/index.js";
import type { Binding, Registrar, TrunkStatusEvent } from "./registrar/index.js";
import { EmulatorClient } from "./rest-client/index.js";
import type { UnmatchedCapture } from "./services/index.js";
import { type Clock, ControllableClock } from "./shared/clock.js";
import { createLogger } from "./shared/logger.js";
import { Readiness } from "./shared/readiness.js";
import type { Store } from "./store/index.js";

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
  readonly certificates: CertificateInfo;
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
  /** `--mock-osbiz`: the mock OSBiz started in this process against this emulator, or null. */
  readonly mockOsbiz: ScenarioPbx | null;
  /** A typed REST client for this emulator (admin token included when known). */
  readonly client: EmulatorClient;
  /** The unmatched journal (docs/unmatched.md); `useStubs` puts a StubResponder in front of its defaults. */
  readonly unmatched: UnmatchedCapture;
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
 * The composition root: builds every module in dependency order — store, SIP stack, calls,
 * STUN, HTTP — each step from what the earlier ones built, and starts the listeners.
 * Nothing else knows all the modules.
 */
export async function startEmulator(options: StartOptions = {}): Promise<EmulatorHandle> {
  const { logger, protocolClock, ...rest } = options;
  const config = resolveConfig(rest);
  const log = logger ?? createLogger(config.logLevel);
  const readiness = new Readiness();
  const startedAt = Date.now();
  const clock = new ControllableClock();
  const cleanup = new Cleanup();
  const env = { clock, log, readiness, cleanup };
  const stop = async () => {
    await cleanup.run(log);
    clock.dispose();
  };

  try {
    const data = openDomain(config, env);
    const tls = await loadCertificates(config);
    const limits = listenerLimits(config, log);
    const sip = await startSip(config, data, { ...env, protocolClock, tls, limits });
    const calls = await startCalls(config, data, sip, env);
    const cti = startCti(config, data, sip, calls, env);
    const presence = startPresence(calls, cti, env);
    const metrics = startMetrics(config, data, sip, calls);
    const stunPort = await startStun(config, { ...env, faults: data.faults });
    const api = await startApi(config, data, sip, calls, {
      ...env,
      stunPort,
      startedAt,
      tls,
      limits,
      metrics,
      cti,
      presence,
    });

    const ports: EmulatorPorts = {
      sip: sip.port,
      https: api.https,
      http: api.http,
      stun: stunPort,
      sipTcp: calls.sipTcp,
      sipUdp: calls.sipUdp,
    };
    const urls = emulatorUrls(config.bind, ports);
    const { certificates } = tls;
    const knownAdminToken = config.adminToken ?? data.adminToken.generated;
    const client = new EmulatorClient({
      baseUrl: urls.https,
      ...(certificates.caCertPem ? { ca: certificates.caCertPem } : {}),
      ...(knownAdminToken ? { adminToken: knownAdminToken } : {}),
    });
    cleanup.add(() => client.close());
    // After the listeners: the mock provisions over HTTPS and registers over TLS like any PBX.
    const mockOsbiz = config.mockOsbiz
      ? await startScenarioPbx(config, {
          store: data.store,
          url: urls.https,
          ca: certificates.caCertPem ?? undefined,
          log,
          cleanup,
        })
      : null;
    let closing: Promise<void> | undefined;
    return {
      config,
      ports,
      urls,
      certificates,
      clock,
      store: data.store,
      client,
      mockOsbiz,
      adminToken: knownAdminToken,
      adminTokenFile: data.adminToken.file,
      unmatched: sip.unmatched,
      bindings: () => [...allBindings(sip.registrar, data.store)],
      onTrunkStatus: (listener) => sip.trunkStatus.on(listener),
      close: () => {
        readiness.markStopping();
        // Live calls get their BYE while the connections are open; the rest then stops.
        // The embedded PBX unregisters first, while the connector still answers.
        closing ??= (mockOsbiz?.stop() ?? Promise.resolve())
          .catch((err: unknown) => log.warn({ err }, "error stopping the mock OSBiz"))
          .then(() => sip.stack.shutdown(config.shutdownGraceMs, () => calls.b2bua.close()))
          .catch((err: unknown) => log.warn({ err }, "error during SIP shutdown"))
          .then(stop);
        return closing;
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function emulatorUrls(bind: string, ports: EmulatorPorts): EmulatorHandle["urls"] {
  const host = urlHost(bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind);
  return {
    https: `https://${host}:${ports.https}`,
    http: ports.http === null ? null : `http://${host}:${ports.http}`,
    sip: `sips:${host}:${ports.sip};transport=tls`,
  };
}

/** Copies: a snapshot the caller keeps does not change with later refreshes (see ContactBindings.renew). */
function* allBindings(registrar: Registrar, store: Store): Iterable<Binding> {
  for (const tenant of store.tenants.list()) {
    for (const trunk of store.trunks.listByTenant(tenant.id))
      for (const binding of registrar.bindings.forTrunk(trunk.id)) yield { ...binding };
  }
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
