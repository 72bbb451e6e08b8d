import type { SeedPath } from "../seed/index.js";

export type Fields = Record<string, unknown>;

export interface RawScenarioIssue {
  readonly path: SeedPath;
  readonly message: string;
  /** point at the key itself (unknown keys), not at its value */
  readonly atKey?: boolean;
}

/** Reads the plain parts of a scenario file, collecting every problem instead of stopping. */
export class ScenarioReader {
  readonly issues: RawScenarioIssue[] = [];

  fail(path: SeedPath, message: string, atKey = false): void {
    this.issues.push({ path, message, atKey });
  }

  /** A mapping whose keys are all in `allowed` (a typo must not pass silently). */
  mapping(value: unknown, path: SeedPath, allowed: readonly string[], what: string): Fields | undefined {
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

  /** Non-blank text. */
  text(obj: Fields, path: SeedPath, key: string, required = false): string | undefined {
    const value = this.present(obj, path, key, required);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "") {
      this.fail([...path, key], "must be non-empty text");
      return undefined;
    }
    return value.trim();
  }

  integer(
    obj: Fields,
    path: SeedPath,
    key: string,
    range: { min: number; max: number },
    required = false,
  ): number | undefined {
    const value = this.present(obj, path, key, required);
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || (value as number) < range.min || (value as number) > range.max) {
      this.fail([...path, key], `must be a whole number from ${range.min} to ${range.max}`);
      return undefined;
    }
    return value as number;
  }

  boolean(obj: Fields, path: SeedPath, key: string): boolean | undefined {
    const value = this.present(obj, path, key, false);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") {
      this.fail([...path, key], "must be true or false");
      return undefined;
    }
    return value;
  }

  choice<T extends string>(
    obj: Fields,
    path: SeedPath,
    key: string,
    choices: readonly T[],
    required = false,
  ): T | undefined {
    const value = this.present(obj, path, key, required);
    if (value === undefined) return undefined;
    if (!choices.includes(value as T)) {
      this.fail([...path, key], `must be one of ${choices.join(", ")}`);
      return undefined;
    }
    return value as T;
  }

  /** A list of non-blank texts; `required` also refuses an empty list. */
  texts(obj: Fields, path: SeedPath, key: string, required = false): string[] | undefined {
    const value = this.present(obj, path, key, required);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || (required && value.length === 0)) {
      this.fail([...path, key], required ? "must be a non-empty list of texts" : "must be a list of texts");
      return undefined;
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === "string" && item.trim() !== "") out.push(item.trim());
      else this.fail([...path, key, i], "must be non-empty text");
    });
    return out;
  }

  private present(obj: Fields, path: SeedPath, key: string, required: boolean): unknown {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (required) this.fail([...path, key], "is required");
      return undefined;
    }
    return value;
  }
}
