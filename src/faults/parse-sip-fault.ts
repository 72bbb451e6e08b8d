import { type Fields, type ProblemReader, strip } from "../shared/untrusted/index.js";
import { readAction, readDelay } from "./action-fields.js";
import type { CorruptionMode, SipFaultAction, SipFaultMatch, SipHeaderMatch } from "./fault-rule.js";
import type { FaultPath } from "./fault-rule-error.js";
import { ALG_REWRITE_KEYS, parseAlgRewrite } from "./parse-alg-fault.js";

const MATCH_KEYS = [
  "direction",
  "message",
  "method",
  "status",
  "statusClass",
  "trunk",
  "tenant",
  "user",
  "headers",
] as const;

const ACTIONS = {
  respond: ["status", "reason", "retryAfter", "warning"],
  delay: ["ms", "minMs", "maxMs"],
  drop: [],
  close: [],
  reset: [],
  corrupt: ["mode"],
  modify: ["removeHeader", "setHeader"],
  "alg-rewrite": ALG_REWRITE_KEYS,
} as const;

const CORRUPTION_MODES: readonly CorruptionMode[] = ["start-line", "content-length", "garble"];
const METHOD = /^[A-Za-z]+$/;

export function parseSipMatch(r: ProblemReader, raw: unknown, path: FaultPath): SipFaultMatch | undefined {
  if (raw === undefined || raw === null) return {};
  const m = r.mapping(raw, path, MATCH_KEYS, "a SIP match");
  if (!m) return undefined;
  const status = r.integer(m, path, "status", { min: 100, max: 699 });
  const statusClass = r.integer(m, path, "statusClass", { min: 1, max: 6 });
  const message = r.choice(m, path, "message", ["request", "response"] as const);
  if (message === "request" && (status !== undefined || statusClass !== undefined))
    r.fail([...path, "message"], "status and statusClass match responses; drop one or the other");
  const headers = parseHeaderMatches(r, m.headers, [...path, "headers"]);
  return strip({
    direction: r.choice(m, path, "direction", ["in", "out"] as const),
    message,
    method: parseMethods(r, m, path),
    status,
    statusClass,
    trunk: r.string(m, path, "trunk", { max: 200 }),
    tenant: r.string(m, path, "tenant", { max: 200 }),
    user: r.string(m, path, "user", { max: 200 }),
    headers,
  });
}

export function parseSipAction(
  r: ProblemReader,
  raw: unknown,
  path: FaultPath,
  match: SipFaultMatch | undefined,
): SipFaultAction | undefined {
  const read = readAction(r, raw, path, ACTIONS);
  if (!read) return undefined;
  const { type, fields: a } = read;
  switch (type) {
    case "respond": {
      if (match?.direction === "out") r.fail(path, "respond answers incoming requests: use direction in");
      if (match?.message === "response" || match?.status !== undefined || match?.statusClass !== undefined)
        r.fail(path, "respond answers requests, not responses");
      const respond = {
        type,
        status: r.integer(a, path, "status", { min: 200, max: 699, required: true }),
        reason: r.string(a, path, "reason", { max: 200, shape: "line" }),
        retryAfter: r.integer(a, path, "retryAfter", { min: 0, max: 86_400 }),
        warning: r.string(a, path, "warning", { max: 200, shape: "line" }),
      };
      return respond.status === undefined ? undefined : strip({ ...respond, status: respond.status });
    }
    case "delay":
      return readDelay(r, a, path);
    case "corrupt": {
      if (match?.direction === "in") r.fail(path, "corrupt garbles what we send: use direction out");
      const mode = r.choice(a, path, "mode", CORRUPTION_MODES);
      return mode === undefined ? { type } : { type, mode };
    }
    case "modify":
      return parseModify(r, a, path);
    case "alg-rewrite":
      return parseAlgRewrite(r, a, path, match);
    default:
      return { type };
  }
}

function parseModify(r: ProblemReader, a: Fields, path: FaultPath): SipFaultAction | undefined {
  const removeHeader = r.string(a, path, "removeHeader", { max: 100, shape: "token" });
  let setHeader: { name: string; value: string } | undefined;
  if (a.setHeader !== undefined && a.setHeader !== null) {
    const at = [...path, "setHeader"];
    const s = r.mapping(a.setHeader, at, ["name", "value"], "setHeader");
    if (s) {
      const name = r.string(s, at, "name", { required: true, max: 100, shape: "token" });
      const value = s.value === "" ? "" : r.string(s, at, "value", { required: true, shape: "line" });
      if (name !== undefined && value !== undefined) setHeader = { name, value };
    }
  } else if (removeHeader === undefined) {
    r.fail(path, "modify needs removeHeader, setHeader or both");
  }
  return strip({ type: "modify" as const, removeHeader, setHeader });
}

function parseMethods(r: ProblemReader, m: Fields, path: FaultPath): string | string[] | undefined {
  const value = m.method;
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== "string" || !METHOD.test(v))) {
    r.fail([...path, "method"], "must be a SIP method (REGISTER) or a list of them");
    return undefined;
  }
  const upper = (list as string[]).map((v) => v.toUpperCase());
  return Array.isArray(value) ? upper : upper[0];
}

function parseHeaderMatches(r: ProblemReader, raw: unknown, path: FaultPath): SipHeaderMatch[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    r.fail(path, 'must be a list like [{ header: "User-Agent", pattern: "OpenScape" }]');
    return undefined;
  }
  const out: SipHeaderMatch[] = [];
  raw.forEach((item, i) => {
    const at = [...path, i];
    const h = r.mapping(item, at, ["header", "pattern"], "a header match");
    if (!h) return;
    const header = r.string(h, at, "header", { required: true, max: 100, shape: "token" });
    const pattern = r.pattern(h, at, "pattern", true);
    if (header !== undefined && pattern !== undefined) out.push({ header, pattern });
  });
  return out;
}
