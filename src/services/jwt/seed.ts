import { decodeJwt } from "jose";
import { DomainError, type Tenant, validateLabel } from "../../domain/index.js";
import { ApiError } from "../../errors/index.js";
import {
  formatSeedPath,
  type SeedDocument,
  SeedError,
  type SeedIssue,
  type SeedPath,
  sourceOf,
} from "../../seed/index.js";
import type { Store, TenantJwt } from "../../store/index.js";
import type { JwtService, MintedToken } from "./service.js";
import { JWT_STATUSES, type JwtStatusName, jwtStatusAt } from "./status.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Expiry of a seeded status when the seed gives none, relative to the emulator clock. */
const DEFAULT_EXPIRY: Record<Exclude<JwtStatusName, "not_set">, number> = {
  active: 365 * DAY_MS,
  expiring: 10 * DAY_MS,
  expired: -DAY_MS,
  invalid: 365 * DAY_MS,
};

/** A tenant's `jwt:` in a seed: a token (verified like PUT …/jwt) or a status to reach. */
export type SeedJwt =
  | { readonly token: string }
  | {
      readonly status: JwtStatusName;
      /** ms; null: a token without expiry; absent: the status's default */
      readonly expiresAt?: number | null;
      readonly label?: string;
    };

export interface SeedJwtSummary {
  /** tenants whose JWT was set (or cleared) by this seed */
  changed: number;
  /** tenants already as the seed says */
  unchanged: number;
}

type Plan =
  | { kind: "set"; record: TenantJwt; minted?: MintedToken; revoke: boolean }
  | { kind: "clear"; tenantId: string };

/**
 * Applies the `jwt:` of each seed tenant (after `applySeed`, at the emulator clock's now).
 * `{token}` is verified like PUT …/jwt; `{status}` mints a portal token for the tenant's
 * client ID that gives that status (active: 1 year, expiring: 10 days, expired: 1 day ago,
 * invalid: 1 year then revoked; `expiresAt` overrides and must fit the status). A tenant
 * already in the wanted state is left alone, so applying a seed again changes nothing.
 * All or nothing: every problem is reported as one SeedError before anything is written.
 */
export async function applySeedJwt(
  jwt: JwtService,
  store: Store,
  seed: SeedDocument,
): Promise<SeedJwtSummary> {
  const issues: { path: SeedPath; message: string }[] = [];
  const fail = (path: SeedPath, message: string) => issues.push({ path, message });
  const now = jwt.clock.now();

  const wanted: { tenant: Tenant; entry: SeedJwt; path: SeedPath }[] = [];
  seed.tenants.forEach((t, i) => {
    if (t.jwt === undefined || t.jwt === null) return;
    const path: SeedPath = ["tenants", i, "jwt"];
    const entry = checkSeedJwt(t.jwt, path, now, fail);
    const tenant = store.tenants.getByName(t.name);
    if (!tenant) fail(["tenants", i, "name"], `no tenant "${t.name}" (apply the seed's tenants first)`);
    else if (entry) wanted.push({ tenant, entry, path });
  });
  if (issues.length > 0) throw seedError(seed, issues);

  const plans: Plan[] = [];
  let unchanged = 0;
  for (const { tenant, entry, path } of wanted) {
    try {
      const plan = await planFor(jwt, store, tenant, entry, now);
      if (plan) plans.push(plan);
      else unchanged++;
    } catch (error) {
      if (!(error instanceof ApiError || error instanceof DomainError)) throw error;
      const where = "token" in entry ? [...path, "token"] : path;
      fail(where, `${error.message} (${error.code})`);
    }
  }
  if (issues.length > 0) throw seedError(seed, issues);

  store.transaction(() => {
    for (const plan of plans) {
      if (plan.kind === "clear") {
        store.tenantJwts.delete(plan.tenantId);
        continue;
      }
      if (plan.minted) {
        const { token: _text, ...record } = plan.minted;
        store.portalTokens.create(record);
      }
      store.tenantJwts.set(plan.record);
      if (plan.revoke) store.portalTokens.revoke(plan.record.tokenId, now);
    }
  });
  return { changed: plans.length, unchanged };
}

