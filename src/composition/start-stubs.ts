import path from "node:path";
import type { Logger } from "pino";
import type { EmulatorConfig } from "../config/index.js";
import type { ConnectorService } from "../services/index.js";
import type { Clock } from "../shared/clock.js";
import { loadMappingFiles, recordDraft, StubEngine, tenantView } from "../stubs/index.js";
import type { DomainLayer } from "./open-domain.js";

/** Where mapping files live: --mappings-dir, else <data dir>/mappings; none in memory. */
export function mappingsDirOf(config: EmulatorConfig): string | null {
  if (config.mappingsDir !== null) return config.mappingsDir;
  return config.ephemeral ? null : path.join(config.dataDir, "mappings");
}

/**
 * The stub engine: the mapping files read now (an invalid one stops the start, naming
 * file:line:column), provisioning through the connector service the way
 * POST /api/connector/v1/systems does, and `--record` writing drafts.
 */
export function startStubs(
  config: EmulatorConfig,
  data: DomainLayer,
  connector: ConnectorService,
  env: { clock: Clock; log: Logger },
): StubEngine {
  const { store } = data;
  const dir = mappingsDirOf(config);
  if (config.record && dir === null)
    throw new Error("--record needs a folder to write drafts to: give --mappings-dir (or drop --ephemeral)");
  const log = env.log.child({ component: "stubs" });
  const recorded = dir === null ? null : path.join(dir, "recorded");
  const engine = new StubEngine({
    clock: env.clock,
    tenantFor: ({ tenantId, apiKey }) =>
      (tenantId === undefined ? undefined : store.tenants.get(tenantId)) ??
      (apiKey === undefined ? undefined : store.tenants.getByApiKey(apiKey)),
    tenantData: (tenant) => tenantView(store, tenant),
    provisionSystem: (tenant, input) => {
      const { system: p, created } = connector.provision(tenant, input);
      const sip = {
        host: p.endpoints.host,
        port: p.endpoints.sipPort,
        domain: p.endpoints.domain,
        username: p.trunk.username,
        password: p.trunk.password,
        registerInterval: p.endpoints.registerInterval,
      };
      return {
        created,
        systemId: p.system.systemId,
        name: p.system.name,
        simultaneousCalls: p.system.simultaneousCalls,
        numbering: p.system.numbering,
        trunk: { name: p.trunk.name, username: p.trunk.username, password: p.trunk.password },
        sip,
        stun: p.endpoints.stun,
      };
    },
    ...(config.record && recorded
      ? {
          record: (request) => {
            try {
              const file = recordDraft(recorded, request);
              if (file) log.info({ file }, "recorded a draft mapping");
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code !== "EEXIST")
                log.warn({ err }, "could not record a draft mapping");
            }
          },
        }
      : {}),
  });
  if (dir !== null) {
    const files = loadMappingFiles(dir);
    engine.load(files);
    if (files.length > 0) log.info({ dir, mappings: files.length }, "stub mappings loaded");
  }
  return engine;
}
