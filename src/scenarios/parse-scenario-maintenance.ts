import { parseDuration } from "../shared/duration.js";
import type { Mutable } from "../shared/mutable.js";
import type { DocumentPath, Fields, ProblemReader } from "../shared/untrusted/index.js";
import type { ScenarioMaintenance } from "./scenario.js";

/**
 * `maintenance:` — a planned outage on the emulator clock: `from`/`until` (ISO 8601 or epoch
 * ms) or `startsIn`/`lasts` (durations from the apply), mixed as needed; an end is required.
 */
export function parseScenarioMaintenance(r: ProblemReader, value: unknown): ScenarioMaintenance | undefined {
  if (value === undefined || value === null) return undefined;
  const at: DocumentPath = ["maintenance"];
  const m = r.mapping(value, at, ["from", "startsIn", "until", "lasts"], "maintenance");
  if (!m) return undefined;
  const result: Mutable<ScenarioMaintenance> = {};
  const from = r.time(m, at, "from", "2030-01-01T02:00:00Z");
  if (from !== undefined) result.from = from;
  const until = r.time(m, at, "until", "2030-01-01T04:00:00Z");
  if (until !== undefined) result.until = until;
  const startsInMs = duration(r, m, at, "startsIn", true);
  if (startsInMs !== undefined) result.startsInMs = startsInMs;
  const lastsMs = duration(r, m, at, "lasts", false);
  if (lastsMs !== undefined) result.lastsMs = lastsMs;
  if ("from" in m && "startsIn" in m) r.fail(at, "give the start as from or as startsIn, not both");
  if ("until" in m && "lasts" in m) r.fail(at, "give the end as until or as lasts, not both");
  if (!("until" in m) && !("lasts" in m)) r.fail(at, 'needs an end: until (a time) or lasts (e.g. "2h")');
  if (from !== undefined && until !== undefined && until <= from)
    r.fail([...at, "until"], "must be after from");
  return result;
}

function duration(
  r: ProblemReader,
  m: Fields,
  at: DocumentPath,
  key: string,
  zeroOk: boolean,
): number | undefined {
  const value = m[key];
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms !== undefined && (ms > 0 || (zeroOk && ms === 0))) return ms;
  r.fail([...at, key], 'must be a duration such as "10m", "2h30m" or "PT90S"');
  return undefined;
}
