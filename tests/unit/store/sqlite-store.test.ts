import { chmodSync, existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DATABASE_FILE, openStore, type SqliteStore } from "../../../src/store/index.js";
import { memoryStore, tempDir, tenantWithTrunk } from "./store-fixtures.js";

const mode = (path: string): number => statSync(path).mode & 0o777;

describe("openStore on disk", () => {
  let dir: string;
  let cleanup: () => void;
  const open: SqliteStore[] = [];

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
    cleanup();
  });

  function openAt(dataDir: string): SqliteStore {
    const store = openStore({ dataDir, ephemeral: false });
    open.push(store);
    return store;
  }

  it("creates the dir 0700 and the database 0600", () => {
    const dataDir = join(dir, "data");
    const store = openAt(dataDir);
    expect(store.location).toBe(join(dataDir, DATABASE_FILE));
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(store.location)).toBe(0o600);
    store.tenants.create({ name: "Acme" });
    expect(mode(`${store.location}-wal`)).toBe(0o600);
  });

  it("tightens an existing database file to 0600", () => {
    const file = join(dir, DATABASE_FILE);
    writeFileSync(file, "");
    chmodSync(file, 0o644);
    openAt(dir);
    expect(mode(file)).toBe(0o600);
  });

  it("keeps everything across close and reopen, caches included", () => {
    const first = openAt(dir);
    const { tenant, trunk } = tenantWithTrunk(first);
    first.users.create({
      tenantId: tenant.id,
      emailAddress: "a@acme.test",
      firstName: "Al",
      lastName: "Ace",
      locale: "de-DE",
      trunkId: trunk.id,
    });
    first.settings.set("admin-token-hash", "abc");
    first.close();

    const second = openAt(dir);
    expect(second.tenants.getByApiKey(tenant.apiKey)).toEqual(tenant);
    expect(second.trunks.getByUsername(trunk.username)).toEqual(trunk);
    expect(second.systems.listByTenant(tenant.id)).toHaveLength(1);
    expect(second.users.getByEmail(tenant.id, "a@acme.test")?.trunkId).toBe(trunk.id);
    expect(second.settings.get("admin-token-hash")).toBe("abc");
    expect(second.trunks.nextName(tenant.id)).toBe("gtc-002");
  });

  it("leaves the database in WAL mode", () => {
    openAt(dir).close();
    const db = new Database(join(dir, DATABASE_FILE));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("refuses a second open of the same data dir while the first is open", () => {
    openAt(dir);
    expect(() => openAt(dir)).toThrow(/in use by another process/);
  });

  it("needs a dataDir unless ephemeral", () => {
    expect(() => openStore({ ephemeral: false })).toThrow(/dataDir is required/);
  });

  it("ephemeral stores write no file", () => {
    const store = openStore({ ephemeral: true, dataDir: dir });
    open.push(store);
    store.tenants.create({ name: "Acme" });
    expect(store.location).toBe(":memory:");
    expect(existsSync(join(dir, DATABASE_FILE))).toBe(false);
  });
});

describe("transactions", () => {
  let store: SqliteStore;
  beforeEach(() => {
    ({ store } = memoryStore());
  });
  afterEach(() => store.close());

  it("roll back SQL and the hot-path caches together", () => {
    const kept = store.tenants.create({ name: "Kept", apiKey: "kept-key-0001-ZWQbAXOClz4txljJ7sCr" });
    expect(() =>
      store.transaction(() => {
        const { trunk } = tenantWithTrunk(store, "Gone");
        store.tenants.update(kept.id, { apiKey: "kept-key-0002-wh68nx9ndoQtiP6RgiPY" });
        expect(store.trunks.getByUsername(trunk.username)).toBeDefined();
        throw new Error("late failure");
      }),
    ).toThrow("late failure");
    expect(store.tenants.getByName("Gone")).toBeUndefined();
    expect(store.tenants.getByApiKey("kept-key-0001-ZWQbAXOClz4txljJ7sCr")?.id).toBe(kept.id);
    expect(store.tenants.getByApiKey("kept-key-0002-wh68nx9ndoQtiP6RgiPY")).toBeUndefined();
    expect(store.systems.listByTenant(kept.id)).toEqual([]);
    expect([...store.tenants.list()].map((t) => t.name)).toEqual(["Kept"]);
  });

  it("roll back a deletion in the caches too", () => {
    const { tenant, trunk } = tenantWithTrunk(store);
    expect(() =>
      store.transaction(() => {
        store.tenants.delete(tenant.id);
        throw new Error("abort");
      }),
    ).toThrow("abort");
    expect(store.trunks.getByUsername(trunk.username)).toEqual(trunk);
    expect(store.tenants.get(tenant.id)).toEqual(tenant);
  });

  it("nest as savepoints: a caught inner failure undoes only the inner work", () => {
    const result = store.transaction(() => {
      store.tenants.create({ name: "Outer" });
      try {
        store.transaction(() => {
          store.tenants.create({ name: "Inner" });
          store.tenants.create({ name: "outer" });
        });
      } catch (error) {
        expect(error).toMatchObject({ code: "tenant_name_taken" });
      }
      return "done";
    });
    expect(result).toBe("done");
    expect(store.tenants.list().map((t) => t.name)).toEqual(["Outer"]);
    expect(store.tenants.getByName("Inner")).toBeUndefined();
  });
});

describe("settings", () => {
  it("gets, overwrites and deletes strings", () => {
    const { store } = memoryStore();
    expect(store.settings.get("k")).toBeUndefined();
    store.settings.set("k", "v1");
    store.settings.set("k", "v2");
    expect(store.settings.get("k")).toBe("v2");
    expect(store.settings.delete("k")).toBe(true);
    expect(store.settings.delete("k")).toBe(false);
    expect(store.settings.get("k")).toBeUndefined();
    store.close();
  });
});
