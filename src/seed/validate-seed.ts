import {
  phoneNumberFor,
  validateApiKey,
  validateCallno,
  validateDid,
  validateEmail,
  validateFlavour,
  validateLabel,
  validateLocale,
  validateNumbering,
  validatePhoneNumber,
  validateRole,
  validateSimultaneousCalls,
  validateSystemId,
  validateTrunkPassword,
  validateTrunkUsername,
} from "../domain/index.js";
import { type RawIssue, SeedChecker } from "./seed-checker.js";
import type { SeedDocument, SeedSystem, SeedTenant, SeedTrunk, SeedUser } from "./seed-document.js";
import { formatSeedPath, SeedError, type SeedPath } from "./seed-error.js";

const TOP_KEYS = ["tenants", "clock", "faults"];
const TENANT_KEYS = ["name", "flavour", "apiKey", "clientId", "systems", "users", "jwt"];
const SYSTEM_KEYS = ["systemId", "name", "version", "simultaneousCalls", "numbering", "trunk"];
const NUMBERING_KEYS = ["schema", "countryCode", "areaCode", "pabxNumber"];
const TRUNK_KEYS = ["username", "password", "auth"];
const USER_KEYS = [
  "emailAddress",
  "firstName",
  "lastName",
  "locale",
  "role",
  "callno",
  "did",
  "phoneNumber",
  "system",
];

const label = (v: unknown, field: string): string => validateLabel(v, field);

/** Remembers the first path of each value, to report duplicates. */
class Uniques {
  private readonly seen = new Map<string, SeedPath>();
  constructor(private readonly checker: SeedChecker) {}
  check(value: string | undefined, path: SeedPath, what: string): void {
    if (value === undefined) return;
    const first = this.seen.get(value);
    if (first) this.checker.fail(path, `${what} duplicates ${formatSeedPath(first)}`);
    else this.seen.set(value, path);
  }
}

function checkTrunk(c: SeedChecker, value: unknown, path: SeedPath): SeedTrunk {
  if (value === undefined || value === null) return {};
  const obj = c.mapping(value, path, TRUNK_KEYS, "a trunk");
  if (!obj) return {};
  const trunk: SeedTrunk = {};
  const username = c.optional(obj, path, "username", validateTrunkUsername);
  const password = c.optional(obj, path, "password", validateTrunkPassword);
  if (username !== undefined) trunk.username = username;
  if (password !== undefined) trunk.password = password;
  if (obj.auth !== undefined) {
    if (typeof obj.auth === "boolean") trunk.auth = obj.auth;
    else c.fail([...path, "auth"], "must be true or false");
  }
  return trunk;
}

function checkSystem(c: SeedChecker, value: unknown, path: SeedPath): SeedSystem | undefined {
  const obj = c.mapping(value, path, SYSTEM_KEYS, "a system");
  if (!obj) return undefined;
  const systemId = c.required(obj, path, "systemId", validateSystemId);
  const system: SeedSystem = {
    systemId: systemId ?? "",
    trunk: checkTrunk(c, obj.trunk, [...path, "trunk"]),
  };
  const name = c.optional(obj, path, "name", label);
  const version = c.optional(obj, path, "version", label);
  const calls = c.optional(obj, path, "simultaneousCalls", validateSimultaneousCalls);
  if (name !== undefined) system.name = name;
  if (version !== undefined) system.version = version;
  if (calls !== undefined) system.simultaneousCalls = calls;
  if (obj.numbering !== undefined && obj.numbering !== null) {
    const numbering = c.mapping(obj.numbering, [...path, "numbering"], NUMBERING_KEYS, "numbering");
    const valid = numbering && c.attempt(path, "numbering", () => validateNumbering(numbering, "numbering"));
    if (valid) system.numbering = valid;
  }
  return systemId === undefined ? undefined : system;
}

