import type { SeedDocument } from "./seed-document.js";
import { formatSeedPath, SeedError, type SeedIssue, type SeedPath } from "./seed-error.js";
import { sourceOf } from "./seed-source.js";

/** `clock:` of a seed: where emulator time starts, and whether it flows. */
export interface SeedClock {
  readonly now?: number;
  readonly frozen?: boolean;
}

/**
 * Reads the seed's `clock: { now: ISO 8601 | epoch ms, frozen: bool }`. It is applied
 * before anything else, so `createdAt` stamps and JWT expiries are relative to it.
 */
export function seedClock(document: SeedDocument): SeedClock | undefined {
  const raw = document.clock;
  if (raw === undefined || raw === null) return undefined;
  const issues: SeedIssue[] = [];
  const issue = (path: SeedPath, message: string, atKey = false) => {
    const position = sourceOf(document)?.locate(path, atKey);
    issues.push({ path: formatSeedPath(path), message, ...(position ?? {}) });
  };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    issue(["clock"], "must be a mapping like { now: 2030-01-01T00:00:00Z, frozen: true }");
    throw new SeedError(issues, sourceOf(document)?.file);
  }
  const clock = raw as Record<string, unknown>;
  for (const key of Object.keys(clock)) {
    if (key !== "now" && key !== "frozen")
      issue(["clock", key], `unknown key "${key}" (allowed: now, frozen)`, true);
  }
  let now: number | undefined;
  if (clock.now !== undefined) {
    // YAML turns an unquoted timestamp into a Date.
    const value = clock.now instanceof Date ? clock.now.getTime() : clock.now;
    now = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(now) || now < 0)
      issue(["clock", "now"], "must be an ISO 8601 time or epoch milliseconds");
  }
  if (clock.frozen !== undefined && typeof clock.frozen !== "boolean")
    issue(["clock", "frozen"], "must be true or false");
  if (issues.length > 0) throw new SeedError(issues, sourceOf(document)?.file);
  return {
    ...(now === undefined ? {} : { now }),
    ...(typeof clock.frozen === "boolean" ? { frozen: clock.frozen } : {}),
  };
}
