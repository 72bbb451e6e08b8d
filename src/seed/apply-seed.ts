import { isDeepStrictEqual } from "node:util";
import { DomainError, type PbxSystem, type Tenant } from "../domain/index.js";
import type { Store } from "../store/index.js";
import type { SeedDocument, SeedSystem, SeedTenant, SeedUser } from "./seed-document.js";
import { formatSeedPath, SeedError, type SeedPath } from "./seed-error.js";
import { sourceOf } from "./seed-source.js";

export interface SeedCounts {
  tenants: number;
  systems: number;
  trunks: number;
  users: number;
}

export interface SeedSummary {
  created: SeedCounts;
  updated: SeedCounts;
  /** matched and already as the seed says */
  unchanged: SeedCounts;
  /** every tenant of the seed, for the startup banner */
  tenants: { id: string; name: string; apiKey: string }[];
}

export interface ApplySeedOptions {
  /** createdAt of new entities; default the store's clock */
  clock?: { now(): number };
}

type Kind = keyof SeedCounts;

/** The fields of `wanted` that are set and differ from `current`. */
function changes<T extends object>(current: T, wanted: Partial<T>): Partial<T> | undefined {
  const patch: Partial<T> = {};
  let changed = false;
  for (const key of Object.keys(wanted) as (keyof T)[]) {
    const value = wanted[key];
    if (value !== undefined && !isDeepStrictEqual(current[key], value)) {
      patch[key] = value;
      changed = true;
    }
  }
  return changed ? patch : undefined;
}

class SeedApplier {
  readonly summary: SeedSummary = {
    created: { tenants: 0, systems: 0, trunks: 0, users: 0 },
    updated: { tenants: 0, systems: 0, trunks: 0, users: 0 },
    unchanged: { tenants: 0, systems: 0, trunks: 0, users: 0 },
    tenants: [],
  };
  /** where we are, to name the seed entry a store error belongs to */
  cursor: SeedPath = [];

  constructor(
    private readonly store: Store,
    private readonly createdAt: () => number | undefined,
  ) {}

  private count(kind: Kind, outcome: "created" | "updated" | "unchanged"): void {
    this.summary[outcome][kind]++;
  }

  tenant(seed: SeedTenant, path: SeedPath): void {
    this.cursor = path;
    let tenant = this.store.tenants.getByName(seed.name);
    if (!tenant) {
      const { name, flavour, apiKey, clientId } = seed;
      tenant = this.store.tenants.create({ name, flavour, apiKey, clientId, createdAt: this.createdAt() });
      this.count("tenants", "created");
    } else {
      const patch = changes(tenant, { flavour: seed.flavour, apiKey: seed.apiKey, clientId: seed.clientId });
      if (patch) tenant = this.store.tenants.update(tenant.id, patch);
      this.count("tenants", patch ? "updated" : "unchanged");
    }
    this.summary.tenants.push({ id: tenant.id, name: tenant.name, apiKey: tenant.apiKey });
    const systems = new Map<string, PbxSystem>();
    for (const [i, s] of seed.systems.entries()) {
      systems.set(s.systemId, this.system(tenant, s, [...path, "systems", i]));
    }
    for (const [i, u] of seed.users.entries()) this.user(tenant, u, systems, [...path, "users", i]);
  }

  private system(tenant: Tenant, seed: SeedSystem, path: SeedPath): PbxSystem {
    this.cursor = path;
    const { trunk: trunkSeed, ...fields } = seed;
    const existing = this.store.systems.getBySystemId(tenant.id, seed.systemId);
    let system = existing;
    if (!system || changes(system, fields)) {
      system = this.store.systems.upsert({
        ...fields,
        tenantId: tenant.id,
        createdAt: this.createdAt(),
      }).value;
    }
    this.count("systems", !existing ? "created" : system === existing ? "unchanged" : "updated");

    this.cursor = [...path, "trunk"];
    const wanted = {
      username: trunkSeed.username,
      password: trunkSeed.password,
      authRequired: trunkSeed.auth,
    };
    const trunk = this.store.trunks.getBySystem(system.id);
    if (!trunk) {
      this.store.trunks.create({ ...wanted, systemRef: system.id, createdAt: this.createdAt() });
      this.count("trunks", "created");
    } else {
      const patch = changes(trunk, wanted);
      if (patch) this.store.trunks.update(trunk.id, patch);
      this.count("trunks", patch ? "updated" : "unchanged");
    }
    return system;
  }

  private user(tenant: Tenant, seed: SeedUser, systems: Map<string, PbxSystem>, path: SeedPath): void {
    this.cursor = path;
    const { system: systemId, ...fields } = seed;
    const system = systemId === undefined ? undefined : systems.get(systemId);
    const trunkId = system && this.store.trunks.getBySystem(system.id)?.id;
    const wanted = { ...fields, trunkId };
    const existing = this.store.users.getByEmail(tenant.id, seed.emailAddress);
    if (!existing) {
      this.store.users.create({ ...wanted, tenantId: tenant.id, createdAt: this.createdAt() });
      this.count("users", "created");
      return;
    }
    const patch = changes(existing, wanted);
    if (patch) this.store.users.update(existing.id, patch);
    this.count("users", patch ? "updated" : "unchanged");
  }
}

/**
 * Applies a seed in ONE store transaction (all or nothing). Idempotent: tenants match by
 * name, systems by systemId, trunks by system, users by e-mail; what matches is updated
 * with the fields the seed sets, never duplicated. A store error (e.g. a trunk username
 * taken by a tenant outside the seed) becomes a SeedError naming the seed path.
 */
export function applySeed(store: Store, seed: SeedDocument, options: ApplySeedOptions = {}): SeedSummary {
  const clock = options.clock;
  const applier = new SeedApplier(store, () => clock?.now());
  try {
    store.transaction(() => {
      for (const [i, t] of seed.tenants.entries()) applier.tenant(t, ["tenants", i]);
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const path = [...applier.cursor, ...(error.field ? error.field.split(".") : [])];
    const source = sourceOf(seed);
    const issue = { path: formatSeedPath(path), message: `${error.message} (${error.code})` };
    throw new SeedError([{ ...issue, ...source?.locate(path) }], source?.file);
  }
  return applier.summary;
}
