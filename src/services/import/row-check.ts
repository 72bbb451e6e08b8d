import {
  DomainError,
  type Locale,
  type UserRole,
  validateCallno,
  validateDid,
  validateEmail,
  validateLabel,
  validateLocale,
  validatePhoneNumber,
  validateRole,
} from "../../domain/index.js";
import type { FieldProblem } from "../../errors/index.js";
import { type ImportColumn, type RawRow, REQUIRED_COLUMNS } from "./import-columns.js";

/** A row's valid values. Optional ones: undefined = the file has no such column, null = empty cell. */
export interface RowFields {
  emailAddress: string;
  firstName: string;
  lastName: string;
  locale: Locale;
  /** absent or empty: kept (new users: "user") */
  role?: UserRole;
  callno?: string | null;
  did?: string | null;
  phoneNumber?: string | null;
}

export interface CheckedRow {
  readonly row: number;
  /** the lower-cased e-mail when it is valid, for duplicate checks even if other fields are not */
  readonly emailKey?: string;
  /** set only when every field is valid */
  readonly fields?: RowFields;
}

/** Runs a domain validator; its DomainError becomes a problem of the row. */
export function attempt<T>(
  problems: FieldProblem[],
  row: number,
  field: string,
  validate: () => T,
): T | undefined {
  try {
    return validate();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    problems.push({ row, field, code: error.code, message: error.message });
    return undefined;
  }
}

/**
 * Checks one row on its own (the file's other rows and the store come later): required
 * fields, e-mail syntax, names, locale, role, digits of callno and DID, phone number
 * format, and that a `trunk` cell names the import's trunk. Problems go to `problems`.
 */
export function checkRow(raw: RawRow, trunkName: string, problems: FieldProblem[]): CheckedRow {
  const { row, values } = raw;
  const before = problems.length;
  for (const column of REQUIRED_COLUMNS) {
    if (!values[column])
      problems.push({ row, field: column, code: "required", message: `${column} is required` });
  }
  const check = <T>(column: ImportColumn, validate: (value: string) => T): T | undefined => {
    const value = values[column];
    return value ? attempt(problems, row, column, () => validate(value)) : undefined;
  };
  /** undefined: no such column; null: empty cell */
  const optional = <T>(column: ImportColumn, validate: (value: string) => T): T | null | undefined => {
    const value = values[column];
    if (value === undefined) return undefined;
    return value === "" ? null : attempt(problems, row, column, () => validate(value));
  };
  const emailAddress = check("emailAddress", (v) => validateEmail(v));
  const firstName = check("firstName", (v) => validateLabel(v, "firstName"));
  const lastName = check("lastName", (v) => validateLabel(v, "lastName"));
  const locale = check("locale", (v) => validateLocale(v));
  const role = check("role", (v) => validateRole(v));
  const callno = optional("callno", (v) => validateCallno(v));
  const did = optional("did", (v) => validateDid(v));
  const phoneNumber = optional("phoneNumber", (v) => validatePhoneNumber(v));
  const trunk = values.trunk;
  if (trunk && trunk.toLowerCase() !== trunkName.toLowerCase()) {
    problems.push({
      row,
      field: "trunk",
      code: "trunk_mismatch",
      message: `trunk "${trunk}" is not the trunk of this import (${trunkName}); leave it empty or use ${trunkName}`,
    });
  }
  const emailKey = emailAddress?.toLowerCase();
  if (problems.length > before) return emailKey === undefined ? { row } : { row, emailKey };
  const fields: RowFields = {
    emailAddress: emailAddress!,
    firstName: firstName!,
    lastName: lastName!,
    locale: locale!,
  };
  if (role !== undefined) fields.role = role;
  if (callno !== undefined) fields.callno = callno;
  if (did !== undefined) fields.did = did;
  if (phoneNumber !== undefined) fields.phoneNumber = phoneNumber;
  return { row, emailKey: emailKey!, fields };
}
