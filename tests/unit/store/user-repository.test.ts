import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ControllableClock } from "../../../src/shared/clock.js";
import type { NewUser, SqliteStore } from "../../../src/store/index.js";
import { memoryStore, tenantWithTrunk } from "./store-fixtures.js";

let store: SqliteStore;
let clock: ControllableClock;
let tenantId: string;
let trunkId: string;

function user(over: Partial<NewUser> = {}): NewUser {
  return {
    tenantId,
    emailAddress: "a@acme.test",
    firstName: "Al",
    lastName: "Ace",
    locale: "de-DE",
    ...over,
  };
}

beforeEach(() => {
  ({ store, clock } = memoryStore());
  const fixture = tenantWithTrunk(store);
  tenantId = fixture.tenant.id;
  trunkId = fixture.trunk.id;
});
afterEach(() => store.close());

describe("users", () => {
  it("creates and reads back every field", () => {
    const created = store.users.create(
      user({
        trunkId,
        callno: "2131",
        did: "2131",
        phoneNumber: "+4923026672131",
        role: "admin",
        locale: "fr_fr",
      }),
    );
    expect(created).toEqual({
      id: expect.stringMatching(/^us_/),
      tenantId,
      emailAddress: "a@acme.test",
      firstName: "Al",
      lastName: "Ace",
      locale: "fr-FR",
      role: "admin",
      trunkId,
      callno: "2131",
      did: "2131",
      phoneNumber: "+4923026672131",
      callBehaviour: { mode: "answer", ringMs: 1000 },
      routing: "default",
      busyBehaviour: "call-waiting",
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    expect(store.users.get(created.id)).toEqual(created);
  });

  it("keeps e-mail unique per tenant, case-insensitively, also for non-ASCII", () => {
    store.users.create(user({ emailAddress: "Jörg@Acme.test" }));
    expect(store.users.getByEmail(tenantId, "jÖrg@acme.TEST")?.emailAddress).toBe("Jörg@Acme.test");
    expect(() => store.users.create(user({ emailAddress: "JÖRG@acme.test" }))).toThrow(
      expect.objectContaining({ code: "email_taken", field: "emailAddress" }),
    );
    const other = store.tenants.create({ name: "Beta" }).id;
    expect(() => store.users.create(user({ tenantId: other, emailAddress: "jörg@acme.test" }))).not.toThrow();
  });

  it("refuses a trunk of another tenant and invalid fields", () => {
    const beta = tenantWithTrunk(store, "Beta");
    expect(() => store.users.create(user({ trunkId: beta.trunk.id }))).toThrow(
      expect.objectContaining({ code: "trunk_not_found", field: "trunkId" }),
    );
    expect(() => store.users.create(user({ locale: "pt-BR" }))).toThrow(
      expect.objectContaining({ code: "invalid_locale" }),
    );
    expect(() => store.users.create(user({ callno: "21x" }))).toThrow(
      expect.objectContaining({ code: "invalid_callno" }),
    );
    expect(() => store.users.create(user({ tenantId: "tn_none" }))).toThrow(
      expect.objectContaining({ code: "tenant_not_found" }),
    );
    expect(store.users.list({ tenantId }).total).toBe(0);
  });

  it("updates fields, clears with null and stamps updatedAt", () => {
    const u = store.users.create(user({ trunkId, callno: "2131" }));
    clock.advance(60_000);
    const updated = store.users.update(u.id, { firstName: "Albert", callno: null, trunkId: null, did: "77" });
    expect(updated).toEqual({
      ...u,
      firstName: "Albert",
      did: "77",
      callno: undefined,
      trunkId: undefined,
      updatedAt: clock.now(),
    });
    expect(store.users.get(u.id)).toEqual(updated);
    expect(() => store.users.update(u.id, { firstName: null as never })).toThrow(
      expect.objectContaining({ code: "invalid_text" }),
    );
    expect(() => store.users.update("us_none", { firstName: "X" })).toThrow(
      expect.objectContaining({ code: "user_not_found" }),
    );
  });

  it("an e-mail change to a taken address is refused and changes nothing", () => {
    store.users.create(user({ emailAddress: "b@acme.test" }));
    const a = store.users.create(user());
    expect(() => store.users.update(a.id, { emailAddress: "B@acme.test", lastName: "Changed" })).toThrow(
      expect.objectContaining({ code: "email_taken" }),
    );
    expect(store.users.get(a.id)?.lastName).toBe("Ace");
  });

  it("lists by name with search and paging; total ignores paging", () => {
    const people = [
      ["Zoe", "Zander", "zoe@acme.test", "2001"],
      ["Al", "Ace", "al@acme.test", "2002"],
      ["Émile", "Durand", "emile@acme.test", "2003"],
      ["Bob", "ace", "bob@acme.test", "2004"],
      ["Under_Score", "Pct%", "us@acme.test", "2005"],
    ];
    for (const [firstName, lastName, emailAddress, callno] of people) {
      store.users.create(user({ firstName, lastName, emailAddress, callno }));
    }
    store.users.create({
      ...user({ emailAddress: "al@beta.test" }),
      tenantId: tenantWithTrunk(store, "Beta").tenant.id,
    });

    const all = store.users.list({ tenantId });
    expect(all.total).toBe(5);
    expect(all.items.map((u) => u.emailAddress)).toEqual([
      "al@acme.test",
      "bob@acme.test",
      "emile@acme.test",
      "us@acme.test",
      "zoe@acme.test",
    ]);
    const page = store.users.list({ tenantId, offset: 1, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((u) => u.firstName)).toEqual(["Bob", "Émile"]);

    expect(store.users.list({ tenantId, search: "ACE" }).total).toBe(2);
    expect(store.users.list({ tenantId, search: "émile" }).items[0]?.lastName).toBe("Durand");
    expect(store.users.list({ tenantId, search: "al ace" }).total).toBe(1);
    expect(store.users.list({ tenantId, search: "2003" }).items[0]?.firstName).toBe("Émile");
    expect(store.users.list({ tenantId, search: "_" }).total).toBe(1);
    expect(store.users.list({ tenantId, search: "%" }).total).toBe(1);
    expect(store.users.list({ tenantId, search: "nobody" })).toEqual({ items: [], total: 0 });
    expect(() => store.users.list({ tenantId, limit: -1 })).toThrow(
      expect.objectContaining({ code: "invalid_paging" }),
    );
  });

  it("deletes", () => {
    const u = store.users.create(user());
    expect(store.users.delete(u.id)).toBe(true);
    expect(store.users.get(u.id)).toBeUndefined();
    expect(store.users.delete(u.id)).toBe(false);
  });

  it("deleting the trunk unassigns its users", () => {
    const u = store.users.create(user({ trunkId }));
    store.trunks.delete(trunkId);
    expect(store.users.get(u.id)?.trunkId).toBeUndefined();
  });
});
