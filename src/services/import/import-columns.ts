/** The camelCase header of a user import (SPEC §1 "CSV import"); the first four are required. */
export const REQUIRED_COLUMNS = ["emailAddress", "firstName", "lastName", "locale"] as const;
export const OPTIONAL_COLUMNS = [
  "role",
  "trunk",
  "callno",
  "did",
  "phoneNumber",
  "routing",
  "alternativeNumber",
  "busyBehaviour",
] as const;
export const IMPORT_COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as const;

export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** More data rows than this are refused (413 `import_too_many_rows`). */
export const IMPORT_MAX_ROWS = 100_000;

export function isImportColumn(name: string): name is ImportColumn {
  return (IMPORT_COLUMNS as readonly string[]).includes(name);
}

/** The known column a wrongly cased name stands for ("EmailAddress" → "emailAddress"). */
export function columnIgnoringCase(name: string): ImportColumn | undefined {
  const lower = name.toLowerCase();
  return IMPORT_COLUMNS.find((c) => c.toLowerCase() === lower);
}

/**
 * One data row as the file has it: trimmed text per column. A column the file does not
 * have is absent; an empty cell (or JSON null) is "".
 */
export interface RawRow {
  /** as the user sees it: CSV spreadsheet row (header = 1), JSON 1-based array position */
  readonly row: number;
  readonly values: Partial<Record<ImportColumn, string>>;
}

/** Where a reader hands each row as soon as it has read it (so the file's rows are never all held). */
export type RowSink = (raw: RawRow) => void;
