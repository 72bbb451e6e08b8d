import type { Predicate } from "./mapping.js";

/** Longest `matches` pattern accepted. */
export const MAX_PATTERN_LENGTH = 200;
/** Texts longer than this are tested on their first part only (bounds the regex work). */
export const MAX_TESTED_LENGTH = 64 * 1024;

/**
 * JavaScript regular expressions backtrack: a quantified group that itself holds a
 * quantifier (`(a+)+`, `(\w*)*`, `(a|aa){2,}`) or a back-reference can take exponential
 * time on a crafted input. Such patterns are refused; what remains is linear enough for
 * texts of MAX_TESTED_LENGTH.
 */
const NESTED_QUANTIFIER =
  /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,?\d*\}|\|)(?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d+,\d*\})/;
const BACK_REFERENCE = /\\[1-9]|\\k</;

/** Why a pattern is refused, or undefined when it may be used. */
export function unsafePattern(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  if (NESTED_QUANTIFIER.test(pattern))
    return "must not repeat a group that itself repeats or alternates (catastrophic backtracking)";
  if (BACK_REFERENCE.test(pattern)) return "must not use back-references";
  try {
    new RegExp(pattern);
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
  return undefined;
}

const compiled = new Map<string, RegExp>();

/** Compiled once per pattern (patterns were checked by unsafePattern when read). */
export function regex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Whether `value` (undefined: absent) passes the predicate. */
export function test(predicate: Predicate, value: string | undefined): boolean {
  if ("absent" in predicate) return value === undefined;
  if (value === undefined) return false;
  if ("equalTo" in predicate)
    return predicate.caseInsensitive
      ? value.toLowerCase() === predicate.equalTo.toLowerCase()
      : value === predicate.equalTo;
  if ("contains" in predicate) return value.includes(predicate.contains);
  return regex(predicate.matches).test(value.slice(0, MAX_TESTED_LENGTH));
}

/** A JSON value as text for a predicate: strings as they are, the rest as JSON. */
export function asText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}
