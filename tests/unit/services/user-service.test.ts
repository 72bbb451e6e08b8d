import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserService } from "../../../src/services/index.js";
import type { SqliteStore } from "../../../src/store/index.js";
import { memoryStore } from "../store/store-fixtures.js";

let store: SqliteStore;
let users: UserService;
let tenantId: string;
let intl: string;
let internal: string;

const al = { emailAddress: "al@acme.test", firstName: "Al", lastName: "Ace" };

beforeEach(() => {
  ({ store } = memoryStore());
  users = new UserService(store);
  tenantId = store.tenants.create({ name: "Acme" }).id;
  const trunkOf = (systemId: string, numbering: Parameters<typeof store.systems.upsert>[0]["numbering"]) => {
    const system = store.systems.upsert({ tenantId, systemId, ...(numbering ? { numbering } : {}) }).value;
    return store.trunks.create({ systemRef: system.id }).id;
  };
  intl = trunkOf("osbiz-1", {
    schema: "international",
    countryCode: "49",
    areaCode: "2302",
    pabxNumber: "667",
  });
  internal = trunkOf("osbiz-2", { schema: "internal" });
});
afterEach(() => store.close());

describe("UserService.create", () => {
  it("defaults locale en-US, role user and the call behaviour", () => {
    expect(users.create(tenantId, al)).toMatchObject({
      locale: "en-US",
      role: "user",
      callBehaviour: { mode: "answer", ringMs: 1000 },
    });
  });

  it("builds the phone number from trunk + callno unless one is given", () => {
    expect(users.create(tenantId, { ...al, trunkId: intl, callno: "2131" }).phoneNumber).toBe(
      "+4923026672131",
    );
    expect(
      users.create(tenantId, { ...al, emailAddress: "b@acme.test", trunkId: internal, callno: "2131" })
        .phoneNumber,
    ).toBe("2131");
    const explicit = users.create(tenantId, {
      ...al,
      emailAddress: "c@acme.test",
      trunkId: intl,
      callno: "1",
      phoneNumber: "+1555",
    });
    expect(explicit.phoneNumber).toBe("+1555");
    expect(
      users.create(tenantId, { ...al, emailAddress: "d@acme.test", callno: "7" }).phoneNumber,
    ).toBeUndefined();
  });

  it("refuses a phone number of another user, another tenant's trunk and an unknown tenant", () => {
    users.create(tenantId, { ...al, trunkId: intl, callno: "2131" });
    expect(() =>
      users.create(tenantId, { ...al, emailAddress: "b@acme.test", phoneNumber: "+4923026672131" }),
    ).toThrow(expect.objectContaining({ code: "phone_number_taken" }));
    const beta = store.tenants.create({ name: "Beta" }).id;
    expect(() => users.create(beta, { ...al, trunkId: intl })).toThrow(
      expect.objectContaining({ code: "trunk_not_found" }),
    );
    expect(() => users.create("tn_none", al)).toThrow(expect.objectContaining({ code: "tenant_not_found" }));
    expect(store.users.listByTenant(tenantId)).toHaveLength(1);
  });
});

describe("UserService.update", () => {
  it("rebuilds the number on a new trunk or callno, keeps an explicit one otherwise", () => {
    const u = users.create(tenantId, { ...al, trunkId: intl, callno: "2131" });
    expect(users.update(tenantId, u.id, { callno: "2132" }).phoneNumber).toBe("+4923026672132");
    expect(users.update(tenantId, u.id, { trunkId: internal }).phoneNumber).toBe("2132");
    expect(users.update(tenantId, u.id, { phoneNumber: "+4930" }).phoneNumber).toBe("+4930");
    expect(users.update(tenantId, u.id, { lastName: "Bee", did: "9" }).phoneNumber).toBe("+4930");
    // the same trunk again is no change
    expect(users.update(tenantId, u.id, { trunkId: internal }).phoneNumber).toBe("+4930");
    expect(users.update(tenantId, u.id, { callno: null })).not.toHaveProperty("phoneNumber");
  });

  it("clears optional fields with null and refuses a taken number", () => {
    const a = users.create(tenantId, { ...al, trunkId: intl, callno: "1", did: "5" });
    const b = users.create(tenantId, { ...al, emailAddress: "b@acme.test", trunkId: intl, callno: "2" });
    expect(() => users.update(tenantId, b.id, { callno: "1" })).toThrow(
      expect.objectContaining({ code: "phone_number_taken" }),
    );
    const cleared = users.update(tenantId, a.id, { trunkId: null, did: null });
    expect(cleared).toMatchObject({ callno: "1" });
    expect(cleared).not.toHaveProperty("trunkId");
    expect(cleared).not.toHaveProperty("did");
    expect(cleared).not.toHaveProperty("phoneNumber");
    expect(users.update(tenantId, b.id, { callno: "1" }).phoneNumber).toBe("+4923026671");
  });
});

