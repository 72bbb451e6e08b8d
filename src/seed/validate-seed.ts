import {
  assertNumberingFitsFlavour,
  DEFAULT_ROUTING,
  DomainError,
  phoneNumberFor,
  validateApiKey,
  validateCallBehaviour,
  validateCallno,
  validateClientPassword,
  validateDid,
  validateEmail,
  validateFlavour,
  validateLabel,
  validateLocale,
  validateNumbering,
  validatePhoneNumber,
  validateRole,
  validateRouting,
  validateSimultaneousCalls,
  validateSystemId,
  validateTrunkPassword,
  validateTrunkUsername,
} from "../domain/index.js";
import { type ExplainError, type Problem, ProblemReader, placeProblems } from "../shared/untrusted/index.js";
import type { SeedDocument, SeedSystem, SeedTenant, SeedTrunk, SeedUser } from "./seed-document.js";
import { formatSeedPath, SeedError, type SeedPath } from "./seed-error.js";

/**
 * The keys a seed accepts per object, as data: tests/unit/seed/seed-parity.test.ts holds them
 * against the REST API's JSON schemas, so a seed accepts what the API accepts for the same object.
 */
export const SEED_KEYS = {
  document: ["tenants", "clock", "faults"],
  tenant: ["name", "flavour", "apiKey", "clientId", "adminEmail", "systems", "users", "jwt"],
  system: ["systemId", "name", "version", "simultaneousCalls", "numbering", "trunk"],
  numbering: ["schema", "countryCode", "areaCode", "pabxNumber"],
  trunk: ["username", "password", "auth"],
  user: [
    "emailAddress",
    "firstName",
    "lastName",
    "locale",
    "role",
    "callno",
    "did",
    "phoneNumber",
    "system",
    "callBehaviour",
    "routing",
    "alternativeNumber",
    "busyBehaviour",
    "clientPassword",
  ],
} as const satisfies Record<string, readonly string[]>;

const TOP_KEYS = SEED_KEYS.document;
const TENANT_KEYS = SEED_KEYS.tenant;
const SYSTEM_KEYS = SEED_KEYS.system;
const NUMBERING_KEYS = SEED_KEYS.numbering;
const TRUNK_KEYS = SEED_KEYS.trunk;
const USER_KEYS = SEED_KEYS.user;

const label = (v: unknown, field: string): string => validateLabel(v, field);

/** A domain rule's DomainError names the field; a number where text is wanted gets a hint. */
const explainDomainError: ExplainError = (error, value, field) => {
  if (!(error instanceof DomainError)) return undefined;
  const name = error.field ?? field;
  let message = error.message;
  if (typeof value === "number" && message.endsWith("must be a string")) message += `; quote it: "${value}"`;
  return { field: name, message: message.startsWith(`${name} `) ? message.slice(name.length + 1) : message };
};

/** Remembers the first path of each value, to report duplicates. */
class Uniques {
  private readonly seen = new Map<string, SeedPath>();
  constructor(private readonly checker: ProblemReader) {}
  check(value: string | undefined, path: SeedPath, what: string): void {
    if (value === undefined) return;
    const first = this.seen.get(value);
    if (first) this.checker.fail(path, `${what} duplicates ${formatSeedPath(first)}`);
    else this.seen.set(value, path);
  }
}

function checkTrunk(c: ProblemReader, value: unknown, path: SeedPath): SeedTrunk {
  if (value === undefined || value === null) return {};
  const obj = c.mapping(value, path, TRUNK_KEYS, "a trunk");
  if (!obj) return {};
  const trunk: SeedTrunk = {};
  const username = c.validated(obj, path, "username", validateTrunkUsername);
  const password = c.validated(obj, path, "password", validateTrunkPassword);
  if (username !== undefined) trunk.username = username;
  if (password !== undefined) trunk.password = password;
  const auth = c.boolean(obj, path, "auth");
  if (auth !== undefined) trunk.auth = auth;
  return trunk;
}

