import type { FaultPath } from "./fault-rule-error.js";

export type Fields = Record<string, unknown>;

const TOKEN = /^[A-Za-z0-9!%*_+`'~.-]+$/;
const NO_LINE_BREAK = /^[^\r\n]*$/;

/**
 * Reads the fields of one untrusted value and collects every problem with its path,
 * instead of stopping at the first (a scenario author fixes them all in one go).
 */
export class FieldReader {
  readonly issues: { segments: FaultPath; message: string }[] = [];

  fail(path: FaultPath, message: string): void {
    this.issues.push({ segments: path, message });
  }

  /** A mapping whose keys are all in `allowed`: a typo must not pass silently. */
  mapping(value: unknown, path: FaultPath, allowed: readonly string[], what: string): Fields | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path, `${what} must be a mapping`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key))
        this.fail([...path, key], `unknown key "${key}" in ${what} (allowed: ${allowed.join(", ")})`);
    }
    return value as Fields;
  }

  string(
    obj: Fields,
    path: FaultPath,
    key: string,
    options: { required?: boolean; max?: number; shape?: "token" | "line" } = {},
  ): string | undefined {
    const value = this.present(obj, path, key, options.required);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") return this.wrong(path, key, "must be a non-empty string");
    if (options.max !== undefined && value.length > options.max)
      return this.wrong(path, key, `must be at most ${options.max} characters`);
    if (options.shape === "token" && !TOKEN.test(value))
      return this.wrong(path, key, "must be a token (letters, digits, - . ! % * _ + ` ' ~)");
    if (options.shape === "line" && !NO_LINE_BREAK.test(value))
      return this.wrong(path, key, "must not contain a line break");
    return value;
  }

  integer(
    obj: Fields,
    path: FaultPath,
    key: string,
    range: { min: number; max: number; required?: boolean },
  ): number | undefined {
    const value = this.present(obj, path, key, range.required);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > range.max)
      return this.wrong(path, key, `must be an integer from ${range.min} to ${range.max}`);
    return value;
  }

  number(
    obj: Fields,
    path: FaultPath,
    key: string,
    range: { min: number; max: number; required?: boolean },
  ): number | undefined {
    const value = this.present(obj, path, key, range.required);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < range.min || value > range.max)
      return this.wrong(path, key, `must be a number from ${range.min} to ${range.max}`);
    return value;
  }

  choice<T extends string>(
    obj: Fields,
    path: FaultPath,
    key: string,
    choices: readonly T[],
    required = false,
  ): T | undefined {
    const value = this.present(obj, path, key, required);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || !choices.includes(value as T))
      return this.wrong(path, key, `must be one of ${choices.join(", ")}`);
    return value as T;
  }

  /** A JavaScript regular expression source that compiles. */
  pattern(obj: Fields, path: FaultPath, key: string, required = false): string | undefined {
    const value = this.string(obj, path, key, { required, max: 500 });
    if (value === undefined) return undefined;
    try {
      new RegExp(value, "i");
      return value;
    } catch (error) {
      return this.wrong(path, key, `is not a valid regular expression: ${(error as Error).message}`);
    }
  }

  /** ISO 8601 text, a YAML timestamp (Date) or epoch ms; returned as epoch ms. */
  time(obj: Fields, path: FaultPath, key: string): number | undefined {
    const value = this.present(obj, path, key, false);
    if (value === undefined) return undefined;
    const ms =
      value instanceof Date
        ? value.getTime()
        : typeof value === "number"
          ? value
          : typeof value === "string"
            ? Date.parse(value)
            : Number.NaN;
    if (!Number.isFinite(ms) || ms < 0)
      return this.wrong(path, key, "must be an ISO 8601 time (emulator clock) or epoch milliseconds");
    return ms;
  }

  private present(obj: Fields, path: FaultPath, key: string, required = false): unknown {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (required) this.fail([...path, key], "is required");
      return undefined;
    }
    return value;
  }

  private wrong(path: FaultPath, key: string, message: string): undefined {
    this.fail([...path, key], message);
    return undefined;
  }
}

/** Drops undefined members so stored rules (and their JSON) only carry what was given. */
export function strip<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
