import { parseJsonBody, parseJsonPath, walk } from "./json-path.js";
import type { HttpMapping, HttpRequestMatch, PathMatch, SipMapping } from "./mapping.js";
import { asText, MAX_TESTED_LENGTH, regex, test } from "./predicate.js";
import type { UnmatchedHttpRequest, UnmatchedSipRequest } from "./stub-port.js";

/** What a matched request yields for templates: the path template's (or regex's named) captures. */
export interface HttpMatch {
  readonly path: Readonly<Record<string, string>>;
}

/** `/api/v2/systems/{systemId}` → a regex capturing each `{name}` as one path segment. */
export function templateRegex(template: string): RegExp {
  const source = template
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
    .map((part) =>
      /^\{.+\}$/.test(part) ? `(?<${part.slice(1, -1)}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return regex(`^${source}$`);
}

function matchPath(match: PathMatch | undefined, path: string): Record<string, string> | undefined {
  if (!match) return {};
  if (match.kind === "exact") return match.path === path ? {} : undefined;
  const re = match.kind === "template" ? templateRegex(match.template) : regex(match.pattern);
  const found = re.exec(path.slice(0, MAX_TESTED_LENGTH));
  if (!found) return undefined;
  const captures: Record<string, string> = {};
  for (const [name, value] of Object.entries(found.groups ?? {})) {
    if (value !== undefined) captures[name] = safeDecode(value);
  }
  return captures;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** The request passes every predicate of the mapping: its path captures, else undefined. */
export function matchHttp(request: HttpRequestMatch, req: UnmatchedHttpRequest): HttpMatch | undefined {
  if (request.method !== undefined && request.method !== req.method.toUpperCase()) return undefined;
  const path = matchPath(request.path, req.path);
  if (!path) return undefined;
  for (const [name, predicate] of Object.entries(request.query)) {
    if (!test(predicate, first(req.query[name]))) return undefined;
  }
  for (const [name, predicate] of Object.entries(request.headers)) {
    const value = req.headers[name];
    if (!test(predicate, Array.isArray(value) ? value.join(", ") : value)) return undefined;
  }
  if (request.body.length > 0) {
    const text = req.body.toString("utf8");
    let json: unknown;
    let parsed = false;
    for (const predicate of request.body) {
      let value: string | undefined = text.length === 0 ? undefined : text;
      if (predicate.jsonPath !== undefined) {
        if (!parsed) {
          json = parseJsonBody(text);
          parsed = true;
        }
        const steps = parseJsonPath(predicate.jsonPath);
        value = typeof steps === "string" ? undefined : asText(walk(json, steps));
      }
      if (!test(predicate, value)) return undefined;
    }
  }
  return { path };
}

const PATH_WEIGHT = { exact: 30, template: 20, regex: 10 } as const;

/** Higher is more specific: an exact path beats a template beats a regex, then more predicates. */
export function httpSpecificity(mapping: HttpMapping): number {
  const r = mapping.request;
  return (
    (r.path ? PATH_WEIGHT[r.path.kind] : 0) +
    (r.method ? 5 : 0) +
    Object.keys(r.query).length +
    Object.keys(r.headers).length +
    r.body.length
  );
}

export function sipSpecificity(mapping: SipMapping): number {
  return Object.values(mapping.sip).filter((v) => v !== undefined).length;
}

/** Case-insensitive method, event package and content type (parameters ignored); request-URI by regex. */
export function matchSip(mapping: SipMapping, req: UnmatchedSipRequest): boolean {
  const m = mapping.sip;
  if (m.method !== undefined && m.method !== req.method.toUpperCase()) return false;
  if (m.event !== undefined && m.event.toLowerCase() !== token(req.event)) return false;
  if (m.contentType !== undefined && m.contentType.toLowerCase() !== token(req.contentType)) return false;
  if (m.requestUri !== undefined && !regex(m.requestUri).test(req.requestUri.slice(0, MAX_TESTED_LENGTH)))
    return false;
  return true;
}

/** "presence;id=1" → "presence"; "Application/X; charset=x" → "application/x". */
function token(value: string | undefined): string | undefined {
  return value === undefined ? undefined : (value.split(";")[0] ?? "").trim().toLowerCase();
}
