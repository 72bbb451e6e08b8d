import { type Fields, type ProblemReader, strip } from "../shared/untrusted/index.js";
import { readAction } from "./action-fields.js";
import { CSTA_ERROR_CATEGORIES, type CstaFaultAction, type CstaFaultMatch } from "./fault-rule.js";
import type { FaultPath } from "./fault-rule-error.js";

const ACTIONS = {
  "no-response": [],
  error: ["category", "value"],
  "drop-event": [],
  "session-refuse": ["status", "reason"],
} as const;

/** An ECMA-323 element name: MakeCall, DeliveredEvent … */
const SERVICE = /^[A-Z][A-Za-z]{1,63}$/;
/** An ECMA-269 error value: generic, invalidDeviceID, requestIncompatibleWithObject … */
const ERROR_VALUE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

export function parseCstaMatch(r: ProblemReader, raw: unknown, path: FaultPath): CstaFaultMatch | undefined {
  if (raw === undefined || raw === null) return {};
  const m = r.mapping(raw, path, ["service", "trunk", "tenant", "user"], "a CSTA match");
  if (!m) return undefined;
  return strip({
    service: parseServices(r, m, path),
    trunk: r.string(m, path, "trunk", { max: 200 }),
    tenant: r.string(m, path, "tenant", { max: 200 }),
    user: r.string(m, path, "user", { max: 200 }),
  });
}

export function parseCstaAction(
  r: ProblemReader,
  raw: unknown,
  path: FaultPath,
  match: CstaFaultMatch | undefined,
): CstaFaultAction | undefined {
  const read = readAction(r, raw, path, ACTIONS);
  if (!read) return undefined;
  const { type, fields: a } = read;
  const services = match?.service === undefined ? [] : ([] as string[]).concat(match.service);
  const matchPath = [...path.slice(0, -1), "match"];
  switch (type) {
    case "no-response":
    case "error": {
      const events = services.filter((s) => /(Event|Response)$/.test(s) || s === "CSTAErrorCode");
      if (events.length > 0)
        r.fail([...matchPath, "service"], `${type} acts on requests the connector sends, not ${events[0]}`);
      if (type === "no-response") return { type };
      const category = r.choice(a, path, "category", CSTA_ERROR_CATEGORIES) ?? "operation";
      const value = r.string(a, path, "value", { required: true, max: 64 });
      if (value !== undefined && !ERROR_VALUE.test(value))
        r.fail(
          [...path, "value"],
          "must be an ECMA-269 error value such as invalidDeviceID (letters and digits)",
        );
      return value === undefined ? undefined : { type, category, value };
    }
    case "drop-event": {
      const requests = services.filter((s) => !s.endsWith("Event"));
      if (requests.length > 0)
        r.fail(
          [...matchPath, "service"],
          `drop-event drops events (names ending in Event), not ${requests[0]}`,
        );
      return { type };
    }
    case "session-refuse": {
      for (const key of ["service", "user"] as const)
        if (match?.[key] !== undefined)
          r.fail(
            [...matchPath, key],
            "session-refuse acts on the trunk's session: match trunk or tenant only",
          );
      return strip({
        type,
        status: r.integer(a, path, "status", { min: 300, max: 699 }),
        reason: r.string(a, path, "reason", { max: 200, shape: "line" }),
      });
    }
  }
}

function parseServices(r: ProblemReader, m: Fields, path: FaultPath): string | string[] | undefined {
  const value = m.service;
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== "string" || !SERVICE.test(v))) {
    r.fail([...path, "service"], "must be a CSTA message name (MakeCall, DeliveredEvent) or a list of them");
    return undefined;
  }
  return Array.isArray(value) ? (list as string[]) : (value as string);
}
