import { parseJsonPath, parseSteps, walk } from "./json-path.js";

/** A `{{ … }}` whose value is missing, or that cannot be read: the stub answers 500 naming it. */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`{{ ${expression} }}: ${reason}`);
  }
}

/**
 * What templates may read, by first name: `request`, `path`, `tenant`, `action`, `now`, `uuid`.
 * A root is computed on first use (the tenant's systems are only read when asked for).
 */
export type TemplateScope = (root: string) => unknown;

const PLACEHOLDER = /\{\{\s*(.*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*(.*?)\s*\}\}$/;
/** Longest text a template expands to: a template must not be a memory bomb. */
const MAX_OUTPUT = 1024 * 1024;

/**
 * The value of one expression, e.g. `request.body.$.system.id` or `tenant.systems[0].trunk.username`;
 * `expr ?? fallback` gives the JSON literal `fallback` (4, "text", true, null) when `expr` has no value.
 */
export function evaluate(expression: string, scope: TemplateScope): unknown {
  const split = expression.indexOf("??");
  if (split >= 0) {
    const fallback = parseFallback(expression.slice(split + 2).trim(), expression);
    try {
      return evaluate(expression.slice(0, split).trim(), scope);
    } catch (error) {
      if (error instanceof TemplateError) return fallback;
      throw error;
    }
  }
  const jsonAt = expression.indexOf(".$");
  const head = jsonAt >= 0 ? expression.slice(0, jsonAt) : expression;
  const steps = parseSteps(head);
  if (typeof steps === "string") throw new TemplateError(expression, steps);
  const [root, ...rest] = steps;
  let value = walk(scope(String(root)), rest);
  if (jsonAt >= 0) {
    const path = parseJsonPath(expression.slice(jsonAt + 1));
    if (typeof path === "string") throw new TemplateError(expression, `JSON path ${path}`);
    if (typeof value !== "string")
      throw new TemplateError(expression, "a JSON path needs a text such as request.body");
    value = walk(parseJson(value, expression), path);
  }
  if (value === undefined) throw new TemplateError(expression, "no such value");
  // A root that is text with parts (`now`, with `now.epochMs`) is its text when used whole.
  return value instanceof String ? value.valueOf() : value;
}

function parseFallback(text: string, expression: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TemplateError(
      expression,
      `the fallback after ?? must be a JSON literal (4, "text", true, null), not ${text}`,
    );
  }
}

function parseJson(text: string, expression: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TemplateError(expression, "the body is not JSON");
  }
}

const asText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

/** Replaces every `{{ expression }}` in a text (objects become JSON). */
export function renderText(template: string, scope: TemplateScope): string {
  // Counted as it grows: a value repeated many times must not be built in full first.
  let size = template.length;
  return template.replace(PLACEHOLDER, (_, expression: string) => {
    const text = asText(evaluate(expression, scope));
    size += text.length;
    if (size > MAX_OUTPUT)
      throw new TemplateError(expression, `the answer grows beyond ${MAX_OUTPUT} characters`);
    return text;
  });
}

/**
 * Renders the strings of a JSON value. A string that is one `{{ … }}` alone takes the
 * value's own type (number, object…); others are interpolated text, which JSON.stringify
 * escapes when the body is written — a quote in a request field cannot break the JSON.
 */
export function renderJson(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole && !whole[1]!.includes("}}")) return evaluate(whole[1]!, scope);
    return renderText(value, scope);
  }
  if (Array.isArray(value)) return value.map((item) => renderJson(item, scope));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, scope)]));
  return value;
}

/** The expressions of a template, to check them when a mapping is read. */
export function expressionsOf(value: unknown): string[] {
  if (typeof value === "string") return [...value.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  if (Array.isArray(value)) return value.flatMap(expressionsOf);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(expressionsOf);
  return [];
}
