import type {
  BusyBehaviour,
  CallBehaviour,
  Flavour,
  Locale,
  Numbering,
  PbxSystem,
  Tenant,
  Trunk,
  User,
  UserRole,
  UserRouting,
} from "../domain/index.js";
import type { ClientCredentialRepository } from "./client-credential-repository.js";

/**
 * The persistence port. All methods are synchronous. Writes are atomic; a write inside
 * `transaction()` commits or rolls back with it. Violated constraints throw `DomainError`
 * (e.g. `tenant_name_taken`, `email_taken`, `trunk_username_taken`). Returned tenants,
 * systems and trunks are frozen shared objects: do not mutate, use `update`.
 */
export interface Store {
  readonly tenants: TenantRepository;
  readonly systems: SystemRepository;
  readonly trunks: TrunkRepository;
  readonly users: UserRepository;
  readonly settings: SettingsRepository;
  readonly portalTokens: PortalTokenRepository;
  readonly tenantJwts: TenantJwtRepository;
  readonly clientCredentials: ClientCredentialRepository;
  /** ":memory:" or the database file path. */
  readonly location: string;
  /** Runs `fn` in one transaction (nested calls become savepoints); it must be synchronous. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface NewTenant {
  name: string;
  /** default "openscape" */
  flavour?: Flavour;
  /** generated when absent */
  apiKey?: string;
  /** generated when absent */
  clientId?: string;
  /** default: the store clock */
  createdAt?: number;
}

export interface TenantPatch {
  name?: string;
  flavour?: Flavour;
  apiKey?: string;
  clientId?: string;
}

export interface TenantRepository {
  create(input: NewTenant): Tenant;
  get(id: string): Tenant | undefined;
  /** case-insensitive */
  getByName(name: string): Tenant | undefined;
  getByApiKey(apiKey: string): Tenant | undefined;
  list(): Tenant[];
  /** Throws `tenant_not_found`. */
  update(id: string, patch: TenantPatch): Tenant;
  /** Deletes the tenant with its systems, trunks and users. */
  delete(id: string): boolean;
}

/** Omitted optional fields keep their stored value on update and get defaults on insert. */
export interface SystemInput {
  tenantId: string;
  systemId: string;
  /** default: systemId */
  name?: string;
  version?: string;
  /** default 16 */
  simultaneousCalls?: number;
  /** default { schema: "international" } */
  numbering?: Numbering;
  createdAt?: number;
}

export interface UpsertResult<T> {
  value: T;
  created: boolean;
}

export interface SystemRepository {
  /** Inserts or updates the system `systemId` of the tenant (idempotent per systemId). */
  upsert(input: SystemInput): UpsertResult<PbxSystem>;
  get(id: string): PbxSystem | undefined;
  getBySystemId(tenantId: string, systemId: string): PbxSystem | undefined;
  listByTenant(tenantId: string): PbxSystem[];
  /** Deletes the system and its trunk; its users lose their trunkId. */
  delete(id: string): boolean;
}

export interface NewTrunk {
  /** PbxSystem.id; the trunk belongs to the system's tenant. One trunk per system. */
  systemRef: string;
  /** generated (unique across tenants) when absent */
  username?: string;
  /** generated when absent */
  password?: string;
  /** default true */
  authRequired?: boolean;
  createdAt?: number;
}

export interface TrunkPatch {
  username?: string;
  password?: string;
  authRequired?: boolean;
}

export interface TrunkRepository {
  /** Takes the tenant's next name (`nextName`). */
  create(input: NewTrunk): Trunk;
  get(id: string): Trunk | undefined;
  /** Hot path of the registrar: a Map lookup. */
  getByUsername(username: string): Trunk | undefined;
  getBySystem(systemRef: string): Trunk | undefined;
  getByName(tenantId: string, name: string): Trunk | undefined;
  /** In name order (gtc-001, gtc-002, …). */
  listByTenant(tenantId: string): Trunk[];
  /** Throws `trunk_not_found`. */
  update(id: string, patch: TrunkPatch): Trunk;
  /** Its users lose their trunkId. */
  delete(id: string): boolean;
  /** The name the tenant's next trunk gets; names are never reused after a delete. */
  nextName(tenantId: string): string;
}

