import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { ADMIN_TOKEN, USERS_SEED, usersClient } from "../support/api-client-users.js";
import { startTestEmulator } from "../support/emulator.js";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../fixtures/users", name));
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

let emulator: EmulatorHandle;
let api: ReturnType<typeof usersClient>;
let acme: string;

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: ADMIN_TOKEN, seedText: USERS_SEED });
  api = usersClient(emulator);
  // Provisioning users needs an available connector (HowTo §2.4): the PBXs register first.
  await api.connectPbxs();
  acme = await api.tenantId("Acme");
});

afterEach(async () => {
  await api.close();
  await emulator.close();
});

const byEmail = async (email: string) => (await api.all(acme)).find((u) => u.emailAddress === email);

describe("CSV import: what Excel writes", () => {
  it("imports BOM + CRLF, columns in any order, quoted comma and quotes, non-ASCII names byte-exact", async () => {
    const bytes = fixture("excel-bom-crlf.csv");
    expect(bytes.subarray(0, 3).equals(BOM)).toBe(true);
    expect(bytes.toString("utf8")).toContain("\r\n");
    const res = await api.importCsv(acme, bytes);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ created: 4, updated: 0, unchanged: 0, dryRun: false });
    expect(await byEmail("juergen.gross@acme.test")).toMatchObject({
      firstName: "Jürgen",
      lastName: "Groß",
      locale: "de-DE",
      role: "admin",
      trunk: "gtc-001",
      callno: "2200",
      phoneNumber: "+4923026672200",
    });
    expect(await byEmail("john.doe@acme.test")).toMatchObject({
      firstName: 'John "JJ"',
      lastName: "Doe, Jr.",
    });
    // an empty role cell gives the default; fr_FR is accepted as fr-FR
    expect(await byEmail("zoe@acme.test")).toMatchObject({
      firstName: "Zoë",
      lastName: "Müller-Lüdenscheidt",
      locale: "fr-FR",
      role: "user",
    });
    const jose = await byEmail("jose@acme.test");
    expect(Buffer.from(`${jose.firstName} ${jose.lastName}`, "utf8")).toEqual(
      Buffer.from("José Ñúñez", "utf8"),
    );
  });

  it('reads ";" as the delimiter when the header line uses it (Excel in German locales)', async () => {
    const res = await api.importCsv(acme, fixture("excel-semicolon.csv"), "trunk=gtc-002");
    expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0, dryRun: false });
    expect(await byEmail("anna@acme.test")).toMatchObject({
      lastName: "Schmidt; geb. Meier",
      trunk: "gtc-002",
      callno: "401",
      did: "4711",
      phoneNumber: "401",
    });
    expect(await byEmail("bernd@acme.test")).toMatchObject({
      lastName: "Bäcker",
      did: null,
      phoneNumber: "402",
    });
  });

  it("reads LF without BOM, skips blank lines (also ',,,'), and accepts application/csv", async () => {
    const res = await api.importCsv(acme, fixture("lf-no-bom.csv"), "trunk=gtc-001", "application/csv");
    expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0, dryRun: false });
    expect(await byEmail("lf2@acme.test")).toMatchObject({
      firstName: "Ömer",
      lastName: "Öztürk",
      locale: "it-IT",
      trunk: "gtc-001",
      callno: null,
      phoneNumber: null,
    });
  });

  it("accepts a header-only file as an import of nothing", async () => {
    const res = await api.importCsv(acme, "emailAddress,firstName,lastName,locale\r\n");
    expect(res.body).toEqual({ created: 0, updated: 0, unchanged: 0, dryRun: false });
  });
});

