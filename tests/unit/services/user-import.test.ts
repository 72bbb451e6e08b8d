import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UserService } from "../../../src/services/index.js";
import type { SqliteStore } from "../../../src/store/index.js";
import { memoryStore } from "../store/store-fixtures.js";

let store: SqliteStore;
let users: UserService;
let tenantId: string;
let trunkId: string;

beforeEach(() => {
  ({ store } = memoryStore());
  users = new UserService(store);
  tenantId = store.tenants.create({ name: "Acme" }).id;
  const numbering = {
    schema: "international" as const,
    countryCode: "49",
    areaCode: "2302",
    pabxNumber: "667",
  };
  const system = store.systems.upsert({ tenantId, systemId: "osbiz-1", numbering }).value;
  trunkId = store.trunks.create({ systemRef: system.id }).id;
  const other = store.systems.upsert({ tenantId, systemId: "osbiz-2" }).value;
  store.trunks.create({ systemRef: other.id });
});
afterEach(() => {
  vi.restoreAllMocks();
  store.close();
});

const base = { firstName: "Al", lastName: "Ace", locale: "de-DE" };
const run = (rows: object[], dryRun = false) =>
  users.import(tenantId, { trunk: "gtc-001", dryRun, format: "json", body: rows });
const user = (email: string) => store.users.getByEmail(tenantId, email)!;

describe("user import: what a row leaves", () => {
  it("keeps the numbers, DID and role of a user on this trunk when the file is silent about them", async () => {
    users.create(tenantId, {
      emailAddress: "a@x.test",
      ...base,
      role: "admin",
      trunkId,
      callno: "1",
      did: "9",
      phoneNumber: "+4930",
    });
    expect(await run([{ emailAddress: "a@x.test", ...base }])).toMatchObject({ unchanged: 1 });
    expect(user("a@x.test")).toMatchObject({ role: "admin", callno: "1", did: "9", phoneNumber: "+4930" });
  });

  it("builds the number when the row gives a callno, or the user comes to this trunk with one", async () => {
    users.create(tenantId, { emailAddress: "a@x.test", ...base, trunkId, callno: "1", phoneNumber: "+4930" });
    users.create(tenantId, { emailAddress: "b@x.test", ...base, callno: "2" });
    const result = await run([
      { emailAddress: "a@x.test", ...base, callno: "1", phoneNumber: null },
      { emailAddress: "b@x.test", ...base, trunk: "GTC-001" },
    ]);
    expect(result).toEqual({ created: 0, updated: 2, unchanged: 0, dryRun: false });
    expect(user("a@x.test").phoneNumber).toBe("+4923026671");
    expect(user("b@x.test")).toMatchObject({ trunkId, phoneNumber: "+4923026672" });
  });

  it("reports a number held by a user whose row is itself invalid", async () => {
    users.create(tenantId, { emailAddress: "a@x.test", ...base, trunkId, callno: "1" });
    await expect(
      run([
        { emailAddress: "a@x.test", ...base, locale: "xx" },
        { emailAddress: "b@x.test", ...base, callno: "1" },
      ]),
    ).rejects.toMatchObject({
      code: "import_invalid",
      extensions: {
        errors: [
          expect.objectContaining({ row: 1, field: "locale", code: "invalid_locale" }),
          expect.objectContaining({ row: 2, field: "callno", code: "phone_number_taken" }),
        ],
      },
    });
  });

  it("refuses an unknown trunk before reading the body", async () => {
    await expect(
      users.import(tenantId, { trunk: "gtc-009", dryRun: true, format: "json", body: [] }),
    ).rejects.toMatchObject({
      code: "trunk_not_found",
    });
  });
});

describe("user import: writing", () => {
  it("writes nothing on a dry run", async () => {
    expect(await run([{ emailAddress: "n@x.test", ...base }], true)).toEqual({
      created: 1,
      updated: 0,
      unchanged: 0,
      dryRun: true,
    });
    expect(store.users.listByTenant(tenantId)).toEqual([]);
  });

  it("writes in one transaction: a failure in the middle leaves nothing behind", async () => {
    users.create(tenantId, { emailAddress: "a@x.test", ...base });
    users.create(tenantId, { emailAddress: "n2@x.test", ...base });
    // Hide n2 from the plan, so its insert (after an update and another insert) hits the unique index.
    const records = store.users.listRecords.bind(store.users);
    vi.spyOn(store.users, "listRecords").mockImplementation((id) =>
      records(id).filter((u) => u.emailAddress !== "n2@x.test"),
    );
    const rows = [
      { emailAddress: "a@x.test", ...base, lastName: "Changed" },
      ...[1, 2, 3].map((i) => ({ emailAddress: `n${i}@x.test`, ...base })),
    ];
    await expect(run(rows)).rejects.toMatchObject({ code: "email_taken" });
    expect(store.users.listByTenant(tenantId).map((u) => [u.emailAddress, u.lastName])).toEqual([
      ["a@x.test", "Ace"],
      ["n2@x.test", "Ace"],
    ]);
  });
});
