import { checkDrift, type ExpertModeDrift } from "./mock-options.js";
import type { LicenceState, MockPbxUserInput } from "./pbx-users.js";

/**
 * The text forms of the command line and the console: a user `2131:licence=none,trusted=false`,
 * user fields `licence=expired route=off`, a drift `port=5999,domain=x.example,transport=tcp`.
 */

const BOOLEAN: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  on: true,
  false: false,
  no: false,
  off: false,
};

/** `key=value` pairs (comma or space separated) as user fields; RangeError for an unknown key or value. */
export function parseUserFields(pairs: readonly string[]): Partial<MockPbxUserInput> {
  const fields: Partial<MockPbxUserInput> = {};
  for (const pair of pairs.flatMap((p) => p.split(",")).filter((p) => p !== "")) {
    const [key = "", value = ""] = splitPair(pair);
    switch (key.toLowerCase()) {
      case "licence":
      case "license":
        if (!["valid", "none", "expired"].includes(value))
          throw new RangeError(`licence "${value}": use valid, none or expired`);
        fields.licence = value as LicenceState;
        break;
      case "trusted":
        fields.trustedExternal = flag(key, value);
        break;
      case "route":
        fields.unifyPhoneRoute = flag(key, value);
        break;
      case "first":
        fields.firstName = value;
        break;
      case "last":
        fields.lastName = value;
        break;
      case "email":
        fields.emailAddress = value;
        break;
      default:
        throw new RangeError(`user field "${key}": use licence, trusted, route, first, last or email`);
    }
  }
  return fields;
}

/** `2131` or `2131:licence=none,trusted=false,route=off`. */
export function parseUserSpec(text: string): MockPbxUserInput {
  const colon = text.indexOf(":");
  const callno = colon < 0 ? text : text.slice(0, colon);
  if (!/^\+?[0-9]{1,20}$/.test(callno))
    throw new RangeError(`user "${text}": start with the callno, e.g. 2131:licence=none`);
  return { callno, ...(colon < 0 ? {} : parseUserFields([text.slice(colon + 1)])) };
}

/** `port=5999`, `domain=x.example`, `transport=tcp` (comma or space separated). */
export function parseDrift(pairs: readonly string[]): ExpertModeDrift {
  const drift: ExpertModeDrift = {};
  for (const pair of pairs.flatMap((p) => p.split(",")).filter((p) => p !== "")) {
    const [key = "", value = ""] = splitPair(pair);
    switch (key.toLowerCase()) {
      case "port":
        if (!/^\d+$/.test(value)) throw new RangeError(`port "${value}": want a number`);
        drift.registrarPort = Number(value);
        break;
      case "domain":
        drift.domain = value;
        break;
      case "transport":
        drift.transport = value as "tls";
        break;
      default:
        throw new RangeError(`Expert Mode field "${key}": use port, domain or transport`);
    }
  }
  if (Object.keys(drift).length === 0)
    throw new RangeError("no change given: use port=, domain= or transport=");
  checkDrift(drift);
  return drift;
}

function splitPair(pair: string): [string, string] {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new RangeError(`"${pair}": want key=value`);
  return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
}

function flag(key: string, value: string): boolean {
  const parsed = BOOLEAN[value.toLowerCase()];
  if (parsed === undefined) throw new RangeError(`${key} "${value}": use true or false`);
  return parsed;
}