describe("CSV import: routing columns (as over REST)", () => {
  it("sets routing, alternativeNumber and busyBehaviour; alternative without a number and unknown values are row errors", async () => {
    const header = "emailAddress,firstName,lastName,locale,routing,alternativeNumber,busyBehaviour";
    const ok = await api.importCsv(
      acme,
      `${header}\r\nr1@acme.test,R,One,de-DE,alternative,004989700,busy\r\nr2@acme.test,R,Two,de-DE,,,\r\n`,
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(await byEmail("r1@acme.test")).toMatchObject({
      routing: "alternative",
      alternativeNumber: "004989700",
      busyBehaviour: "busy",
    });
    expect(await byEmail("r2@acme.test")).toMatchObject({
      routing: "default",
      busyBehaviour: "call-waiting",
    });
    const bad = await api.importCsv(
      acme,
      `${header}\r\nr3@acme.test,R,Three,de-DE,alternative,,\r\nr4@acme.test,R,Four,de-DE,sideways,,often\r\n`,
    );
    expect(bad.status).toBe(422);
    expect(
      bad.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, e.field, e.code]),
    ).toEqual([
      [2, "alternativeNumber", "invalid_alternative_number"],
      [3, "routing", "invalid_routing"],
      [3, "busyBehaviour", "invalid_busy_behaviour"],
    ]);
  });
});

describe("CSV import: header errors (422 import_header_invalid naming the columns)", () => {
  const headerErrors = async (header: string) => {
    const before = await api.all(acme);
    const res = await api.importCsv(acme, `${header}\r\nn@acme.test,N,New,de-DE\r\n`);
    expect(res.status).toBe(422);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe("import_header_invalid");
    expect(await api.all(acme)).toEqual(before);
    return res.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, e.field, e.code]);
  };

  it("wrong case", async () => {
    expect(await headerErrors("EmailAddress,firstName,lastName,locale")).toEqual([
      [1, "EmailAddress", "header_wrong_case"],
    ]);
  });

  it("unknown column", async () => {
    expect(await headerErrors("emailAddress,firstName,lastName,locale,department")).toEqual([
      [1, "department", "header_unknown"],
    ]);
  });

  it("missing required columns", async () => {
    expect(await headerErrors("emailAddress,firstName,callno,role")).toEqual([
      [1, "lastName", "header_missing"],
      [1, "locale", "header_missing"],
    ]);
  });

  it("duplicate and unnamed columns, several problems at once", async () => {
    expect(await headerErrors("emailAddress,firstName,lastName,locale,firstName,,Locale")).toEqual([
      [1, "firstName", "header_duplicate"],
      [1, "", "header_empty"],
      [1, "Locale", "header_wrong_case"],
    ]);
  });

  it("an empty file (or only a BOM and blank lines) is 422 import_empty", async () => {
    for (const body of ["", Buffer.concat([BOM, Buffer.from("\r\n\r\n")])]) {
      const res = await api.importCsv(acme, body);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe("import_empty");
    }
  });

  it("a file that is not UTF-8 (Latin-1 'Jürgen') is 422 import_not_utf8", async () => {
    const latin1 = Buffer.from(
      "emailAddress,firstName,lastName,locale\r\nj@acme.test,J\xfcrgen,G,de-DE\r\n",
      "latin1",
    );
    const res = await api.importCsv(acme, latin1);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("import_not_utf8");
  });
});

