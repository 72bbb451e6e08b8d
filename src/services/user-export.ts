import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import type { User } from "../domain/index.js";
import type { Store } from "../store/index.js";
import { IMPORT_COLUMNS } from "./import/index.js";

/** Cells a spreadsheet would run as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A leading "'" makes a spreadsheet show the cell as text; the import removes it again. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * The tenant's users as CSV in the import's header format, for Excel: UTF-8 with BOM,
 * CRLF, quoted where needed (also around line breaks and ";"), formulas neutralised.
 */
export function exportUsersCsv(store: Store, tenantId: string): Readable {
  const trunkNames = new Map(store.trunks.listByTenant(tenantId).map((t) => [t.id, t.name]));
  const cells = (u: User): string[] =>
    [
      u.emailAddress,
      u.firstName,
      u.lastName,
      u.locale,
      u.role,
      u.trunkId === undefined ? "" : (trunkNames.get(u.trunkId) ?? ""),
      u.callno ?? "",
      u.did ?? "",
      u.phoneNumber ?? "",
      u.routing,
      u.alternativeNumber ?? "",
      u.busyBehaviour,
    ].map(neutraliseFormula);
  const csv = stringify({
    bom: true,
    record_delimiter: "windows",
    header: true,
    columns: [...IMPORT_COLUMNS],
    quoted_match: /[\r\n;]/,
  });
  return Readable.from(store.users.listByTenant(tenantId).map(cells)).pipe(csv);
}
