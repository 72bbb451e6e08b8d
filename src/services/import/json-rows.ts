import { tooManyRows } from "./csv-rows.js";
import {
  columnIgnoringCase,
  IMPORT_MAX_ROWS,
  type ImportColumn,
  isImportColumn,
  type RowSink,
} from "./import-columns.js";
import { ProblemList } from "./problem-list.js";

/**
 * Reads a JSON user import (OpenScape Voice / 4000 style): an array of user objects, or
 * `{ "users": [...] }`, with the CSV column names as keys; `row` is the 1-based position
 * in the array. Values are strings; null stands for an empty cell. Each object goes to
 * `sink`; the shape problems (not an object, unknown key, not a string) go to `problems`,
 * which is returned.
 */
export function readJsonRows(
  body: unknown,
  sink: RowSink,
  problems: ProblemList = new ProblemList(),
): ProblemList {
  const list = Array.isArray(body) ? body : (body as { users: unknown[] }).users;
  if (list.length > IMPORT_MAX_ROWS) throw tooManyRows();
  list.forEach((item, i) => {
    const row = i + 1;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.push({ row, field: "", code: "not_an_object", message: `entry ${row} is not a user object` });
      return;
    }
    const values: Partial<Record<ImportColumn, string>> = {};
    for (const [key, value] of Object.entries(item)) {
      if (!isImportColumn(key)) {
        const meant = columnIgnoringCase(key);
        problems.push(
          meant
            ? { row, field: key, code: "field_wrong_case", message: `"${key}" must be spelled "${meant}"` }
            : { row, field: key, code: "unknown_field", message: `"${key}" is not a known field` },
        );
      } else if (value === null) {
        values[key] = "";
      } else if (typeof value === "string") {
        values[key] = value.trim();
      } else {
        problems.push({ row, field: key, code: "invalid_type", message: `${key} must be a string or null` });
      }
    }
    sink({ row, values });
  });
  return problems;
}