describe("CSV import: row errors", () => {
  it("reports every bad row with its spreadsheet row number, field and code, and writes nothing", async () => {
    const before = await api.all(acme);
    const res = await api.importCsv(acme, fixture("row-errors.csv"));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("import_invalid");
    const errors = res.body.errors.map((e: { row: number; field: string; code: string }) => [
      e.row,
      e.field,
      e.code,
    ]);
    expect(errors).toEqual([
      [4, "emailAddress", "invalid_email"],
      [5, "firstName", "invalid_text"],
      [6, "locale", "invalid_locale"],
      [7, "emailAddress", "duplicate_email"],
      [8, "firstName", "required"],
      [8, "locale", "required"],
      [9, "callno", "duplicate_phone_number"],
      [10, "callno", "invalid_callno"],
      [11, "callno", "phone_number_taken"],
      [12, "emailAddress", "user_on_other_trunk"],
      [13, "", "column_count"],
      [14, "callno", "number_too_long"],
      [15, "role", "invalid_role"],
      [16, "trunk", "trunk_mismatch"],
      [17, "did", "invalid_did"],
      [18, "phoneNumber", "invalid_phone_number"],
      [19, "phoneNumber", "phone_number_taken"],
    ]);
    expect(res.body.detail).toBe("17 problem(s) in 16 row(s); nothing was written");
    const message = (row: number) => res.body.errors.find((e: { row: number }) => e.row === row).message;
    expect(message(7)).toMatch(/row 2/);
    expect(message(9)).toMatch(/\+4923026672300.*row 2/);
    expect(message(11)).toMatch(/a@acme\.test/);
    expect(message(19)).toMatch(/b@acme\.test/);
    expect(message(12)).toMatch(/gtc-002/);
    expect(message(6)).toMatch(/pt-BR.*de-DE/);
    expect(await api.all(acme)).toEqual(before);
    expect(await byEmail("ok1@acme.test")).toBeUndefined();
  });

  it("fails dry runs the same way", async () => {
    const res = await api.importCsv(acme, fixture("row-errors.csv"), "trunk=gtc-001&dryRun=true");
    expect(res.status).toBe(422);
    expect(res.body.errors).toHaveLength(17);
  });

  it("reports numbering_incomplete for a callno on a trunk whose numbering has no country code", async () => {
    const res = await api.importCsv(
      acme,
      "emailAddress,firstName,lastName,locale,callno\nn@acme.test,N,New,de-DE,100\n",
      "trunk=gtc-003",
    );
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ row: 2, field: "callno", code: "numbering_incomplete" }),
    ]);
  });

  it("reports a broken quote as csv_syntax at its row, together with the rows before it", async () => {
    const csv = 'emailAddress,firstName,lastName,locale\nbad,A,B,de-DE\nok@acme.test,"Open,B,de-DE\n';
    const res = await api.importCsv(acme, csv);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [2, "invalid_email"],
      [3, "csv_syntax"],
    ]);
  });
});

describe("CSV import: problem documents stay small (every list capped at 1,000, long text clipped)", () => {
  it("a header of 7,000 unknown columns: 1,000 listed, the missing columns first, the rest counted", async () => {
    const unknown = Array.from({ length: 7000 }, (_, i) => `x${i}`);
    const res = await api.importCsv(acme, `${["emailAddress", ...unknown].join(",")}\r\nn@acme.test\r\n`);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("import_header_invalid");
    expect(res.bytes.length).toBeLessThan(200 * 1024);
    const errors = res.body.errors as { field: string; code: string }[];
    expect(errors).toHaveLength(1000);
    expect(errors.slice(0, 4).map((e) => [e.field, e.code])).toEqual([
      ["firstName", "header_missing"],
      ["lastName", "header_missing"],
      ["locale", "header_missing"],
      ["x0", "header_unknown"],
    ]);
    expect(res.body.errorsOmitted).toBe(7003 - 1000);
    expect(res.body.detail).toMatch(/and 6998 more; the first 1000 are listed$/);
  });

  it("a header cell of 60 KB is quoted clipped, not whole", async () => {
    const res = await api.importCsv(acme, `emailAddress,firstName,lastName,locale,${"y".repeat(60_000)}\n`);
    expect(res.status).toBe(422);
    expect(res.bytes.length).toBeLessThan(2048);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ code: "header_unknown", field: `${"y".repeat(99)}…` }),
    ]);
  });

  it("a header row over 64 KB (here 1.5 MB of columns) is refused as header_too_long, unread", async () => {
    const header = Array.from({ length: 200_000 }, (_, i) => `x${i}`).join(",");
    const res = await api.importCsv(acme, `${header}\r\nn@acme.test\r\n`);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("import_header_invalid");
    expect(res.bytes.length).toBeLessThan(1024);
    expect(res.body.errors).toEqual([
      {
        row: 1,
        field: "",
        code: "header_too_long",
        message: "the header row is longer than 65536 characters",
      },
    ]);
  });

  it("a row over 64 KB is row_too_long at its row; the rows before it are checked, nothing is written", async () => {
    const csv = `emailAddress,firstName,lastName,locale\nbad,A,B,de-DE\nok@acme.test,${"L".repeat(70_000)},B,de-DE\n`;
    const res = await api.importCsv(acme, csv);
    expect(res.status).toBe(422);
    expect(res.bytes.length).toBeLessThan(2048);
    expect(res.body.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [2, "invalid_email"],
      [3, "row_too_long"],
    ]);
    expect(await byEmail("ok@acme.test")).toBeUndefined();
  });

  it("2,000 rows with a 4 KB bad e-mail each: 1,000 listed with clipped messages, the rest counted", async () => {
    const cell = `${"z".repeat(4096)}@`;
    const rows = Array.from({ length: 2000 }, () => `${cell},A,B,de-DE\n`).join("");
    const res = await api.importCsv(acme, `emailAddress,firstName,lastName,locale\n${rows}`);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("import_invalid");
    expect(res.bytes.length).toBeLessThan(512 * 1024);
    expect(res.body.errors).toHaveLength(1000);
    expect(res.body.errors[0]).toMatchObject({ row: 2, field: "emailAddress", code: "invalid_email" });
    expect(res.body.errors[999].row).toBe(1001);
    expect(res.body.errors[0].message.length).toBeLessThanOrEqual(300);
    expect(res.body.errorsOmitted).toBe(1000);
    expect(res.body.detail).toBe(
      "2000 problem(s) in 2000 row(s); nothing was written; the first 1000 are listed, 1000 left out",
    );
  });
});