function checkSystem(c: ProblemReader, value: unknown, path: SeedPath): SeedSystem | undefined {
  const obj = c.mapping(value, path, SYSTEM_KEYS, "a system");
  if (!obj) return undefined;
  const systemId = c.validated(obj, path, "systemId", validateSystemId, true);
  const system: SeedSystem = {
    systemId: systemId ?? "",
    trunk: checkTrunk(c, obj.trunk, [...path, "trunk"]),
  };
  const name = c.validated(obj, path, "name", label);
  const version = c.validated(obj, path, "version", label);
  const calls = c.validated(obj, path, "simultaneousCalls", validateSimultaneousCalls);
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
  c: ProblemReader,
  value: unknown,
  path: SeedPath,
  systems: SeedSystem[],
): SeedUser | undefined {
  const obj = c.mapping(value, path, USER_KEYS, "a user");
  if (!obj) return undefined;
  const emailAddress = c.validated(obj, path, "emailAddress", validateEmail, true);
  const firstName = c.validated(obj, path, "firstName", label, true);
  const lastName = c.validated(obj, path, "lastName", label, true);
  const locale = c.validated(obj, path, "locale", validateLocale, true);
  const role = c.validated(obj, path, "role", validateRole);
  const callno = c.validated(obj, path, "callno", validateCallno);
  const did = c.validated(obj, path, "did", validateDid);
  const phoneNumber = c.validated(obj, path, "phoneNumber", validatePhoneNumber);
  const systemId = c.validated(obj, path, "system", validateSystemId);
  const callBehaviour = c.validated(obj, path, "callBehaviour", validateCallBehaviour);
  const clientPassword = c.validated(obj, path, "clientPassword", validateClientPassword);
  // Routing settings as over REST (domain validateRouting: alternativeNumber with alternative).
  const routingGiven = ["routing", "alternativeNumber", "busyBehaviour"].some((k) => obj[k] !== undefined);
  const routing = routingGiven
    ? c.attempt(path, "routing", () =>
        validateRouting(DEFAULT_ROUTING, {
          routing: obj.routing,
          alternativeNumber: obj.alternativeNumber,
          busyBehaviour: obj.busyBehaviour,
        }),
      )
    : undefined;
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
  if (callBehaviour !== undefined) user.callBehaviour = callBehaviour;
  if (clientPassword !== undefined) user.clientPassword = clientPassword;
  if (routing !== undefined) Object.assign(user, routing);
  const numbering = system?.numbering;
  if (numbering && callno !== undefined && phoneNumber === undefined) {
    const computed = c.attempt(path, "callno", () => phoneNumberFor(numbering, callno));
    if (computed !== undefined) user.phoneNumber = computed;
  }
  return user;
}

function checkTenant(
  c: ProblemReader,
  value: unknown,
  path: SeedPath,
  trunkUsers: Uniques,
): SeedTenant | undefined {
  const obj = c.mapping(value, path, TENANT_KEYS, "a tenant");
  if (!obj) return undefined;
  const name = c.validated(obj, path, "name", label, true);
  const flavour = c.validated(obj, path, "flavour", validateFlavour);
  const tenant: SeedTenant = { name: name ?? "", flavour: flavour ?? "openscape", systems: [], users: [] };
  const apiKey = c.validated(obj, path, "apiKey", validateApiKey);
  const clientId = c.validated(obj, path, "clientId", label);
  if (apiKey !== undefined) tenant.apiKey = apiKey;
  if (clientId !== undefined) tenant.clientId = clientId;
  const adminEmail = c.validated(obj, path, "adminEmail", validateEmail);
  if (adminEmail !== undefined) tenant.adminEmail = adminEmail;
  if ("jwt" in obj) tenant.jwt = obj.jwt;

  const systemIds = new Uniques(c);
  c.sequence(obj.systems, [...path, "systems"]).forEach((item, i) => {
    const sPath = [...path, "systems", i];
    const system = checkSystem(c, item, sPath);
    if (!system) return;
    if (system.numbering && flavour === "video") {
      c.attempt(sPath, "numbering", () => assertNumberingFitsFlavour(system.numbering!, "video"));
    }
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
    if (user.emailAddress.toLowerCase() === adminEmail?.toLowerCase() && user.role !== "admin")
      c.fail([...uPath, "role"], "must be admin: adminEmail names this user");
    tenant.users.push(user);
  });
  return name === undefined ? undefined : tenant;
}

/** Validates and normalises a parsed seed; issues carry paths but no positions. */
export function checkSeed(value: unknown): { document: SeedDocument; issues: Problem[] } {
  const c = new ProblemReader(explainDomainError);
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

/** Validates a parsed seed (e.g. from a scenario); throws SeedError naming every problem. */
export function validateSeed(value: unknown): SeedDocument {
  const { document, issues } = checkSeed(value);
  if (issues.length > 0) throw new SeedError(placeProblems(issues));
  return document;
}
