import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserService } from "../../../src/services/index.js";
import { neutraliseFormula } from "../../../src/services/user-export.js";
import type { SqliteStore } from "../../../src/store/index.js";
import { memoryStore, tenantWithTrunk } from "../store/store-fixtures.js";

let store: SqliteStore;
let users: UserService;
let tenantId: string;
let trunkId: string;

beforeEach(() => {
  ({ store } = memoryStore());
  users = new UserService(store);
  const fixture = tenantWithTrunk(store);
  tenantId = store.tenants.update(fixture.tenant.id, { name: "Acme & Söhne" }).id;
  trunkId = fixture.trunk.id;
});
afterEach(() => store.close());

const exported = async () => {
  const { filename, body } = users.exportCsv(tenantId);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return { filename, bytes: Buffer.concat(chunks) };
};

describe("neutraliseFormula", () => {
  it("prefixes a cell a spreadsheet would run as a formula", () => {
    for (const cell of ["=cmd()", "+49", "-1", "@SUM(A1)", "\tx", "\rx"])
      expect(neutraliseFormula(cell)).toBe(`'${cell}`);
    for (const cell of ["", "Al", "a=b", "'=x", " =x"]) expect(neutraliseFormula(cell)).toBe(cell);
  });
});

describe("exportUsersCsv", () => {
  it("writes BOM, the import header, CRLF, quotes where needed and neutralised formulas", async () => {
    users.create(tenantId, {
      emailAddress: "b@x.test",
      firstName: "=cmd()",
      lastName: 'Doe, "JJ"',
      locale: "de-DE",
    });
    users.create(tenantId, {
      emailAddress: "a@x.test",
      firstName: "Jürgen",
      lastName: "Groß; Dr.",
      locale: "de-DE",
      role: "admin",
      trunkId,
      callno: "2131",
      did: "77",
      phoneNumber: "+4923026672131",
    });
    const { filename, bytes } = await exported();
    expect(filename).toBe("users-Acme-S-hne.csv");
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(bytes.subarray(3).toString("utf8")).toBe(
      "emailAddress,firstName,lastName,locale,role,trunk,callno,did,phoneNumber,routing,alternativeNumber,busyBehaviour\r\n" +
        'b@x.test,\'=cmd(),"Doe, ""JJ""",de-DE,user,,,,,default,,call-waiting\r\n' +
        'a@x.test,Jürgen,"Groß; Dr.",de-DE,admin,gtc-001,2131,77,\'+4923026672131,default,,call-waiting\r\n',
    );
  });

  it("writes only the header for a tenant without users, and no other tenant's users", async () => {
    const beta = tenantWithTrunk(store, "Beta");
    users.create(beta.tenant.id, {
      emailAddress: "x@x.test",
      firstName: "X",
      lastName: "Y",
      locale: "de-DE",
    });
    expect((await exported()).bytes.toString("utf8")).toBe(
      "\ufeffemailAddress,firstName,lastName,locale,role,trunk,callno,did,phoneNumber,routing,alternativeNumber,busyBehaviour\r\n",
    );
  });
});
