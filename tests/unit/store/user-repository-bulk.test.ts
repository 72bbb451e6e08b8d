import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { newIds } from "../../../src/domain/ids.js";
import type { ControllableClock } from "../../../src/shared/clock.js";
import type { SqliteStore, UserRecord } from "../../../src/store/index.js";
import { memoryStore, tenantWithTrunk } from "./store-fixtures.js";

vi.mock(import("../../../src/domain/ids.js"), async (original) => {
  const real = await original();
  return { ...real, newIds: vi.fn(real.newIds) };
});

let store: SqliteStore;
let clock: ControllableClock;
let tenantId: string;
let trunkId: string;

type Fields = Omit<UserRecord, "id">;
const fields = (email: string, over: Partial<Fields> = {}): Fields => ({
  emailAddress: email,
  firstName: "Al",
  lastName: "Ace",
  locale: "de-DE",
  role: "user",
  trunkId,
  callno: undefined,
  did: undefined,
  phoneNumber: undefined,
  routing: "default",
  busyBehaviour: "call-waiting",
  ...over,
});
const emails = () => store.users.listByTenant(tenantId).map((u) => u.emailAddress);

beforeEach(() => {
  ({ store, clock } = memoryStore());
  const fixture = tenantWithTrunk(store);
  tenantId = fixture.tenant.id;
  trunkId = fixture.trunk.id;
});
afterEach(() => {
  vi.mocked(newIds).mockClear();
  store.close();
});

