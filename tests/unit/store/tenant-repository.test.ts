import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ControllableClock } from "../../../src/shared/clock.js";
import type { SqliteStore } from "../../../src/store/index.js";
import { memoryStore, tenantWithTrunk } from "./store-fixtures.js";

let store: SqliteStore;
let clock: ControllableClock;

beforeEach(() => {
  ({ store, clock } = memoryStore());
});
afterEach(() => store.close());

describe("tenants", () => {
  it("creates with defaults from the domain and the store clock", () => {
    const t = store.tenants.create({ name: "Acme" });
    expect(t).toEqual({
      id: expect.stringMatching(/^tn_[a-z2-7]{10}$/),
      name: "Acme",
      flavour: "openscape",
      apiKey: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
      clientId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      createdAt: clock.now(),
    });
    expect(store.tenants.get(t.id)).toEqual(t);
  });

  it("finds by name (case-insensitive) and by API key", () => {
    const t = store.tenants.create({
      name: "Acme",
      flavour: "video",
      apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    });
    expect(store.tenants.getByName("ACME")?.id).toBe(t.id);
    expect(store.tenants.getByApiKey("acme-key-0001-t7m7w6ToB8iPQCFUNQuX")?.id).toBe(t.id);
    expect(store.tenants.getByApiKey("ACME-KEY-0001")).toBeUndefined();
  });

  it("lists in creation order", () => {
    const a = store.tenants.create({ name: "B-corp" });
    clock.advance(1000);
    const b = store.tenants.create({ name: "A-corp" });
    expect(store.tenants.list().map((t) => t.id)).toEqual([a.id, b.id]);
  });

  it("refuses a taken name (any case), API key or client ID with precise codes", () => {
    store.tenants.create({
      name: "Acme",
      apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
      clientId: "client-1",
    });
    expect(() => store.tenants.create({ name: "acme" })).toThrow(
      expect.objectContaining({ code: "tenant_name_taken", field: "name" }),
    );
    expect(() =>
      store.tenants.create({ name: "Other", apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX" }),
    ).toThrow(expect.objectContaining({ code: "api_key_taken", field: "apiKey" }));
    expect(() => store.tenants.create({ name: "Other", clientId: "client-1" })).toThrow(
      expect.objectContaining({ code: "client_id_taken" }),
    );
    expect(store.tenants.list()).toHaveLength(1);
  });

  it("validates input", () => {
    expect(() => store.tenants.create({ name: " " })).toThrow(
      expect.objectContaining({ code: "invalid_text" }),
    );
    expect(() => store.tenants.create({ name: "X", flavour: "teams" as never })).toThrow(
      expect.objectContaining({ code: "invalid_flavour" }),
    );
  });

  it("regenerating the API key invalidates the old one in the lookup", () => {
    const t = store.tenants.create({ name: "Acme", apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX" });
    const updated = store.tenants.update(t.id, {
      apiKey: "acme-key-0002-AePgasox4hjjgUVQfdTN",
      name: "Acme GmbH",
    });
    expect(updated.apiKey).toBe("acme-key-0002-AePgasox4hjjgUVQfdTN");
    expect(store.tenants.getByApiKey("acme-key-0001-t7m7w6ToB8iPQCFUNQuX")).toBeUndefined();
    expect(store.tenants.getByApiKey("acme-key-0002-AePgasox4hjjgUVQfdTN")?.name).toBe("Acme GmbH");
    expect(store.tenants.getByName("Acme")).toBeUndefined();
  });

  it("a failed update leaves the tenant and its lookups untouched", () => {
    const a = store.tenants.create({ name: "Acme", apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX" });
    store.tenants.create({ name: "Beta", apiKey: "beta-key-0001-y5o27DK0CRI9JCtxVGhz" });
    expect(() => store.tenants.update(a.id, { apiKey: "beta-key-0001-y5o27DK0CRI9JCtxVGhz" })).toThrow(
      expect.objectContaining({ code: "api_key_taken" }),
    );
    expect(store.tenants.getByApiKey("acme-key-0001-t7m7w6ToB8iPQCFUNQuX")?.id).toBe(a.id);
    expect(store.tenants.getByApiKey("beta-key-0001-y5o27DK0CRI9JCtxVGhz")?.name).toBe("Beta");
  });

  it("update of an unknown tenant throws tenant_not_found", () => {
    expect(() => store.tenants.update("tn_nope", { name: "X" })).toThrow(
      expect.objectContaining({ code: "tenant_not_found" }),
    );
  });

  it("delete cascades to systems, trunks and users, in SQL and in the hot-path cache", () => {
    const { tenant, system, trunk } = tenantWithTrunk(store);
    const user = store.users.create({
      tenantId: tenant.id,
      emailAddress: "a@acme.test",
      firstName: "Al",
      lastName: "Ace",
      locale: "de-DE",
      trunkId: trunk.id,
    });
    expect(store.tenants.delete(tenant.id)).toBe(true);
    expect(store.tenants.get(tenant.id)).toBeUndefined();
    expect(store.tenants.getByApiKey(tenant.apiKey)).toBeUndefined();
    expect(store.systems.get(system.id)).toBeUndefined();
    expect(store.trunks.getByUsername(trunk.username)).toBeUndefined();
    expect(store.users.get(user.id)).toBeUndefined();
    expect(store.tenants.delete(tenant.id)).toBe(false);
  });

  it("returns frozen shared objects", () => {
    const t = store.tenants.create({ name: "Acme" });
    expect(Object.isFrozen(store.tenants.get(t.id))).toBe(true);
  });
});