describe("CSV import: dry run, updates and unchanged rows", () => {
  it("dryRun=true validates and counts but writes nothing", async () => {
    const before = await api.all(acme);
    const res = await api.importCsv(acme, fixture("excel-bom-crlf.csv"), "trunk=gtc-001&dryRun=true");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ created: 4, updated: 0, unchanged: 0, dryRun: true });
    expect(await api.all(acme)).toEqual(before);
  });

  it("matches existing users by e-mail: equal → unchanged, different → updated, new → created", async () => {
    const free = await api.call("POST", api.users(acme), {
      json: { emailAddress: "free@acme.test", firstName: "Free", lastName: "Agent", locale: "de-DE" },
    });
    const csv = [
      "emailAddress,firstName,lastName,locale",
      "a@acme.test,Al,Ace,de-DE", // as it is; the file is silent about numbers → they are kept
      "a2@acme.test,New,User,en-US",
      "free@acme.test,Free,Agent,de-DE", // unassigned before → assigned to gtc-001 now
    ].join("\r\n");
    const dry = await api.importCsv(acme, csv, "trunk=gtc-001&dryRun=true");
    expect(dry.body).toEqual({ created: 1, updated: 1, unchanged: 1, dryRun: true });
    const res = await api.importCsv(acme, csv);
    expect(res.body).toEqual({ created: 1, updated: 1, unchanged: 1, dryRun: false });
    expect(await byEmail("a@acme.test")).toMatchObject({ phoneNumber: "+4923026672131", callno: "2131" });
    expect(await byEmail("free@acme.test")).toMatchObject({ id: free.body.id, trunk: "gtc-001" });
    const again = await api.importCsv(acme, csv);
    expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 3, dryRun: false });
    const renamed = await api.importCsv(acme, csv.replace("Free,Agent", "Freda,Agent"));
    expect(renamed.body).toEqual({ created: 0, updated: 1, unchanged: 2, dryRun: false });
  });

  it("matches e-mail case-insensitively and takes the file's spelling", async () => {
    const count = (await api.all(acme)).length;
    const res = await api.importCsv(
      acme,
      "emailAddress,firstName,lastName,locale\nA@ACME.TEST,Al,Ace,de-DE\n",
    );
    expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 0, dryRun: false });
    expect(await api.all(acme)).toHaveLength(count);
    expect(await byEmail("A@ACME.TEST")).toMatchObject({ callno: "2131", trunk: "gtc-001" });
  });

  it("lets two users of the file swap their phone numbers", async () => {
    const header = "emailAddress,firstName,lastName,locale,callno\r\n";
    await api.importCsv(acme, `${header}s1@acme.test,S,One,de-DE,701\r\ns2@acme.test,S,Two,de-DE,702\r\n`);
    const res = await api.importCsv(
      acme,
      `${header}s1@acme.test,S,One,de-DE,702\r\ns2@acme.test,S,Two,de-DE,701\r\n`,
    );
    expect(res.body).toEqual({ created: 0, updated: 2, unchanged: 0, dryRun: false });
    expect((await byEmail("s1@acme.test")).phoneNumber).toBe("+492302667702");
    expect((await byEmail("s2@acme.test")).phoneNumber).toBe("+492302667701");
  });

  it("clears an optional field for an empty cell and undoes the export's formula neutralisation", async () => {
    const csv =
      "emailAddress,firstName,lastName,locale,callno,did,phoneNumber\na@acme.test,Al,'-Ace,de-DE,,,'+4911\n";
    const res = await api.importCsv(acme, csv);
    expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 0, dryRun: false });
    expect(await byEmail("a@acme.test")).toMatchObject({
      lastName: "-Ace",
      callno: null,
      did: null,
      phoneNumber: "+4911",
    });
  });
});