function checkUser(
  c: SeedChecker,
  value: unknown,
  path: SeedPath,
  systems: SeedSystem[],
): SeedUser | undefined {
  const obj = c.mapping(value, path, USER_KEYS, "a user");
  if (!obj) return undefined;
  const emailAddress = c.required(obj, path, "emailAddress", validateEmail);
  const firstName = c.required(obj, path, "firstName", label);
  const lastName = c.required(obj, path, "lastName", label);
  const locale = c.required(obj, path, "locale", validateLocale);
  const role = c.optional(obj, path, "role", validateRole);
  const callno = c.optional(obj, path, "callno", validateCallno);
  const did = c.optional(obj, path, "did", validateDid);
  const phoneNumber = c.optional(obj, path, "phoneNumber", validatePhoneNumber);
  const systemId = c.optional(obj, path, "system", validateSystemId);
  const system = systemId === undefined ? undefined : systems.find((s) => s.systemId === systemId);
  if (systemId !== undefined && !system)
    c.fail([...path, "system"], `"${systemId}" is not a systemId of this tenant`);
  if (!emailAddress || !firstName || !lastName || !locale) return undefined;
  const user: SeedUser = { emailAddress, firstName, lastName, locale };
  if (role !== undefined) user.role = role;
  if (callno !== undefined) user.callno = callno;
  if (did !== undefined) user.did = did;
  if (phoneNumber !== undefined) user.phoneNumber = phoneNumber;
  if (systemId !== undefined) user.system = systemId;
  const numbering = system?.numbering;
  if (numbering && callno !== undefined && phoneNumber === undefined) {
    const computed = c.attempt(path, "callno", () => phoneNumberFor(numbering, callno));
    if (computed !== undefined) user.phoneNumber = computed;
  }
  return user;
}

function checkTenant(
  c: SeedChecker,
  value: unknown,
  path: SeedPath,
  trunkUsers: Uniques,
): SeedTenant | undefined {
  const obj = c.mapping(value, path, TENANT_KEYS, "a tenant");
  if (!obj) return undefined;
  const name = c.required(obj, path, "name", label);
  const flavour = c.optional(obj, path, "flavour", validateFlavour);
  const tenant: SeedTenant = { name: name ?? "", flavour: flavour ?? "openscape", systems: [], users: [] };
  const apiKey = c.optional(obj, path, "apiKey", validateApiKey);
  const clientId = c.optional(obj, path, "clientId", label);
  if (apiKey !== undefined) tenant.apiKey = apiKey;
  if (clientId !== undefined) tenant.clientId = clientId;
  if ("jwt" in obj) tenant.jwt = obj.jwt;

  const systemIds = new Uniques(c);
  c.sequence(obj.systems, [...path, "systems"]).forEach((item, i) => {
    const sPath = [...path, "systems", i];
    const system = checkSystem(c, item, sPath);
    if (!system) return;
    systemIds.check(system.systemId, [...sPath, "systemId"], "systemId");
    trunkUsers.check(system.trunk.username, [...sPath, "trunk", "username"], "trunk username");
    tenant.systems.push(system);
  });
  const emails = new Uniques(c);
  c.sequence(obj.users, [...path, "users"]).forEach((item, i) => {
    const uPath = [...path, "users", i];
    const user = checkUser(c, item, uPath, tenant.systems);
    if (!user) return;
    emails.check(user.emailAddress.toLowerCase(), [...uPath, "emailAddress"], "emailAddress");
    tenant.users.push(user);
  });
  return name === undefined ? undefined : tenant;
}

/** Validates and normalises a parsed seed; issues carry paths but no positions. */
export function checkSeed(value: unknown): { document: SeedDocument; issues: RawIssue[] } {
  const c = new SeedChecker();
  const document: SeedDocument = { tenants: [] };
  const top = c.mapping(value, [], TOP_KEYS, "the seed document");
  if (!top) return { document, issues: c.issues };
  if ("clock" in top) document.clock = top.clock;
  if ("faults" in top) document.faults = top.faults;
  const names = new Uniques(c);
  const apiKeys = new Uniques(c);
  const trunkUsers = new Uniques(c);
  c.sequence(top.tenants, ["tenants"]).forEach((item, i) => {
    const tenant = checkTenant(c, item, ["tenants", i], trunkUsers);
    if (!tenant) return;
    names.check(tenant.name.toLowerCase(), ["tenants", i, "name"], "tenant name");
    apiKeys.check(tenant.apiKey, ["tenants", i, "apiKey"], "apiKey");
    document.tenants.push(tenant);
  });
  return { document, issues: c.issues };
}

export function toSeedIssues(issues: readonly RawIssue[]): { path: string; message: string }[] {
  return issues.map((i) => ({ path: formatSeedPath(i.path), message: i.message }));
}

/** Validates a parsed seed (e.g. from a scenario); throws SeedError naming every problem. */
export function validateSeed(value: unknown): SeedDocument {
  const { document, issues } = checkSeed(value);
  if (issues.length > 0) throw new SeedError(toSeedIssues(issues));
  return document;
}
