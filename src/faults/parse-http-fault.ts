import { isApiErrorCode } from "../errors/index.js";
import { type ProblemReader, strip } from "../shared/untrusted/index.js";
import { readAction, readDelay } from "./action-fields.js";
import type { HttpFaultAction, HttpFaultMatch } from "./fault-rule.js";
import type { FaultPath } from "./fault-rule-error.js";

const ACTIONS = {
  respond: ["status", "code", "detail", "retryAfter"],
  delay: ["ms", "minMs", "maxMs"],
  close: [],
} as const;

const METHOD = /^[A-Za-z]+$/;

export function parseHttpMatch(r: ProblemReader, raw: unknown, path: FaultPath): HttpFaultMatch | undefined {
  if (raw === undefined || raw === null) return {};
  const m = r.mapping(raw, path, ["method", "path", "pathPattern", "tenant"], "an HTTP match");
  if (!m) return undefined;
  const method = r.string(m, path, "method", { max: 20 });
  if (method !== undefined && !METHOD.test(method)) r.fail([...path, "method"], "must be an HTTP method");
  const glob = r.string(m, path, "path", { max: 500, shape: "line" });
  if (glob !== undefined && !glob.startsWith("/")) r.fail([...path, "path"], 'must start with "/"');
  return strip({
    method: method?.toUpperCase(),
    path: glob,
    pathPattern: r.pattern(m, path, "pathPattern"),
    tenant: r.string(m, path, "tenant", { max: 200 }),
  });
}

export function parseHttpAction(
  r: ProblemReader,
  raw: unknown,
  path: FaultPath,
): HttpFaultAction | undefined {
  const read = readAction(r, raw, path, ACTIONS);
  if (!read) return undefined;
  const { type, fields: a } = read;
  switch (type) {
    case "respond": {
      const respond = {
        type,
        status: r.integer(a, path, "status", { min: 400, max: 599, required: true }),
        code: r.string(a, path, "code", { max: 100 }),
        detail: r.string(a, path, "detail", { max: 1000 }),
        retryAfter: r.integer(a, path, "retryAfter", { min: 0, max: 86_400 }),
      };
      if (respond.code !== undefined && !isApiErrorCode(respond.code))
        r.fail([...path, "code"], "must be a code of the API error registry (docs/errors.md)");
      return respond.status === undefined ? undefined : strip({ ...respond, status: respond.status });
    }
    case "delay":
      return readDelay(r, a, path);
    default:
      return { type };
  }
}
