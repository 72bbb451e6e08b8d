import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ControllableClock } from "../../../src/shared/clock.js";
import type { SqliteStore } from "../../../src/store/index.js";
import { memoryStore } from "./store-fixtures.js";

let store: SqliteStore;
let clock: ControllableClock;
let tenantId: string;

beforeEach(() => {
  ({ store, clock } = memoryStore());
  tenantId = store.tenants.create({ name: "Acme" }).id;
});
afterEach(() => store.close());

describe("systems", () => {
  it("inserts with defaults", () => {
    const { value, created } = store.systems.upsert({ tenantId, systemId: "osbiz-1" });
    expect(created).toBe(true);
    expect(value).toEqual({
      id: expect.stringMatching(/^sy_/),
      tenantId,
      systemId: "osbiz-1",
      name: "osbiz-1",
      simultaneousCalls: 16,
      numbering: { schema: "international" },
      createdAt: clock.now(),
    });
  });

  it("is idempotent per systemId and updates only the given fields", () => {
    const first = store.systems.upsert({
      tenantId,
      systemId: "osbiz-1",
      name: "Lab",
      version: "V3R3",
      numbering: { schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" },
    }).value;
    clock.advance(5000);
    const again = store.systems.upsert({ tenantId, systemId: "osbiz-1", simultaneousCalls: 60 });
    expect(again.created).toBe(false);
    expect(again.value).toEqual({ ...first, simultaneousCalls: 60 });
    expect(store.systems.listByTenant(tenantId)).toHaveLength(1);
    expect(store.systems.getBySystemId(tenantId, "osbiz-1")).toEqual(again.value);
  });

  it("keeps systemIds per tenant: the same systemId in two tenants is two systems", () => {
    const other = store.tenants.create({ name: "Beta" }).id;
    const a = store.systems.upsert({ tenantId, systemId: "osbiz-1" }).value;
    const b = store.systems.upsert({ tenantId: other, systemId: "osbiz-1" }).value;
    expect(a.id).not.toBe(b.id);
    expect(store.systems.listByTenant(other).map((s) => s.id)).toEqual([b.id]);
  });

  it("validates and refuses unknown tenants", () => {
    expect(() => store.systems.upsert({ tenantId: "tn_none", systemId: "x" })).toThrow(
      expect.objectContaining({ code: "tenant_not_found" }),
    );
    expect(() => store.systems.upsert({ tenantId, systemId: "osbiz-1", simultaneousCalls: -1 })).toThrow(
      expect.objectContaining({ code: "invalid_simultaneous_calls" }),
    );
    expect(() =>
      store.systems.upsert({ tenantId, systemId: "osbiz-1", numbering: { schema: "bogus" as never } }),
    ).toThrow(expect.objectContaining({ code: "invalid_numbering" }));
    expect(store.systems.listByTenant(tenantId)).toEqual([]);
  });

  it("delete removes its trunk from the registrar's lookup and unassigns its users", () => {
    const system = store.systems.upsert({ tenantId, systemId: "osbiz-1" }).value;
    const trunk = store.trunks.create({ systemRef: system.id });
    const user = store.users.create({
      tenantId,
      emailAddress: "a@acme.test",
      firstName: "Al",
      lastName: "Ace",
      locale: "de-DE",
      trunkId: trunk.id,
    });
    expect(store.systems.delete(system.id)).toBe(true);
    expect(store.systems.get(system.id)).toBeUndefined();
    expect(store.systems.getBySystemId(tenantId, "osbiz-1")).toBeUndefined();
    expect(store.trunks.getByUsername(trunk.username)).toBeUndefined();
    expect(store.trunks.get(trunk.id)).toBeUndefined();
    expect(store.users.get(user.id)?.trunkId).toBeUndefined();
    expect(store.systems.delete(system.id)).toBe(false);
  });
});