describe("UserService.assign / unassign / delete / get", () => {
  it("assigns with a computed number, keeps the DID unless told, and unassigns everything", () => {
    const u = users.create(tenantId, { ...al, did: "77" });
    expect(users.assign(tenantId, u.id, { trunkId: intl, callno: "2131" })).toMatchObject({
      trunkId: intl,
      callno: "2131",
      did: "77",
      phoneNumber: "+4923026672131",
    });
    expect(
      users.assign(tenantId, u.id, { trunkId: internal, callno: "42135", did: null }),
    ).not.toHaveProperty("did");
    const gone = users.unassign(tenantId, u.id);
    for (const field of ["trunkId", "callno", "did", "phoneNumber"]) expect(gone).not.toHaveProperty(field);
  });

  it("refuses a number another user has and a number too long for E.164", () => {
    users.create(tenantId, { ...al, trunkId: intl, callno: "2131" });
    const u = users.create(tenantId, { ...al, emailAddress: "b@acme.test" });
    expect(() => users.assign(tenantId, u.id, { trunkId: intl, callno: "2131" })).toThrow(
      expect.objectContaining({ code: "phone_number_taken" }),
    );
    expect(() => users.assign(tenantId, u.id, { trunkId: intl, callno: "1234567" })).toThrow(
      expect.objectContaining({ code: "number_too_long" }),
    );
    expect(users.get(tenantId, u.id)).not.toHaveProperty("trunkId");
  });

  it("does not see users of another tenant", () => {
    const beta = store.tenants.create({ name: "Beta" }).id;
    const x = users.create(beta, al);
    for (const op of [
      () => users.get(tenantId, x.id),
      () => users.update(tenantId, x.id, { firstName: "Y" }),
      () => users.unassign(tenantId, x.id),
      () => users.delete(tenantId, x.id),
    ]) {
      expect(op).toThrow(expect.objectContaining({ code: "user_not_found" }));
    }
    users.delete(beta, x.id);
    expect(store.users.get(x.id)).toBeUndefined();
  });

  it("lists with search and paging and names trunks", () => {
    for (const n of ["Cee", "Bee", "Dee"])
      users.create(tenantId, { ...al, emailAddress: `${n}@acme.test`, lastName: n, trunkId: intl });
    const page = users.list(tenantId, { search: "EE", offset: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(page.items.map((u) => u.lastName)).toEqual(["Cee"]);
    expect(users.trunkName(page.items[0]!)).toBe("gtc-001");
    expect(users.trunkIdByName(tenantId, "gtc-002")).toBe(internal);
    expect(() => users.trunkIdByName(tenantId, "gtc-009")).toThrow(
      expect.objectContaining({ code: "trunk_not_found" }),
    );
  });
});

describe("user store additions", () => {
  it("keeps phone numbers unique per tenant in the database too and finds users by number", () => {
    store.users.create({ tenantId, ...al, locale: "de-DE", phoneNumber: "+4930" });
    expect(store.users.getByPhoneNumber(tenantId, "+4930")?.emailAddress).toBe("al@acme.test");
    expect(store.users.getByPhoneNumber(tenantId, "+4931")).toBeUndefined();
    expect(() =>
      store.users.create({
        tenantId,
        ...al,
        emailAddress: "b@acme.test",
        locale: "de-DE",
        phoneNumber: "+4930",
      }),
    ).toThrow(expect.objectContaining({ code: "phone_number_taken", field: "phoneNumber" }));
    const beta = store.tenants.create({ name: "Beta" }).id;
    expect(() =>
      store.users.create({ tenantId: beta, ...al, locale: "de-DE", phoneNumber: "+4930" }),
    ).not.toThrow();
  });

  it("stores the call behaviour as JSON and refuses non-objects, oversize and unknown keys", () => {
    const u = store.users.create({
      tenantId,
      ...al,
      locale: "de-DE",
      callBehaviour: { mode: "forward", to: "+4930123456", ringMs: 0 },
    });
    expect(store.users.get(u.id)?.callBehaviour).toEqual({ mode: "forward", to: "+4930123456", ringMs: 0 });
    expect(() => store.users.update(u.id, { callBehaviour: [] as never })).toThrow(
      expect.objectContaining({ code: "invalid_call_behaviour" }),
    );
    expect(() => store.users.update(u.id, { callBehaviour: { to: "1".repeat(2100) } })).toThrow(
      expect.objectContaining({ code: "invalid_call_behaviour" }),
    );
    expect(() => store.users.update(u.id, { callBehaviour: { extra: 1 } })).toThrow(
      expect.objectContaining({ code: "invalid_call_behaviour", field: "callBehaviour.extra" }),
    );
  });
});
