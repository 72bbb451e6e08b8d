import { type Fields, ProblemReader, strip } from "../shared/untrusted/index.js";
import { FAULT_LAYERS, type FaultRuleInput, type FaultWhen } from "./fault-rule.js";
import { type FaultPath, FaultRuleError, formatFaultPath } from "./fault-rule-error.js";
import { parseCstaAction, parseCstaMatch } from "./parse-csta-fault.js";
import { parseHttpAction, parseHttpMatch } from "./parse-http-fault.js";
import { parseRtpAction, parseRtpMatch } from "./parse-rtp-fault.js";
import { parseSipAction, parseSipMatch } from "./parse-sip-fault.js";
import { parseStunAction, parseStunMatch } from "./parse-stun-fault.js";
import { parseTlsAction, parseTlsMatch } from "./parse-tls-fault.js";

const RULE_KEYS = ["id", "name", "description", "layer", "match", "action", "when"];
/** Read-only fields of a listed rule: accepted (and ignored) so a listed rule can be posted back. */
const OUTPUT_KEYS = ["hits", "lastHitAt", "createdAt"];
const WHEN_KEYS = ["firstN", "everyNth", "probability", "seed", "from", "until", "maxHits"];
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_COUNT = 1_000_000_000;

/**
 * Validates one rule (REST body, seed or scenario entry). Throws FaultRuleError naming
 * every problem as `path.to.field: message`; `path` prefixes those names.
 */
export function parseFaultRule(value: unknown, path = "fault"): FaultRuleInput {
  const r = new ProblemReader();
  const rule = readRule(r, value, []);
  if (r.issues.length > 0 || !rule) throw toError(r, path);
  return rule;
}

/** Validates a list of rules (a seed's or scenario's `faults:`); ids must be unique in it. */
export function parseFaultRules(value: unknown, path: string): FaultRuleInput[] {
  const r = new ProblemReader();
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    r.fail([], "must be a list of fault rules");
    throw toError(r, path);
  }
  const rules: FaultRuleInput[] = [];
  const ids = new Map<string, number>();
  value.forEach((item, i) => {
    const rule = readRule(r, item, [i]);
    if (!rule) return;
    if (rule.id !== undefined) {
      const first = ids.get(rule.id);
      if (first !== undefined) r.fail([i, "id"], `"${rule.id}" is already the id of ${path}[${first}]`);
      else ids.set(rule.id, i);
    }
    rules.push(rule);
  });
  if (r.issues.length > 0) throw toError(r, path);
  return rules;
}

function readRule(r: ProblemReader, value: unknown, path: FaultPath): FaultRuleInput | undefined {
  const before = r.issues.length;
  const o = r.mapping(value, path, [...RULE_KEYS, ...OUTPUT_KEYS], "a fault rule");
  if (!o) return undefined;
  const id = r.string(o, path, "id", { max: 64 });
  if (id !== undefined && !ID.test(id))
    r.fail([...path, "id"], "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  const about = strip({
    id,
    name: r.string(o, path, "name", { max: 100, shape: "line" }),
    description: r.string(o, path, "description", { max: 2000 }),
  });
  const layer = r.choice(o, path, "layer", FAULT_LAYERS, true);
  const at = (key: string) => [...path, key];
  let rule: FaultRuleInput | undefined;
  switch (layer) {
    case "sip": {
      const match = parseSipMatch(r, o.match, at("match"));
      const action = parseSipAction(r, o.action, at("action"), match);
      if (match && action) rule = { ...about, layer, match, action };
      break;
    }
    case "tls": {
      const match = parseTlsMatch(r, o.match, at("match"));
      const action = parseTlsAction(r, o.action, at("action"));
      if (match && action) rule = { ...about, layer, match, action };
      break;
    }
    case "http": {
      const match = parseHttpMatch(r, o.match, at("match"));
      const action = parseHttpAction(r, o.action, at("action"));
      if (match && action) rule = { ...about, layer, match, action };
      break;
    }
    case "rtp": {
      const match = parseRtpMatch(r, o.match, at("match"));
      const action = parseRtpAction(r, o.action, at("action"), match);
      if (match && action) rule = { ...about, layer, match, action };
      break;
    }
    case "stun": {
      const match = parseStunMatch(r, o.match, at("match"));
      const action = parseStunAction(r, o.action, at("action"));
      if (match && action) rule = { ...about, layer, match, action };
      break;
    }
    case "csta": {
      const match = parseCstaMatch(r, o.match, at("match"));
      const action = parseCstaAction(r, o.action, at("action"), match);
      if (match && action) rule = { ...about, layer, match, action };
      break;
    }
  }
  const when = readWhen(r, o.when, at("when"));
  if (r.issues.length > before || !rule) return undefined;
  return when === undefined ? rule : { ...rule, when };
}

function readWhen(r: ProblemReader, raw: unknown, path: FaultPath): FaultWhen | undefined {
  if (raw === undefined || raw === null) return undefined;
  const w: Fields | undefined = r.mapping(raw, path, WHEN_KEYS, "when");
  if (!w) return undefined;
  const count = { min: 1, max: MAX_COUNT };
  const from = r.time(w, path, "from");
  const until = r.time(w, path, "until");
  if (from !== undefined && until !== undefined && until <= from)
    r.fail([...path, "until"], "must be later than from");
  return strip({
    firstN: r.integer(w, path, "firstN", count),
    everyNth: r.integer(w, path, "everyNth", count),
    probability: r.number(w, path, "probability", { min: 0, max: 1 }),
    seed: r.integer(w, path, "seed", { min: 0, max: 0xffff_ffff }),
    from: from === undefined ? undefined : new Date(from).toISOString(),
    until: until === undefined ? undefined : new Date(until).toISOString(),
    maxHits: r.integer(w, path, "maxHits", count),
  });
}

function toError(r: ProblemReader, prefix: string): FaultRuleError {
  return new FaultRuleError(
    r.issues.map((i) => ({ path: formatFaultPath(prefix, i.path), segments: i.path, message: i.message })),
  );
}
