import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqliteStore } from "../../../src/store/index.js";
import { memoryStore } from "./store-fixtures.js";

let store: SqliteStore;
let tenantId: string;

function system(systemId: string, tenant = tenantId): string {
  return store.systems.upsert({ tenantId: tenant, systemId }).value.id;
}

beforeEach(() => {
  ({ store } = memoryStore());
  tenantId = store.tenants.create({ name: "Acme" }).id;
});
afterEach(() => store.close());

describe("trunks", () => {
  it("creates gtc-001 with generated credentials, auth required by default", () => {
    const trunk = store.trunks.create({ systemRef: system("osbiz-1") });
    expect(trunk.name).toBe("gtc-001");
    expect(trunk.tenantId).toBe(tenantId);
    expect(trunk.username).toMatch(/^[1-9][0-9]{9}$/);
    expect(trunk.password.length).toBeGreaterThanOrEqual(20);
    expect(trunk.authRequired).toBe(true);
    expect(store.trunks.getByUsername(trunk.username)).toEqual(trunk);
    expect(store.trunks.getBySystem(trunk.systemRef)).toEqual(trunk);
    expect(store.trunks.getByName(tenantId, "gtc-001")).toEqual(trunk);
  });

  it("names sequentially per tenant and never reuses a deleted name", () => {
    const a = store.trunks.create({ systemRef: system("s1") });
    const b = store.trunks.create({ systemRef: system("s2") });
    expect([a.name, b.name]).toEqual(["gtc-001", "gtc-002"]);
    store.trunks.delete(b.id);
    expect(store.trunks.nextName(tenantId)).toBe("gtc-003");
    expect(store.trunks.create({ systemRef: system("s3") }).name).toBe("gtc-003");
    const other = store.tenants.create({ name: "Beta" }).id;
    expect(store.trunks.create({ systemRef: system("s1", other) }).name).toBe("gtc-001");
  });

  it("lists a tenant's trunks in name order past gtc-009", () => {
    for (let i = 1; i <= 11; i++) store.trunks.create({ systemRef: system(`s${i}`) });
    const names = store.trunks.listByTenant(tenantId).map((t) => t.name);
    expect(names[0]).toBe("gtc-001");
    expect(names.slice(-3)).toEqual(["gtc-009", "gtc-010", "gtc-011"]);
  });

  it("keeps usernames unique across tenants", () => {
    store.trunks.create({ systemRef: system("s1"), username: "3919209257" });
    const other = store.tenants.create({ name: "Beta" }).id;
    expect(() => store.trunks.create({ systemRef: system("s1", other), username: "3919209257" })).toThrow(
      expect.objectContaining({ code: "trunk_username_taken", field: "username" }),
    );
  });

  it("allows one trunk per system, and a refused create does not consume a name", () => {
    const ref = system("s1");
    store.trunks.create({ systemRef: ref });
    expect(() => store.trunks.create({ systemRef: ref })).toThrow(
      expect.objectContaining({ code: "system_has_trunk" }),
    );
    expect(store.trunks.nextName(tenantId)).toBe("gtc-002");
    expect(store.trunks.listByTenant(tenantId)).toHaveLength(1);
  });

  it("refuses unknown systems and invalid credentials", () => {
    expect(() => store.trunks.create({ systemRef: "sy_none" })).toThrow(
      expect.objectContaining({ code: "system_not_found" }),
    );
    expect(() => store.trunks.create({ systemRef: system("s1"), username: "12345" })).toThrow(
      expect.objectContaining({ code: "invalid_trunk_username" }),
    );
    expect(() => store.trunks.nextName("tn_none")).toThrow(
      expect.objectContaining({ code: "tenant_not_found" }),
    );
  });

  it("hot path follows updates: the old username stops resolving, the new one resolves", () => {
    const trunk = store.trunks.create({
      systemRef: system("s1"),
      username: "3919209257",
      password: "old-pass",
    });
    const updated = store.trunks.update(trunk.id, {
      username: "4000000001",
      password: "new-pass",
      authRequired: false,
    });
    expect(store.trunks.getByUsername("3919209257")).toBeUndefined();
    expect(store.trunks.getByUsername("4000000001")).toEqual(updated);
    expect(updated).toMatchObject({ password: "new-pass", authRequired: false, name: "gtc-001" });
    expect(store.trunks.getBySystem(trunk.systemRef)?.password).toBe("new-pass");
  });

  it("a refused update leaves the hot path as it was", () => {
    const a = store.trunks.create({ systemRef: system("s1"), username: "3919209257" });
    store.trunks.create({ systemRef: system("s2"), username: "4000000001" });
    expect(() => store.trunks.update(a.id, { username: "4000000001" })).toThrow(
      expect.objectContaining({ code: "trunk_username_taken" }),
    );
    expect(store.trunks.getByUsername("3919209257")?.id).toBe(a.id);
    expect(store.trunks.getByUsername("4000000001")?.systemRef).not.toBe(a.systemRef);
  });

  it("hot path follows deletes", () => {
    const trunk = store.trunks.create({ systemRef: system("s1") });
    expect(store.trunks.delete(trunk.id)).toBe(true);
    expect(store.trunks.getByUsername(trunk.username)).toBeUndefined();
    expect(store.trunks.getBySystem(trunk.systemRef)).toBeUndefined();
    expect(store.trunks.getByName(tenantId, trunk.name)).toBeUndefined();
    expect(store.trunks.delete(trunk.id)).toBe(false);
    expect(() => store.trunks.update(trunk.id, { password: "x" })).toThrow(
      expect.objectContaining({ code: "trunk_not_found" }),
    );
  });
});
