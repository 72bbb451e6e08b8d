export {
  type ClientCredential,
  type ClientCredentialRepository,
  SqliteClientCredentialRepository,
} from "./client-credential-repository.js";
export { MIGRATIONS, MigrationError, migrate } from "./migrate.js";
export type { Migration } from "./migrations/index.js";
export {
  DATABASE_FILE,
  type OpenStoreOptions,
  openStore,
  SqliteStore,
  StoreOpenError,
} from "./sqlite-store.js";
export type {
  NewTenant,
  NewTrunk,
  NewUser,
  PortalToken,
  PortalTokenRepository,
  SettingsRepository,
  Store,
  SystemInput,
  SystemRepository,
  TenantJwt,
  TenantJwtRepository,
  TenantPatch,
  TenantRepository,
  TrunkPatch,
  TrunkRepository,
  UpsertResult,
  UserBulkWrite,
  UserPage,
  UserPatch,
  UserQuery,
  UserRecord,
  UserRepository,
} from "./store.js";
