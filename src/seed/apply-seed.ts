import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { DomainError, type PbxSystem, type Tenant, tenantAdministrator } from "../domain/index.js";
import type { Store } from "../store/index.js";
import type { SeedDocument, SeedSystem, SeedTenant, SeedUser } from "./seed-document.js";
import { formatSeedPath, SeedError, type SeedPath } from "./seed-error.js";
import { rememberSource, sourceOf } from "./seed-source.js";

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
  /** matched but different from the seed, left as they are (mode `create`) */
  kept: SeedCounts;
  /** every tenant of the seed, for the startup banner; `created` by this application */
  tenants: { id: string; name: string; apiKey: string; created: boolean }[];
}

/**
 * `create`: add what the seed has and the store lacks, never touch what exists (a key
 * rotated or a password changed through the API survives a restart with the same seed);
 * `reset`: also set every seeded field of what exists back to the seed's value.
 */
export type SeedMode = "create" | "reset";

export interface ApplySeedOptions {
  /** createdAt of new entities; default the store's clock */
  clock?: { now(): number };
  /** Default `reset` (scenarios re-apply their state); `--seed-mode` chooses for `--seed`. */
  mode?: SeedMode;
  /** The SIP domain, the digest realm of client passwords; default the `--domain` default. */
  realm?: string;
}

const DEFAULT_REALM = "phoneapp.unify.com";

/** Digest H(A1) = H(username:realm:password) (RFC 7616), as the client registrar verifies it. */
function ha1(algorithm: "md5" | "sha256", username: string, realm: string, password: string): string {
  return createHash(algorithm).update(`${username}:${realm}:${password}`).digest("hex");
}

