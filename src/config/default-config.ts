import type { EmulatorConfig } from "./config.js";
import { configValue, OPTIONS } from "./options.js";

/** Settings without a flag: the registrar's expiry bounds, nonces and lockout. */
const UNFLAGGED_DEFAULTS = {
  registrar: {
    defaultExpires: 600,
    minExpires: 60,
    maxExpires: 3600,
    maxContactsPerTrunk: 10,
    nonceTtlMs: 300_000,
    maxAuthFailures: 10,
    lockoutMs: 60_000,
  },
};

/** The embedded defaults (SPEC §3.1): each option's from its OPTIONS row, the rest from above. */
export function defaultConfig(): EmulatorConfig {
  const config: Record<string, unknown> = structuredClone(UNFLAGGED_DEFAULTS);
  for (const spec of OPTIONS) setAt(config, spec.config, structuredClone(configValue(spec, spec.default)));
  return config as unknown as EmulatorConfig;
}

/** Writes `value` at a dotted path, creating the mappings on the way. */
export function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let at = target;
  for (const key of keys.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}