describe("user bulk write (the import's)", () => {
  it("creates users as create() would: defaults, clock, searchable", () => {
    store.users.writeMany(tenantId, {
      creates: [
        fields("Jo@Acme.test", {
          firstName: "Jürgen",
          lastName: "Groß",
          callno: "2131",
          phoneNumber: "+4923026672131",
        }),
        fields("b@acme.test", { role: "admin", trunkId: undefined, did: "77" }),
      ],
      updates: [],
    });
    const jo = store.users.getByEmail(tenantId, "jo@acme.test")!;
    expect(jo).toEqual({
      id: expect.stringMatching(/^us_[a-z2-7]{10}$/),
      tenantId,
      emailAddress: "Jo@Acme.test",
      firstName: "Jürgen",
      lastName: "Groß",
      locale: "de-DE",
      role: "user",
      trunkId,
      callno: "2131",
      phoneNumber: "+4923026672131",
      callBehaviour: { mode: "answer", ringMs: 1000 },
      routing: "default",
      busyBehaviour: "call-waiting",
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    expect(store.users.getByEmail(tenantId, "b@acme.test")).not.toHaveProperty("trunkId");
    expect(store.users.list({ tenantId, search: "groß jürgen" }).items).toEqual([jo]);
    expect(store.users.list({ tenantId, search: "6672131" }).items).toEqual([jo]);
    expect(vi.mocked(newIds)).toHaveBeenCalledTimes(1);
  });

  it("replaces every field of an update but keeps call behaviour and createdAt", () => {
    const created = store.users.create({
      tenantId,
      emailAddress: "a@acme.test",
      firstName: "Al",
      lastName: "Ace",
      locale: "de-DE",
      callno: "1",
      did: "9",
      callBehaviour: { mode: "busy" },
    });
    clock.advance(5000);
    store.users.writeMany(tenantId, {
      creates: [],
      updates: [{ id: created.id, ...fields("A@acme.test", { lastName: "Changed", callno: "2" }) }],
    });
    expect(store.users.get(created.id)).toEqual({
      ...created,
      emailAddress: "A@acme.test",
      lastName: "Changed",
      trunkId,
      callno: "2",
      did: undefined,
      updatedAt: created.createdAt + 5000,
    });
    expect(store.users.get(created.id)).not.toHaveProperty("did");
  });

  it("lets phone numbers move between updated users (a swap) and to a new user", () => {
    const a = store.users.create({ ...fields("a@acme.test"), tenantId, phoneNumber: "+491" });
    const b = store.users.create({ ...fields("b@acme.test"), tenantId, phoneNumber: "+492" });
    store.users.writeMany(tenantId, {
      creates: [fields("c@acme.test", { phoneNumber: "+491" })],
      updates: [
        { id: a.id, ...fields("a@acme.test", { phoneNumber: "+492" }) },
        { id: b.id, ...fields("b@acme.test", { phoneNumber: "+493" }) },
      ],
    });
    const numbers = store.users.listRecords(tenantId).map((u) => [u.emailAddress, u.phoneNumber]);
    expect(numbers.sort()).toEqual([
      ["a@acme.test", "+492"],
      ["b@acme.test", "+493"],
      ["c@acme.test", "+491"],
    ]);
  });

  it("writes all or nothing: a constraint violation in the middle rolls every row back", () => {
    const a = store.users.create({ ...fields("a@acme.test"), tenantId });
    expect(() =>
      store.users.writeMany(tenantId, {
        creates: [fields("n1@acme.test"), fields("A@ACME.test"), fields("n3@acme.test")],
        updates: [{ id: a.id, ...fields("a@acme.test", { lastName: "Changed" }) }],
      }),
    ).toThrow(expect.objectContaining({ code: "email_taken" }));
    expect(emails()).toEqual(["a@acme.test"]);
    expect(store.users.get(a.id)!.lastName).toBe("Ace");
  });

  it("refuses another tenant's trunk and an unknown tenant before writing", () => {
    const other = tenantWithTrunk(store, "Beta", "beta-1");
    const write = {
      creates: [fields("n@acme.test"), fields("x@acme.test", { trunkId: other.trunk.id })],
      updates: [],
    };
    expect(() => store.users.writeMany(tenantId, write)).toThrow(
      expect.objectContaining({ code: "trunk_not_found" }),
    );
    expect(() => store.users.writeMany("tn_none", { creates: [], updates: [] })).toThrow(
      expect.objectContaining({ code: "tenant_not_found" }),
    );
    expect(emails()).toEqual([]);
  });

  it("draws a new id when a generated one is taken (by any tenant's user or the same batch)", () => {
    const taken = store.users.create({ ...fields("a@acme.test"), tenantId }).id;
    vi.mocked(newIds).mockReturnValueOnce([taken, "us_aaaaaaaaaa", "us_aaaaaaaaaa"]);
    store.users.writeMany(tenantId, {
      creates: [fields("n1@acme.test"), fields("n2@acme.test"), fields("n3@acme.test")],
      updates: [],
    });
    const ids = store.users.listRecords(tenantId).map((u) => u.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toContain("us_aaaaaaaaaa");
    expect(store.users.get(taken)!.emailAddress).toBe("a@acme.test");
  });

  it("lists lean records of one tenant: no call behaviour or timestamps, absent fields absent", () => {
    store.users.create({ ...fields("a@acme.test"), tenantId, callno: "5", did: "6", phoneNumber: "+495" });
    store.users.create({ ...fields("b@acme.test", { trunkId: undefined }), tenantId });
    const other = tenantWithTrunk(store, "Beta", "beta-1");
    store.users.create({ ...fields("z@beta.test", { trunkId: other.trunk.id }), tenantId: other.tenant.id });
    const records = store.users
      .listRecords(tenantId)
      .sort((x, y) => x.emailAddress.localeCompare(y.emailAddress));
    expect(records).toEqual([
      {
        id: expect.any(String),
        emailAddress: "a@acme.test",
        firstName: "Al",
        lastName: "Ace",
        locale: "de-DE",
        role: "user",
        trunkId,
        callno: "5",
        did: "6",
        phoneNumber: "+495",
        routing: "default",
        busyBehaviour: "call-waiting",
      },
      {
        id: expect.any(String),
        emailAddress: "b@acme.test",
        firstName: "Al",
        lastName: "Ace",
        locale: "de-DE",
        role: "user",
        routing: "default",
        busyBehaviour: "call-waiting",
      },
    ]);
    expect(Object.keys(records[1]!)).not.toContain("trunkId");
  });
});
