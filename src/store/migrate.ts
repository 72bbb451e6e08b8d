import type Database from "better-sqlite3";
import {
  clientCredentialsMigration,
  initialMigration,
  jwtMigration,
  type Migration,
  userNumbersMigration,
  userRoutingMigration,
} from "./migrations/index.js";

/** In version order; append new migrations, never edit applied ones. */
export const MIGRATIONS: readonly Migration[] = [
  initialMigration,
  jwtMigration,
  userNumbersMigration,
  clientCredentialsMigration,
  userRoutingMigration,
];

export class MigrationError extends Error {
  override readonly name = "MigrationError";

  constructor(
    readonly code: "database_too_new" | "migration_failed",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Brings the schema to the newest version, one transaction per migration, tracking the
 * version in PRAGMA user_version. Returns the versions applied.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((m, i) => {
    if (i > 0 && m.version <= migrations[i - 1]!.version)
      throw new Error(`migration ${m.version} is out of order`);
  });
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > latest) {
    throw new MigrationError(
      "database_too_new",
      `the database ${db.name} has schema version ${current}, but this emulator knows only up to ${latest}; ` +
        "use a newer emulator or another data dir",
    );
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(m.up);
        db.pragma(`user_version = ${m.version}`);
      })();
    } catch (error) {
      throw new MigrationError(
        "migration_failed",
        `migration ${m.version} (${m.name}) failed on ${db.name}: ${(error as Error).message}`,
      );
    }
    applied.push(m.version);
  }
  return applied;
}
