import { type DocumentPath, type Fields, type ProblemReader, strip } from "../shared/untrusted/index.js";
import { parseJsonPath, parseSteps } from "./json-path.js";
import {
  type BodyPredicate,
  DEFAULT_PRIORITY,
  type HttpStubResponse,
  MAX_DELAY_MS,
  type Mapping,
  type PathMatch,
  type Predicate,
  type SipStubResponse,
  type StubAction,
} from "./mapping.js";
import { unsafePattern } from "./predicate.js";
import { expressionsOf } from "./template.js";

const MAPPING_KEYS = ["id", "name", "priority", "enabled", "request", "response", "actions", "sip"];
/** Read-only fields of a listed mapping: accepted and ignored, so a listed mapping can be sent back. */
const OUTPUT_KEYS = ["hits", "source", "version", "kind"];
const REQUEST_KEYS = ["method", "path", "pathPattern", "query", "headers", "body"];
const PREDICATE_KINDS = ["equalTo", "contains", "matches", "absent"] as const;
const HTTP_RESPONSE_KEYS = ["status", "headers", "body", "jsonBody", "delayMs", "fault"];
const SIP_KEYS = ["method", "event", "contentType", "requestUri"];
const SIP_RESPONSE_KEYS = ["status", "reason", "headers", "body", "contentType"];
const PROVISION_KEYS = ["systemId", "name", "version", "simultaneousCalls", "numbering"];
export const TEMPLATE_ROOTS = ["request", "path", "tenant", "action", "now", "uuid"];
export const MAPPING_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Reads one mapping (file entry or REST body), collecting every problem in `r`.
 * `fallbackId` names a mapping that has no `id`.
 */
export function readMapping(
  r: ProblemReader,
  value: unknown,
  path: DocumentPath,
  fallbackId: string,
): Mapping | undefined {
  const before = r.issues.length;
  const o = r.mapping(value, path, [...MAPPING_KEYS, ...OUTPUT_KEYS], "a mapping");
  if (!o) return undefined;
  const id = r.string(o, path, "id", { max: 64 }) ?? fallbackId;
  if (!MAPPING_ID.test(id))
    r.fail([...path, "id"], "must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  const base = {
    id,
    ...strip({ name: r.string(o, path, "name", { max: 200, shape: "line" }) }),
    priority: r.integer(o, path, "priority", { min: 1, max: 1000 }) ?? DEFAULT_PRIORITY,
    enabled: r.boolean(o, path, "enabled") ?? true,
  };
  const isSip = o.sip !== undefined && o.sip !== null;
  if (isSip && o.request !== undefined)
    r.fail([...path, "sip"], "a mapping has either request (HTTP) or sip, not both");
  if (!isSip && (o.request === undefined || o.request === null))
    r.fail([...path, "request"], "is required (or sip: for a SIP stub)");
  if (o.response === undefined || o.response === null) r.fail([...path, "response"], "is required");
  if (isSip) {
    if (o.actions !== undefined) r.fail([...path, "actions"], "only HTTP mappings have actions");
    const sip = readSipMatch(r, o.sip, [...path, "sip"]);
    const response = readSipResponse(r, o.response, [...path, "response"]);
    if (r.issues.length > before || !sip || !response) return undefined;
    return { ...base, kind: "sip", sip, response };
  }
  const request = readRequest(r, o.request, [...path, "request"]);
  const response = readHttpResponse(r, o.response, [...path, "response"]);
  const actions = r
    .sequence(o.actions, [...path, "actions"])
    .map((a, i) => readAction(r, a, [...path, "actions", i]));
  if (r.issues.length > before || !request || !response) return undefined;
  return { ...base, kind: "http", request, response, actions: actions.filter((a) => a !== undefined) };
}

