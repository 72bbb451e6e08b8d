import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteClientCredentialRepository } from "./client-credential-repository.js";
import { migrate } from "./migrate.js";
import { SqlitePortalTokenRepository } from "./portal-token-repository.js";
import { SqliteSettingsRepository } from "./settings-repository.js";
import type { Store } from "./store.js";
import { StoreContext } from "./store-context.js";
import { SqliteSystemRepository } from "./system-repository.js";
import { SqliteTenantJwtRepository } from "./tenant-jwt-repository.js";
import { SqliteTenantRepository } from "./tenant-repository.js";
import { SqliteTrunkRepository } from "./trunk-repository.js";
import { SqliteUserRepository } from "./user-repository.js";

export const DATABASE_FILE = "emulator.db";

export interface OpenStoreOptions {
  /** Required unless ephemeral; created (0700) if absent. */
  dataDir?: string;
  /** true: in memory, gone on close. */
  ephemeral: boolean;
  /** Source of createdAt/updatedAt; default the wall clock. */
  clock?: { now(): number };
}

export class StoreOpenError extends Error {
  override readonly name = "StoreOpenError";
}

export class SqliteStore implements Store {
  readonly tenants: SqliteTenantRepository;
  readonly systems: SqliteSystemRepository;
  readonly trunks: SqliteTrunkRepository;
  readonly users: SqliteUserRepository;
  readonly settings: SqliteSettingsRepository;
  readonly portalTokens: SqlitePortalTokenRepository;
  readonly tenantJwts: SqliteTenantJwtRepository;
  readonly clientCredentials: SqliteClientCredentialRepository;
  private readonly ctx: StoreContext;

  /** Expects a migrated database; use `openStore`. */
  constructor(db: Database.Database, now: () => number) {
    this.ctx = new StoreContext(db, now);
    this.tenants = new SqliteTenantRepository(this.ctx);
    this.systems = new SqliteSystemRepository(this.ctx);
    this.trunks = new SqliteTrunkRepository(this.ctx);
    this.users = new SqliteUserRepository(this.ctx);
    this.settings = new SqliteSettingsRepository(this.ctx);
    this.portalTokens = new SqlitePortalTokenRepository(this.ctx);
    this.tenantJwts = new SqliteTenantJwtRepository(this.ctx);
    this.clientCredentials = new SqliteClientCredentialRepository(this.ctx);
    this.tenants.load();
    this.systems.load();
    this.trunks.load();
  }

  get location(): string {
    return this.ctx.db.name;
  }

  transaction<T>(fn: () => T): T {
    return this.ctx.write(fn);
  }

  close(): void {
    if (this.ctx.db.open) this.ctx.db.close();
  }
}

function prepareFile(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DATABASE_FILE);
  if (existsSync(file)) chmodSync(file, 0o600);
  // Create it ourselves so it never exists with a wider mode; SQLite gives -wal the same mode.
  else closeSync(openSync(file, "a", 0o600));
  return file;
}

/**
 * Opens (and migrates) the store. A file database is exclusively locked while open:
 * a second emulator on the same data dir fails here instead of diverging from our caches.
 */
export function openStore(options: OpenStoreOptions): SqliteStore {
  if (!options.ephemeral && !options.dataDir) {
    throw new StoreOpenError("openStore: a dataDir is required unless ephemeral");
  }
  const file = options.ephemeral ? ":memory:" : prepareFile(options.dataDir!);
  // timeout 0: a locked database means another process owns it; waiting would not help.
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma("foreign_keys = ON");
    if (!options.ephemeral) {
      db.pragma("locking_mode = EXCLUSIVE");
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
    }
    migrate(db);
    const clock = options.clock;
    return new SqliteStore(db, clock ? () => clock.now() : Date.now);
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new StoreOpenError(`the database ${file} is in use by another process (another emulator?)`);
    }
    throw error;
  }
}
