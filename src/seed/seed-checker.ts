import { DomainError } from "../domain/index.js";
import type { SeedPath } from "./seed-error.js";

export interface RawIssue {
  path: SeedPath;
  message: string;
  /** point at the key itself (unknown keys), not at its value */
  atKey: boolean;
}

type Fields = Record<string, unknown>;

/** Collects every problem of a seed document instead of stopping at the first. */
export class SeedChecker {
  readonly issues: RawIssue[] = [];

  fail(path: SeedPath, message: string, atKey = false): void {
    this.issues.push({ path, message, atKey });
  }

  /** A mapping whose keys are all in `allowed` (typos must not pass silently). */
  mapping(value: unknown, path: SeedPath, allowed: readonly string[], what: string): Fields | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path, `${what} must be a mapping`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.fail([...path, key], `unknown key "${key}" in ${what} (allowed: ${allowed.join(", ")})`, true);
      }
    }
    return value as Fields;
  }

  /** A sequence; absent means empty. */
  sequence(value: unknown, path: SeedPath): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.fail(path, "must be a list");
      return [];
    }
    return value;
  }

  required<T>(
    obj: Fields,
    path: SeedPath,
    key: string,
    validate: (value: unknown, field: string) => T,
  ): T | undefined {
    if (obj[key] === undefined || obj[key] === null) {
      this.fail([...path, key], "is required");
      return undefined;
    }
    return this.optional(obj, path, key, validate);
  }

  /** Absent or null: undefined, without an issue. */
  optional<T>(
    obj: Fields,
    path: SeedPath,
    key: string,
    validate: (value: unknown, field: string) => T,
  ): T | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    return this.attempt(path, key, () => {
      try {
        return validate(value, key);
      } catch (error) {
        if (
          error instanceof DomainError &&
          typeof value === "number" &&
          error.message.endsWith("must be a string")
        ) {
          throw new DomainError(error.code, `${error.message}; quote it: "${value}"`, error.field);
        }
        throw error;
      }
    });
  }

  /** Runs a domain rule; its DomainError becomes an issue at `path` + the error's field. */
  attempt<T>(path: SeedPath, field: string, rule: () => T): T | undefined {
    try {
      return rule();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const name = error.field ?? field;
      const message = error.message.startsWith(`${name} `)
        ? error.message.slice(name.length + 1)
        : error.message;
      this.fail([...path, ...name.split(".")], message);
      return undefined;
    }
  }
}