async function planFor(
  jwt: JwtService,
  store: Store,
  tenant: Tenant,
  entry: SeedJwt,
  now: number,
): Promise<Plan | undefined> {
  if ("token" in entry) {
    let jti: unknown;
    try {
      jti = decodeJwt(entry.token.trim()).jti;
    } catch (error) {
      throw new ApiError("jwt_malformed", `not a JWT: ${(error as Error).message}`);
    }
    // Already set by an earlier start: it may have expired since, which is not a seed error.
    if (typeof jti === "string" && store.tenantJwts.get(tenant.id)?.tokenId === jti) return undefined;
    return { kind: "set", record: await jwt.verify(tenant, entry.token), revoke: false };
  }
  const current = jwt.status(tenant.id);
  if (
    current.status === entry.status &&
    (entry.label === undefined || entry.label === current.label) &&
    (entry.expiresAt === undefined || entry.expiresAt === current.expiresAt)
  ) {
    return undefined;
  }
  if (entry.status === "not_set") return { kind: "clear", tenantId: tenant.id };
  const expiresAt = entry.expiresAt === undefined ? now + DEFAULT_EXPIRY[entry.status] : entry.expiresAt;
  const minted = await jwt.sign({ clientId: tenant.clientId, label: entry.label ?? "seed", expiresAt });
  const record: TenantJwt = {
    tenantId: tenant.id,
    tokenId: minted.id,
    label: minted.label,
    expiresAt: minted.expiresAt,
    setAt: now,
  };
  return { kind: "set", record, minted, revoke: entry.status === "invalid" };
}

/** The shape of one `jwt:` entry; `expiresAt` must give the named status at `now`. */
function checkSeedJwt(
  value: unknown,
  path: SeedPath,
  now: number,
  fail: (path: SeedPath, message: string) => void,
): SeedJwt | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path, "jwt must be a mapping: { token } or { status, expiresAt?, label? }");
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  const allowed = "token" in obj ? ["token"] : ["status", "expiresAt", "label"];
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  for (const key of extra) {
    fail(
      [...path, key],
      `unknown key "${key}" in jwt (allowed: ${allowed.join(", ")}; token excludes the others)`,
    );
  }
  if ("token" in obj) {
    if (typeof obj.token !== "string" || obj.token.trim() === "") {
      fail([...path, "token"], "must be the JWT text");
      return undefined;
    }
    return extra.length > 0 ? undefined : { token: obj.token };
  }
  const status = obj.status;
  if (!JWT_STATUSES.includes(status as JwtStatusName)) {
    fail([...path, "status"], `must be one of ${JWT_STATUSES.join(", ")}`);
    return undefined;
  }
  const entry: { status: JwtStatusName; expiresAt?: number | null; label?: string } = {
    status: status as JwtStatusName,
  };
  if (obj.label !== undefined) {
    try {
      entry.label = validateLabel(obj.label, "label");
    } catch (error) {
      fail([...path, "label"], (error as Error).message);
    }
  }
  if ("expiresAt" in obj) {
    if (obj.expiresAt === null) entry.expiresAt = null;
    else {
      const ms = typeof obj.expiresAt === "string" ? Date.parse(obj.expiresAt) : Number.NaN;
      if (Number.isNaN(ms))
        fail([...path, "expiresAt"], "must be an ISO 8601 time, e.g. 2030-01-31T12:00:00Z");
      // exp is in whole seconds
      else entry.expiresAt = Math.floor(ms / 1000) * 1000;
    }
  }
  if (entry.status === "not_set" && (obj.label !== undefined || "expiresAt" in obj)) {
    fail(path, "a not_set JWT takes no label or expiresAt");
    return undefined;
  }
  if (entry.expiresAt !== undefined && entry.status !== "invalid") {
    const fake: TenantJwt = { tenantId: "", tokenId: "", label: "", expiresAt: entry.expiresAt, setAt: now };
    const actual = jwtStatusAt(fake, null, now).status;
    if (actual !== entry.status) {
      fail(
        [...path, "expiresAt"],
        `gives status ${actual}, not ${entry.status}, at ${new Date(now).toISOString()}`,
      );
    }
  }
  return extra.length > 0 ? undefined : entry;
}

function seedError(seed: SeedDocument, issues: readonly { path: SeedPath; message: string }[]): SeedError {
  const source = sourceOf(seed);
  const located: SeedIssue[] = issues.map((i) => ({
    path: formatSeedPath(i.path),
    message: i.message,
    ...source?.locate(i.path),
  }));
  return new SeedError(located, source?.file);
}