type Kind = keyof SeedCounts;
type Outcome = "created" | "updated" | "unchanged" | "kept";

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
    kept: { tenants: 0, systems: 0, trunks: 0, users: 0 },
    tenants: [],
  };
  /** where we are, to name the seed entry a store error belongs to */
  cursor: SeedPath = [];

  constructor(
    private readonly store: Store,
    private readonly createdAt: () => number | undefined,
    private readonly mode: SeedMode,
    private readonly realm: string,
  ) {}

  private count(kind: Kind, outcome: Outcome): void {
    this.summary[outcome][kind]++;
  }

  /** What to change in an existing entity: the seed's differing fields, unless the mode keeps them. */
  private patch<T extends object>(kind: Kind, current: T, wanted: Partial<T>): Partial<T> | undefined {
    const patch = changes(current, wanted);
    if (patch && this.mode === "create") {
      this.count(kind, "kept");
      return undefined;
    }
    this.count(kind, patch ? "updated" : "unchanged");
    return patch;
  }

  tenant(seed: SeedTenant, path: SeedPath): void {
    this.cursor = path;
    let tenant = this.store.tenants.getByName(seed.name);
    const created = !tenant;
    if (!tenant) {
      const { name, flavour, apiKey, clientId } = seed;
      tenant = this.store.tenants.create({ name, flavour, apiKey, clientId, createdAt: this.createdAt() });
      this.count("tenants", "created");
    } else {
      const wanted = { flavour: seed.flavour, apiKey: seed.apiKey, clientId: seed.clientId };
      const patch = this.patch("tenants", tenant, wanted);
      if (patch) tenant = this.store.tenants.update(tenant.id, patch);
    }
    this.summary.tenants.push({ id: tenant.id, name: tenant.name, apiKey: tenant.apiKey, created });
    const systems = new Map<string, PbxSystem>();
    for (const [i, s] of seed.systems.entries()) {
      systems.set(s.systemId, this.system(tenant, s, [...path, "systems", i]));
    }
    for (const [i, u] of seed.users.entries()) this.user(tenant, u, systems, [...path, "users", i]);
    if (created) this.administrator(tenant, seed, [...path, "adminEmail"]);
  }

  /**
   * A new tenant gets its Administrator as over REST, unless the seed lists it: a user with
   * `adminEmail`, or (without adminEmail) any user with role admin.
   */
  private administrator(tenant: Tenant, seed: SeedTenant, path: SeedPath): void {
    this.cursor = path;
    const listed =
      seed.adminEmail === undefined
        ? seed.users.some((u) => u.role === "admin")
        : this.store.users.getByEmail(tenant.id, seed.adminEmail) !== undefined;
    if (listed) return;
    const admin = tenantAdministrator(tenant.name, seed.adminEmail);
    this.store.users.create({ ...admin, tenantId: tenant.id, createdAt: this.createdAt() });
    this.count("users", "created");
  }

  private system(tenant: Tenant, seed: SeedSystem, path: SeedPath): PbxSystem {
    this.cursor = path;
    const { trunk: trunkSeed, ...fields } = seed;
    const existing = this.store.systems.getBySystemId(tenant.id, seed.systemId);
    let system = existing;
    if (!existing) this.count("systems", "created");
    if (!system || this.patch("systems", system, fields)) {
      system = this.store.systems.upsert({
        ...fields,
        tenantId: tenant.id,
        createdAt: this.createdAt(),
      }).value;
    }

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
      const patch = this.patch("trunks", trunk, wanted);
      if (patch) this.store.trunks.update(trunk.id, patch);
    }
    return system;
  }

  private user(tenant: Tenant, seed: SeedUser, systems: Map<string, PbxSystem>, path: SeedPath): void {
    this.cursor = path;
    const { system: systemId, clientPassword, ...fields } = seed;
    const system = systemId === undefined ? undefined : systems.get(systemId);
    const trunkId = system && this.store.trunks.getBySystem(system.id)?.id;
    const wanted = { ...fields, trunkId };
    const existing = this.store.users.getByEmail(tenant.id, seed.emailAddress);
    let userId: string;
    if (!existing) {
      userId = this.store.users.create({ ...wanted, tenantId: tenant.id, createdAt: this.createdAt() }).id;
      this.count("users", "created");
    } else {
      userId = existing.id;
      const patch = this.patch("users", existing, wanted);
      if (patch) this.store.users.update(existing.id, patch);
    }
    if (clientPassword !== undefined) this.clientPassword(userId, clientPassword);
  }

  /** Sets the HA1s as PUT …/client-password does; in mode `create` a password already set stays. */
  private clientPassword(userId: string, password: string): void {
    const current = this.store.clientCredentials.get(userId);
    const same =
      current?.realm === this.realm && current.ha1Sha256 === ha1("sha256", userId, this.realm, password);
    if (same || (current && this.mode === "create")) return;
    this.store.clientCredentials.set({
      userId,
      realm: this.realm,
      ha1Md5: ha1("md5", userId, this.realm, password),
      ha1Sha256: ha1("sha256", userId, this.realm, password),
      setAt: this.createdAt() ?? Date.now(),
    });
  }
}

/**
 * Applies a seed in ONE store transaction (all or nothing). Idempotent: tenants match by
 * name, systems by systemId, trunks by system, users by e-mail, never duplicated; in mode
 * `reset` what matches is updated with the fields the seed sets, in mode `create` it is
 * left alone. A store error (e.g. a trunk username taken by a tenant outside the seed)
 * becomes a SeedError naming the seed path.
 */
export function applySeed(store: Store, seed: SeedDocument, options: ApplySeedOptions = {}): SeedSummary {
  const clock = options.clock;
  const applier = new SeedApplier(
    store,
    () => clock?.now(),
    options.mode ?? "reset",
    options.realm ?? DEFAULT_REALM,
  );
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

/**
 * The part of `seed` that still applies after `summary` in `mode`: in `create`, the JWT
 * states of tenants that already existed are left to what the API made of them.
 */
export function seedAfter(seed: SeedDocument, summary: SeedSummary, mode: SeedMode): SeedDocument {
  if (mode === "reset") return seed;
  const created = new Set(summary.tenants.filter((t) => t.created).map((t) => t.name));
  const rest: SeedDocument = {
    ...seed,
    tenants: seed.tenants.map((t) => (created.has(t.name) ? t : { ...t, jwt: undefined })),
  };
  const source = sourceOf(seed);
  if (source) rememberSource(rest, source);
  return rest;
}