describe("CSV import: request errors and limits", () => {
  it("needs an existing trunk (404 trunk_not_found), a tenant (404) and a known content type (415)", async () => {
    const csv = "emailAddress,firstName,lastName,locale\n";
    expect((await api.importCsv(acme, csv, "trunk=gtc-404")).body.code).toBe("trunk_not_found");
    expect((await api.importCsv(acme, csv, "")).status).toBe(400);
    expect((await api.importCsv(acme, csv, "trunk=gtc-001&dryRun=maybe")).status).toBe(400);
    expect((await api.importCsv("tn_none", csv)).body.code).toBe("tenant_not_found");
    const plain = await api.importCsv(acme, csv, "trunk=gtc-001", "text/plain");
    expect(plain.status).toBe(415);
    expect(plain.body.code).toBe("unsupported_media_type");
    const other = await api.tenantId("Beta");
    expect((await api.importCsv(other, csv, "trunk=gtc-002")).body.code).toBe("trunk_not_found");
  });

  it("refuses a body over 10 MB with 413 payload_too_large", async () => {
    const row = "big@acme.test,Big,Body,de-DE\n";
    const body = Buffer.from(
      `emailAddress,firstName,lastName,locale\n${row.repeat(Math.ceil((10 * 1024 * 1024) / row.length) + 1)}`,
    );
    expect(body.length).toBeGreaterThan(10 * 1024 * 1024);
    const res = await api.importCsv(acme, body);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("payload_too_large");
  });

  it("takes 100,000 rows and refuses 100,001 with 413 import_too_many_rows", async () => {
    const rows = (n: number) =>
      `emailAddress,firstName,lastName,locale\n${Array.from({ length: n }, (_, i) => `u${i}@acme.test,U,${i},en-US\n`).join("")}`;
    const ok = await api.importCsv(acme, rows(100_000), "trunk=gtc-001&dryRun=true");
    expect(ok.body).toEqual({ created: 100_000, updated: 0, unchanged: 0, dryRun: true });
    const tooMany = await api.importCsv(acme, rows(100_001), "trunk=gtc-001&dryRun=true");
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.code).toBe("import_too_many_rows");
  });

  it("needs the admin token", async () => {
    const res = await api.call("POST", `${api.users(acme)}/import?trunk=gtc-001`, {
      raw: "emailAddress,firstName,lastName,locale\n",
      contentType: "text/csv",
      token: "wrong",
    });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("admin_token_invalid");
  });
});
