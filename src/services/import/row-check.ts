import {
  BUSY_BEHAVIOURS,
  type BusyBehaviour,
  DomainError,
  type Locale,
  USER_ROUTINGS,
  type UserRole,
  type UserRouting,
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
import type { ProblemList } from "./problem-list.js";

/** Where problems are collected (a ProblemList, which caps what it keeps). */
export interface ProblemSink {
  push(problem: FieldProblem): void;
}

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
  /** absent or empty: kept (new users: "default" / "call-waiting"); checked together in the plan */
  routing?: UserRouting;
  alternativeNumber?: string | null;
  busyBehaviour?: BusyBehaviour;
}

/** An enumerated cell: one of `allowed`, else a DomainError naming the column. */
const oneOf =
  <T extends string>(allowed: readonly T[], code: string) =>
  (value: string, field: string): T => {
    if (allowed.includes(value as T)) return value as T;
    throw new DomainError(code, `${field} must be one of ${allowed.join(", ")}`, field);
  };
const validateRoutingCell = oneOf(USER_ROUTINGS, "invalid_routing");
const validateBusyCell = oneOf(BUSY_BEHAVIOURS, "invalid_busy_behaviour");

export interface CheckedRow {
  readonly row: number;
  /** the lower-cased e-mail when it is valid, for duplicate checks even if other fields are not */
  readonly emailKey?: string;
  /** set only when every field is valid */
  readonly fields?: RowFields;
}

/** Runs a domain validator; its DomainError becomes a problem of the row. */
export function attempt<T>(
  problems: ProblemSink,
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
 * Checks rows one by one, on their own (the file's other rows and the store come later):
 * required fields, e-mail syntax, names, locale, role, digits of callno and DID, phone
 * number format, and that a `trunk` cell names the import's trunk. Problems go to `problems`.
 */
export class RowChecker {
  /** A file repeats a handful of locale and role spellings: each is validated once, rows share the result. */
  private readonly locales = new Map<string, Locale>();
  private readonly roles = new Map<string, UserRole>();

  constructor(
    private readonly trunkName: string,
    private readonly problems: ProblemList,
  ) {}

  check(raw: RawRow): CheckedRow {
    const { row, values } = raw;
    const problems = this.problems;
    const before = problems.total;
    for (const column of REQUIRED_COLUMNS) {
      if (!values[column])
        problems.push({ row, field: column, code: "required", message: `${column} is required` });
    }
    const emailAddress = this.value(row, "emailAddress", values.emailAddress, validateEmail);
    const firstName = this.value(row, "firstName", values.firstName, validateLabel);
    const lastName = this.value(row, "lastName", values.lastName, validateLabel);
    const locale = this.repeated(this.locales, row, "locale", values.locale, validateLocale);
    const role = this.repeated(this.roles, row, "role", values.role, validateRole);
    const callno = this.optional(row, "callno", values.callno, validateCallno);
    const did = this.optional(row, "did", values.did, validateDid);
    const phoneNumber = this.optional(row, "phoneNumber", values.phoneNumber, validatePhoneNumber);
    const routing = this.value(row, "routing", values.routing, validateRoutingCell);
    const alternativeNumber = this.optional(row, "alternativeNumber", values.alternativeNumber, (v, f) =>
      validatePhoneNumber(v, f),
    );
    const busyBehaviour = this.value(row, "busyBehaviour", values.busyBehaviour, validateBusyCell);
    const trunk = values.trunk;
    if (trunk && trunk.toLowerCase() !== this.trunkName.toLowerCase()) {
      problems.push({
        row,
        field: "trunk",
        code: "trunk_mismatch",
        message: `trunk "${trunk}" is not the trunk of this import (${this.trunkName}); leave it empty or use ${this.trunkName}`,
      });
    }
    const emailKey = emailAddress?.toLowerCase();
    if (problems.total > before) return emailKey === undefined ? { row } : { row, emailKey };
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
    if (routing !== undefined) fields.routing = routing;
    if (alternativeNumber !== undefined) fields.alternativeNumber = alternativeNumber;
    if (busyBehaviour !== undefined) fields.busyBehaviour = busyBehaviour;
    return { row, emailKey: emailKey!, fields };
  }

  /** A non-empty cell, validated; undefined when absent, empty or invalid. */
  private value<T>(
    row: number,
    column: ImportColumn,
    value: string | undefined,
    validate: (value: string, field: string) => T,
  ): T | undefined {
    return value ? attempt(this.problems, row, column, () => validate(value, column)) : undefined;
  }

  /** undefined: no such column (or invalid); null: empty cell. */
  private optional<T>(
    row: number,
    column: ImportColumn,
    value: string | undefined,
    validate: (value: string, field: string) => T,
  ): T | null | undefined {
    if (value === undefined) return undefined;
    return value === "" ? null : this.value(row, column, value, validate);
  }

  private repeated<T>(
    known: Map<string, T>,
    row: number,
    column: ImportColumn,
    value: string | undefined,
    validate: (value: string, field: string) => T,
  ): T | undefined {
    const seen = value === undefined ? undefined : known.get(value);
    if (seen !== undefined || !value) return seen;
    const valid = this.value(row, column, value, validate);
    if (valid !== undefined) known.set(value, valid);
    return valid;
  }
}