function readRequest(r: ProblemReader, value: unknown, path: DocumentPath) {
  const o = r.mapping(value, path, REQUEST_KEYS, "a request match");
  if (!o) return undefined;
  const method = r.string(o, path, "method", { max: 32, shape: "token" })?.toUpperCase();
  let pathMatch: PathMatch | undefined;
  const exact = r.string(o, path, "path", { max: 2000, shape: "line" });
  const pattern = safePattern(r, o, path, "pathPattern");
  if (exact !== undefined && pattern !== undefined)
    r.fail([...path, "pathPattern"], "give path or pathPattern, not both");
  if (exact !== undefined) {
    if (!exact.startsWith("/")) r.fail([...path, "path"], 'must start with "/"');
    else if (/\{[^}]*\}/.test(exact)) {
      if (!/^(?:[^{}]|\{[A-Za-z_][A-Za-z0-9_]*\})*$/.test(exact))
        r.fail([...path, "path"], "a template's placeholders are {name}: letters, digits and _");
      pathMatch = { kind: "template", template: exact };
    } else pathMatch = { kind: "exact", path: exact };
  } else if (pattern !== undefined) pathMatch = { kind: "regex", pattern };
  return strip({
    method: method === "ANY" ? undefined : method,
    path: pathMatch,
    query: readPredicates(r, o.query, [...path, "query"], false),
    headers: Object.fromEntries(
      Object.entries(readPredicates(r, o.headers, [...path, "headers"], true)).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    ),
    body: readBody(r, o.body, [...path, "body"]),
  });
}

function readPredicates(r: ProblemReader, value: unknown, path: DocumentPath, headers: boolean) {
  const out: Record<string, Predicate> = {};
  if (value === undefined || value === null) return out;
  const o = r.mapping(value, path, Object.keys(value as object), "a mapping of names to predicates");
  if (!o) return out;
  for (const name of Object.keys(o)) {
    if (headers && !HEADER_NAME.test(name)) r.fail([...path, name], "is not a header name", true);
    const predicate = readPredicate(r, o[name], [...path, name], false);
    if (predicate) out[name] = predicate;
  }
  return out;
}

function readBody(r: ProblemReader, value: unknown, path: DocumentPath): BodyPredicate[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items
    .map((item, i) => readPredicate(r, item, Array.isArray(value) ? [...path, i] : path, true))
    .filter((p): p is BodyPredicate => p !== undefined);
}

/** `{ equalTo | contains | matches | absent }`, a bare text meaning equalTo; body ones may add jsonPath. */
function readPredicate(
  r: ProblemReader,
  value: unknown,
  path: DocumentPath,
  body: boolean,
): BodyPredicate | undefined {
  if (typeof value === "string") return { equalTo: value };
  const allowed = [...PREDICATE_KINDS, "caseInsensitive", ...(body ? ["jsonPath"] : [])];
  const o = r.mapping(value, path, allowed, "a predicate");
  if (!o) return undefined;
  const kinds = PREDICATE_KINDS.filter((k) => o[k] !== undefined);
  if (kinds.length !== 1) {
    r.fail(path, `needs exactly one of ${PREDICATE_KINDS.join(", ")}`);
    return undefined;
  }
  let jsonPath: string | undefined;
  if (body) {
    jsonPath = r.string(o, path, "jsonPath", { max: 200 });
    const steps = jsonPath === undefined ? undefined : parseJsonPath(jsonPath);
    if (typeof steps === "string") r.fail([...path, "jsonPath"], `is not a JSON path ($.a.b[0]): ${steps}`);
  }
  const extra = strip({ jsonPath });
  switch (kinds[0]) {
    case "absent":
      if (o.absent !== true) r.fail([...path, "absent"], "must be true");
      return { absent: true, ...extra };
    case "matches": {
      const pattern = safePattern(r, o, path, "matches");
      return pattern === undefined ? undefined : { matches: pattern, ...extra };
    }
    case "contains": {
      const text = r.string(o, path, "contains", { max: 10_000 });
      return text === undefined ? undefined : { contains: text, ...extra };
    }
    default: {
      const raw = o.equalTo;
      const text =
        typeof raw === "number" || typeof raw === "boolean" ? String(raw) : r.string(o, path, "equalTo");
      const caseInsensitive = r.boolean(o, path, "caseInsensitive");
      return text === undefined ? undefined : { equalTo: text, ...strip({ caseInsensitive }), ...extra };
    }
  }
}

function safePattern(r: ProblemReader, o: Fields, path: DocumentPath, key: string): string | undefined {
  const pattern = r.string(o, path, key, { max: 10_000 });
  if (pattern === undefined) return undefined;
  const why = unsafePattern(pattern);
  if (why) {
    r.fail([...path, key], why);
    return undefined;
  }
  return pattern;
}

