import { describe, expect, it } from "vitest";
import { readCsvRows as readCsv } from "../../../src/services/import/csv-rows.js";
import type { RawRow } from "../../../src/services/import/import-columns.js";
import { readJsonRows as readJson } from "../../../src/services/import/json-rows.js";

/** The rows a reader hands to its sink, with the problems it returns. */
const readCsvRows = async (body: Buffer) => {
  const rows: RawRow[] = [];
  const problems = (await readCsv(body, (r) => rows.push(r))).listed();
  return { rows, problems };
};
const readJsonRows = (body: unknown) => {
  const rows: RawRow[] = [];
  const problems = readJson(body, (r) => rows.push(r)).listed();
  return { rows, problems };
};

const csv = (text: string) => Buffer.from(text, "utf8");
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e) => e,
  );

describe("readCsvRows", () => {
  it("numbers rows as a spreadsheet does: header 1, blank lines counted, a multi-line cell is one row", async () => {
    const { rows, problems } = await readCsvRows(
      csv(
        'emailAddress,firstName,lastName,locale\n\na@x.test,"Two\nLines",L,de-DE\n,,,\nb@x.test,B,L,de-DE\n',
      ),
    );
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.row, r.values.emailAddress])).toEqual([
      [3, "a@x.test"],
      [5, "b@x.test"],
    ]);
    expect(rows[0]!.values.firstName).toBe("Two\nLines");
  });

  it("strips the BOM, detects ';', trims cells and undoes a leading \"'\" before a formula character", async () => {
    const { rows } = await readCsvRows(
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        csv(
          "locale;emailAddress;firstName;lastName;phoneNumber\r\n de-DE ;a@x.test;'=1+2;'O'Brien;'+49301\r\n",
        ),
      ]),
    );
    expect(rows).toEqual([
      {
        row: 2,
        values: {
          locale: "de-DE",
          emailAddress: "a@x.test",
          firstName: "=1+2",
          lastName: "'O'Brien",
          phoneNumber: "+49301",
        },
      },
    ]);
  });

  it("keeps a multi-byte character that straddles the parser's 256 KiB slices", async () => {
    const slice = 256 * 1024;
    let text = "emailAddress,firstName,lastName,locale\n";
    for (let i = 0; text.length + 1000 < slice; i++) text += `f${i}@x.test,F,L,de-DE\n`;
    const before = "j@x.test,J";
    const pad = slice - 1 - text.length - "p@x.test,P,".length - ",de-DE\n".length - before.length;
    const bytes = csv(`${text}p@x.test,P,${"a".repeat(pad)},de-DE\n${before}ürgen,Groß,de-DE\n`);
    expect(bytes.indexOf("ü")).toBe(slice - 1);
    const { rows, problems } = await readCsvRows(bytes);
    expect(problems).toEqual([]);
    expect(rows.at(-1)!.values).toMatchObject({ firstName: "Jürgen", lastName: "Groß" });
  });

  it("reports a row with the wrong number of fields and goes on", async () => {
    const { rows, problems } = await readCsvRows(
      csv("emailAddress,firstName,lastName,locale\na@x.test,A,L\nb@x.test,B,L,de-DE\n"),
    );
    expect(problems).toEqual([expect.objectContaining({ row: 2, field: "", code: "column_count" })]);
    expect(rows.map((r) => r.row)).toEqual([3]);
  });

  it("refuses a header with problems, an empty file and bytes that are not UTF-8", async () => {
    const header = await rejection(readCsvRows(csv("\n\nemailaddress,firstName,lastName,Locale,x\n")));
    expect(header).toMatchObject({ code: "import_header_invalid" });
    expect(header.extensions.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [3, "header_wrong_case"],
      [3, "header_wrong_case"],
      [3, "header_unknown"],
    ]);
    expect(await rejection(readCsvRows(csv(" \n\n")))).toMatchObject({ code: "import_empty" });
    expect(await rejection(readCsvRows(Buffer.from([0x61, 0xff, 0x0a])))).toMatchObject({
      code: "import_not_utf8",
    });
  });
});

describe("readJsonRows", () => {
  it("reads an array or {users}, maps null to an empty cell, and reports shape problems per entry", () => {
    const entries = [
      { emailAddress: " a@x.test ", firstName: "A", lastName: "L", locale: "de-DE", did: null },
      "not a user",
      { EmailAddress: "b@x.test", nickname: "B", callno: 2131 },
    ];
    const direct = readJsonRows(entries);
    expect(readJsonRows({ users: entries })).toEqual(direct);
    expect(direct.rows.map((r) => r.row)).toEqual([1, 3]);
    expect(direct.rows[0]!.values).toEqual({
      emailAddress: "a@x.test",
      firstName: "A",
      lastName: "L",
      locale: "de-DE",
      did: "",
    });
    expect(direct.problems.map((p) => [p.row, p.field, p.code])).toEqual([
      [2, "", "not_an_object"],
      [3, "EmailAddress", "field_wrong_case"],
      [3, "nickname", "unknown_field"],
      [3, "callno", "invalid_type"],
    ]);
  });
});
