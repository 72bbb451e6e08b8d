import type { DocumentPath } from "./document-path.js";
import type { Problem } from "./problem.js";

export type Fields = Record<string, unknown>;

/** Inclusive bounds of a number field. */
type Range = { readonly min: number; readonly max: number; readonly required?: boolean };

/**
 * Turns an error thrown by a caller's rule into a problem: `field` (dotted, relative to
 * the path given) and message. Undefined: not a validation error, it is rethrown.
 */
export type ExplainError = (
  error: unknown,
  value: unknown,
  field: string,
) => { field: string; message: string } | undefined;

const TOKEN = /^[A-Za-z0-9!%*_+`'~.-]+$/;
const NO_LINE_BREAK = /^[^\r\n]*$/;

/**
 * Reads an untrusted parsed document (seed, scenario, fault rule, REST body) field by field
 * and collects every problem with its path instead of stopping at the first: an author
 * fixes them all in one go. Each reader returns undefined when the value is absent or wrong.
 */
export class ProblemReader {
  readonly issues: Problem[] = [];

  constructor(private readonly explain?: ExplainError) {}

  fail(path: DocumentPath, message: string, atKey = false): void {
    this.issues.push({ path, message, atKey });
  }

  /** A mapping whose keys are all in `allowed`: a typo must not pass silently. */
  mapping(value: unknown, path: DocumentPath, allowed: readonly string[], what: string): Fields | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date) {
      this.fail(path, `${what} must be a mapping`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key))
        this.fail([...path, key], `unknown key "${key}" in ${what} (allowed: ${allowed.join(", ")})`, true);
    }
    return value as Fields;
  }

  /** A list; absent means empty. */
  sequence(value: unknown, path: DocumentPath): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.fail(path, "must be a list");
      return [];
    }
    return value;
  }

  /** Non-blank text, trimmed. */
  text(obj: Fields, path: DocumentPath, key: string, required = false): string | undefined {
    const value = this.present(obj, path, key, required);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "")
      return this.wrong(path, key, "must be non-empty text");
    return value.trim();
  }

  /** A list of non-blank texts, trimmed; `required` also refuses an empty list. */
  texts(obj: Fields, path: DocumentPath, key: string, required = false): string[] | undefined {
    const value = this.present(obj, path, key, required);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || (required && value.length === 0))
      return this.wrong(
        path,
        key,
        required ? "must be a non-empty list of texts" : "must be a list of texts",
      );
    const out: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === "string" && item.trim() !== "") out.push(item.trim());
      else this.fail([...path, key, i], "must be non-empty text");
    });
    return out;
  }

  /** A non-empty string taken as it is; `shape` narrows it to an HTTP/SIP token or one line. */
  string(
    obj: Fields,
    path: DocumentPath,
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

  integer(obj: Fields, path: DocumentPath, key: string, range: Range): number | undefined {
    return this.inRange(obj, path, key, range, "an integer", Number.isInteger);
  }

  number(obj: Fields, path: DocumentPath, key: string, range: Range): number | undefined {
    return this.inRange(obj, path, key, range, "a number", Number.isFinite);
  }

  boolean(obj: Fields, path: DocumentPath, key: string): boolean | undefined {
    const value = this.present(obj, path, key);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") return this.wrong(path, key, "must be true or false");
    return value;
  }

  choice<T extends string>(
    obj: Fields,
    path: DocumentPath,
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
  pattern(obj: Fields, path: DocumentPath, key: string, required = false): string | undefined {
    const value = this.string(obj, path, key, { required, max: 500 });
    if (value === undefined) return undefined;
    try {
      new RegExp(value, "i");
      return value;
    } catch (error) {
      return this.wrong(path, key, `is not a valid regular expression: ${(error as Error).message}`);
    }
  }

  /**
   * ISO 8601 text, a YAML timestamp (Date) or epoch ms; returned as epoch ms. `example`
   * goes in the message, e.g. "2030-01-01T00:00:00Z".
   */
  time(obj: Fields, path: DocumentPath, key: string, example = "emulator clock"): number | undefined {
    const value = this.present(obj, path, key);
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
      return this.wrong(path, key, `must be an ISO 8601 time (${example}) or epoch milliseconds`);
    return ms;
  }

  /** A field checked by the caller's `validate`, whose errors the reader's `explain` turns into problems. */
  validated<T>(
    obj: Fields,
    path: DocumentPath,
    key: string,
    validate: (value: unknown, field: string) => T,
    required = false,
  ): T | undefined {
    const value = this.present(obj, path, key, required);
    if (value === undefined) return undefined;
    return this.attempt(path, key, () => validate(value, key), value);
  }

  /** Runs a rule; an error `explain` understands becomes a problem at `path` + its field. */
  attempt<T>(path: DocumentPath, field: string, rule: () => T, value?: unknown): T | undefined {
    try {
      return rule();
    } catch (error) {
      const problem = this.explain?.(error, value, field);
      if (!problem) throw error;
      this.fail([...path, ...problem.field.split(".")], problem.message);
      return undefined;
    }
  }

  private inRange(
    obj: Fields,
    path: DocumentPath,
    key: string,
    range: Range,
    what: string,
    accepts: (n: number) => boolean,
  ): number | undefined {
    const value = this.present(obj, path, key, range.required);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !accepts(value) || value < range.min || value > range.max)
      return this.wrong(path, key, `must be ${what} from ${range.min} to ${range.max}`);
    return value;
  }

  /** The value at `key`; absent or null is undefined (and "is required" when it must be there). */
  private present(obj: Fields, path: DocumentPath, key: string, required = false): unknown {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (required) this.fail([...path, key], "is required");
      return undefined;
    }
    return value;
  }

  private wrong(path: DocumentPath, key: string, message: string): undefined {
    this.fail([...path, key], message);
    return undefined;
  }
}

/** Drops undefined members so what was read (and its JSON) only carries what was given. */
export function strip<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