function readHeaders(r: ProblemReader, value: unknown, path: DocumentPath): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  const o = r.mapping(value, path, Object.keys(value as object), "a mapping of header names to values");
  if (!o) return out;
  for (const [name, v] of Object.entries(o)) {
    if (!HEADER_NAME.test(name)) r.fail([...path, name], "is not a header name", true);
    const text = typeof v === "number" ? String(v) : r.string(o, path, name, { max: 8000, shape: "line" });
    if (text !== undefined) out[name] = text;
  }
  checkTemplates(r, out, path);
  return out;
}

function readHttpResponse(
  r: ProblemReader,
  value: unknown,
  path: DocumentPath,
): HttpStubResponse | undefined {
  const o = r.mapping(value, path, HTTP_RESPONSE_KEYS, "a response");
  if (!o) return undefined;
  if (o.body !== undefined && o.jsonBody !== undefined)
    r.fail([...path, "jsonBody"], "give body or jsonBody, not both");
  const body = o.body === undefined ? undefined : r.string(o, path, "body", { max: 1024 * 1024 });
  if (body !== undefined) checkTemplates(r, body, [...path, "body"]);
  if (o.jsonBody !== undefined) checkTemplates(r, o.jsonBody, [...path, "jsonBody"]);
  return strip({
    // 1xx are interim answers of the HTTP machinery, not something a stub can send.
    status: r.integer(o, path, "status", { min: 200, max: 599 }) ?? 200,
    headers: readHeaders(r, o.headers, [...path, "headers"]),
    body,
    jsonBody: o.jsonBody ?? undefined,
    delayMs: r.integer(o, path, "delayMs", { min: 0, max: MAX_DELAY_MS }),
    fault: r.choice(o, path, "fault", ["connection-reset", "empty-response"] as const),
  });
}

function readSipMatch(r: ProblemReader, value: unknown, path: DocumentPath) {
  const o = r.mapping(value, path, SIP_KEYS, "a SIP request match");
  if (!o) return undefined;
  return strip({
    method: r.string(o, path, "method", { max: 32, shape: "token" })?.toUpperCase(),
    event: r.string(o, path, "event", { max: 200, shape: "token" })?.toLowerCase(),
    contentType: r.string(o, path, "contentType", { max: 200, shape: "line" })?.toLowerCase(),
    requestUri: safePattern(r, o, path, "requestUri"),
  });
}

function readSipResponse(r: ProblemReader, value: unknown, path: DocumentPath): SipStubResponse | undefined {
  const o = r.mapping(value, path, SIP_RESPONSE_KEYS, "a SIP response");
  if (!o) return undefined;
  const body = o.body === undefined ? undefined : r.string(o, path, "body", { max: 64 * 1024 });
  if (body !== undefined && o.contentType === undefined)
    r.fail([...path, "contentType"], "is required with a body");
  return strip({
    status: r.integer(o, path, "status", { min: 200, max: 699 }) ?? 200,
    reason: r.string(o, path, "reason", { max: 200, shape: "line" }),
    headers: readHeaders(r, o.headers, [...path, "headers"]),
    body,
    contentType: r.string(o, path, "contentType", { max: 200, shape: "line" }),
  });
}

function readAction(r: ProblemReader, value: unknown, path: DocumentPath): StubAction | undefined {
  const o = r.mapping(value, path, ["provisionSystem"], "an action");
  if (!o) return undefined;
  const p = r.mapping(o.provisionSystem, [...path, "provisionSystem"], PROVISION_KEYS, "provisionSystem");
  if (!p) return undefined;
  if (p.systemId === undefined) r.fail([...path, "provisionSystem", "systemId"], "is required");
  checkTemplates(r, p, [...path, "provisionSystem"]);
  return { provisionSystem: p };
}

/** Every `{{ … }}` must parse and start with a known root: a typo shows when the mapping is read. */
function checkTemplates(r: ProblemReader, value: unknown, path: DocumentPath): void {
  for (const expression of expressionsOf(value)) {
    const [main, fallback] = expression.split("??");
    if (fallback !== undefined) {
      try {
        JSON.parse(fallback);
      } catch {
        r.fail(
          path,
          `{{ ${expression} }}: the fallback after ?? must be a JSON literal (4, "text", true, null)`,
        );
      }
    }
    const head = main!.trim().split(".$")[0]!;
    const steps = parseSteps(head);
    if (typeof steps === "string") r.fail(path, `{{ ${expression} }}: ${steps}`);
    else if (!TEMPLATE_ROOTS.includes(String(steps[0])))
      r.fail(path, `{{ ${expression} }}: starts with one of ${TEMPLATE_ROOTS.join(", ")}`);
  }
}
