import type { Fields, ProblemReader } from "../shared/untrusted/index.js";
import type { DelayAction } from "./fault-rule.js";
import type { FaultPath } from "./fault-rule-error.js";
import type { RandomSource } from "./seeded-random.js";

/** Longest delay an action may ask for: ten minutes. */
export const MAX_DELAY_MS = 600_000;

/**
 * Reads `action.type` and checks the other keys against what that type allows
 * (`allowed[type]`, without "type").
 */
export function readAction<T extends string>(
  r: ProblemReader,
  raw: unknown,
  path: FaultPath,
  allowed: Record<T, readonly string[]>,
): { type: T; fields: Fields } | undefined {
  if (raw === undefined || raw === null) {
    r.fail(path, "is required");
    return undefined;
  }
  const types = Object.keys(allowed) as T[];
  if (typeof raw !== "object" || Array.isArray(raw)) {
    r.fail(path, `must be a mapping like { type: ${types[0]} }`);
    return undefined;
  }
  const type = r.choice(raw as Fields, path, "type", types, true);
  if (!type) return undefined;
  const fields = r.mapping(raw, path, ["type", ...allowed[type]], `a ${type} action`);
  return fields ? { type, fields } : undefined;
}

/** `{ ms }` or `{ minMs, maxMs }`. */
export function readDelay(r: ProblemReader, fields: Fields, path: FaultPath): DelayAction | undefined {
  const range = { min: 0, max: MAX_DELAY_MS };
  const before = r.issues.length;
  const ms = r.integer(fields, path, "ms", range);
  const minMs = r.integer(fields, path, "minMs", range);
  const maxMs = r.integer(fields, path, "maxMs", range);
  if (ms !== undefined) {
    if (minMs !== undefined || maxMs !== undefined) r.fail(path, "give either ms or minMs/maxMs, not both");
    return { type: "delay", ms };
  }
  if (minMs === undefined || maxMs === undefined) {
    if (r.issues.length === before) r.fail(path, "a delay needs ms, or minMs and maxMs");
    return undefined;
  }
  if (minMs > maxMs) {
    r.fail([...path, "maxMs"], "must not be less than minMs");
    return undefined;
  }
  return { type: "delay", minMs, maxMs };
}

/** The wait a delay action asks for; a range is drawn with the rule's generator. */
export function delayMs(action: DelayAction, random: RandomSource): number {
  if (action.ms !== undefined) return action.ms;
  const min = action.minMs ?? 0;
  const max = action.maxMs ?? min;
  return min + Math.floor(random() * (max - min + 1));
}
