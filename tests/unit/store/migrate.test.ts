import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DATABASE_FILE, MIGRATIONS, type Migration, migrate, openStore } from "../../../src/store/index.js";
import { tempDir } from "./store-fixtures.js";

const latest = MIGRATIONS.at(-1)!.version;

describe("migrate", () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(":memory:");
  });
  afterEach(() => db.close());

  it("applies every migration to a fresh database and records the version", () => {
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(db.pragma("user_version", { simple: true })).toBe(latest);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        "settings",
        "systems",
        "tenants",
        "trunks",
        "users",
        "portal_tokens",
        "tenant_jwts",
      ]),
    );
  });

  it("skips what is applied and runs only newer migrations", () => {
    migrate(db);
    expect(migrate(db)).toEqual([]);
    const next: Migration = {
      version: latest + 1,
      name: "extra",
      up: "CREATE TABLE extra (x INTEGER) STRICT;",
    };
    expect(migrate(db, [...MIGRATIONS, next])).toEqual([latest + 1]);
    expect(db.pragma("user_version", { simple: true })).toBe(latest + 1);
  });

  it("rolls a failing migration back entirely", () => {
    migrate(db);
    const broken: Migration = {
      version: latest + 1,
      name: "broken",
      up: "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);",
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(
      expect.objectContaining({ code: "migration_failed", message: expect.stringContaining("broken") }),
    );
    expect(db.pragma("user_version", { simple: true })).toBe(latest);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
  });

  it("refuses a database newer than the code", () => {
    db.pragma(`user_version = ${latest + 1}`);
    expect(() => migrate(db)).toThrow(
      expect.objectContaining({
        code: "database_too_new",
        message: expect.stringContaining(`version ${latest + 1}`),
      }),
    );
  });
});

describe("openStore and migrations", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  it("reopens an already migrated database", () => {
    openStore({ dataDir: dir, ephemeral: false }).close();
    const store = openStore({ dataDir: dir, ephemeral: false });
    expect(store.tenants.list()).toEqual([]);
    store.close();
  });

  it("refuses to open a database from a newer emulator and leaves it alone", () => {
    openStore({ dataDir: dir, ephemeral: false }).close();
    const raw = new Database(join(dir, DATABASE_FILE));
    raw.pragma(`user_version = ${latest + 5}`);
    raw.close();
    expect(() => openStore({ dataDir: dir, ephemeral: false })).toThrow(/newer emulator/);
    const check = new Database(join(dir, DATABASE_FILE));
    expect(check.pragma("user_version", { simple: true })).toBe(latest + 5);
    check.close();
  });
});