export interface NewUser {
  tenantId: string;
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: Locale | string;
  /** default "user" */
  role?: UserRole;
  /** must be a trunk of the same tenant */
  trunkId?: string;
  callno?: string;
  did?: string;
  phoneNumber?: string;
  /** default DEFAULT_CALL_BEHAVIOUR */
  callBehaviour?: CallBehaviour;
  /** default DEFAULT_ROUTING */
  routing?: UserRouting;
  alternativeNumber?: string | null;
  busyBehaviour?: BusyBehaviour;
  createdAt?: number;
}

/** `null` clears an optional field. */
export interface UserPatch {
  emailAddress?: string;
  firstName?: string;
  lastName?: string;
  locale?: Locale | string;
  role?: UserRole;
  trunkId?: string | null;
  callno?: string | null;
  did?: string | null;
  phoneNumber?: string | null;
  callBehaviour?: CallBehaviour;
  routing?: UserRouting;
  /** null clears it (only valid when routing is not alternative) */
  alternativeNumber?: string | null;
  busyBehaviour?: BusyBehaviour;
}

export interface UserQuery {
  tenantId: string;
  /** case-insensitive substring of name, e-mail, callno, DID or phone number */
  search?: string;
  /** default 0 */
  offset?: number;
  /** default 100 */
  limit?: number;
}

export interface UserPage {
  /** ordered by last name, first name, e-mail */
  items: User[];
  /** all matches, ignoring offset/limit */
  total: number;
}

/** What an import matches and compares: a user without call behaviour and timestamps. */
export type UserRecord = Pick<
  User,
  | "id"
  | "emailAddress"
  | "firstName"
  | "lastName"
  | "locale"
  | "role"
  | "trunkId"
  | "callno"
  | "did"
  | "phoneNumber"
  | "routing"
  | "alternativeNumber"
  | "busyBehaviour"
>;

/** The import's bulk write: every field of `updates` replaces the stored one. */
export interface UserBulkWrite {
  readonly creates: readonly Omit<UserRecord, "id">[];
  readonly updates: readonly UserRecord[];
}

export interface UserRepository {
  create(input: NewUser): User;
  get(id: string): User | undefined;
  /** case-insensitive */
  getByEmail(tenantId: string, emailAddress: string): User | undefined;
  /** Phone numbers are unique per tenant (`phone_number_taken`). */
  getByPhoneNumber(tenantId: string, phoneNumber: string): User | undefined;
  list(query: UserQuery): UserPage;
  /** Every user of the tenant, in list order. */
  listByTenant(tenantId: string): User[];
  /** Every user of the tenant as a lean record, unordered: what an import matches against. */
  listRecords(tenantId: string): UserRecord[];
  /**
   * Creates and updates many users in one transaction (a savepoint inside `transaction()`),
   * one prepared statement each; call behaviour and createdAt of updated users are kept.
   * Values must have passed the domain validators: only trunks and constraints are checked.
   * Phone numbers may move between the updated users (e.g. a swap).
   */
  writeMany(tenantId: string, write: UserBulkWrite): void;
  /** Throws `user_not_found`. */
  update(id: string, patch: UserPatch): User;
  /** How many users of the tenant have the role admin (the last one cannot go). */
  countAdmins(tenantId: string): number;
  delete(id: string): boolean;
}

export interface SettingsRepository {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): boolean;
}

/** A token minted by the emulated JWT creation portal (its text is not stored). */
export interface PortalToken {
  /** the JWT's `jti` */
  id: string;
  /** the JWT's `aud` and `sub` */
  clientId: string;
  label: string;
  /** the JWT's `exp` in ms; null: no expiry */
  expiresAt: number | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface PortalTokenRepository {
  create(token: Omit<PortalToken, "revokedAt">): PortalToken;
  get(id: string): PortalToken | undefined;
  /** Newest first; only the tokens of `clientId` when given. */
  list(clientId?: string): PortalToken[];
  /** Keeps the first revocation time; undefined when there is no such token. */
  revoke(id: string, at: number): PortalToken | undefined;
}

/** The JWT a tenant has set (PUT …/jwt): which portal token, as it was when set. */
export interface TenantJwt {
  tenantId: string;
  tokenId: string;
  label: string;
  expiresAt: number | null;
  setAt: number;
}

export interface TenantJwtRepository {
  get(tenantId: string): TenantJwt | undefined;
  /** Replaces the tenant's JWT; the token must exist in the portal. */
  set(jwt: TenantJwt): TenantJwt;
  delete(tenantId: string): boolean;
}
