/** Header names whose values are credentials, whatever they look like. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"]);

/** Names of headers, query parameters and JSON fields that hold secrets: "*password*", "apiKey", "x-token"… */
const SECRET_NAME = /pass(word|wd)?|secret|token|key|credential/i;

/** True when a header, query parameter or JSON field of this name holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || SECRET_NAME.test(name);
}

/**
 * What replaces a secret: its scheme (for "Bearer x", "Digest username=…") and its length, so a
 * reader sees that a credential was sent and how long it was, never the credential itself.
 */
export function redactValue(value: string): string {
  const scheme = /^(Bearer|Basic|Digest|Negotiate|AWS4-HMAC-SHA256)\s+/i.exec(value)?.[1];
  const secret = scheme ? value.slice(value.indexOf(scheme) + scheme.length).trim() : value;
  return `${scheme ? `${scheme} ` : ""}…(redacted, ${secret.length} chars)`;
}

/** Headers as name/value pairs, secret values replaced. */
export function redactHeaders(headers: Iterable<readonly [string, string]>): [string, string][] {
  return [...headers].map(([name, value]) => [name, isSecretName(name) ? redactValue(value) : value]);
}

/** A query string's parameters, secret values replaced; arrays stay arrays. */
export function redactQuery(query: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(query)) {
    out[name] = !isSecretName(name)
      ? value
      : Array.isArray(value)
        ? value.map(redactValue)
        : redactValue(value);
  }
  return out;
}

/** How deep JSON bodies are walked; deeper values are kept as they are (a hostile body is capped anyway). */
const MAX_DEPTH = 32;

/**
 * A JSON body with every string or number under a secret-named field replaced; anything that is
 * not JSON is returned unchanged (it is still capped by the caller). Form bodies
 * (application/x-www-form-urlencoded) get the same treatment per field.
 */
export function redactBody(text: string, contentType: string | undefined): string {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return redactForm(text);
  if (!(type === "application/json" || type.endsWith("+json") || looksLikeJson(text))) return text;
  try {
    return JSON.stringify(redactJson(JSON.parse(text), 0));
  } catch {
    // Malformed, or cut short: no tree to walk, so "name": value pairs are found in the text.
    return text.replace(JSON_PAIR, (pair, name: string, colon: string, value: string) =>
      isSecretName(name) ? `"${name}"${colon}"${redactValue(unquote(value))}"` : pair,
    );
  }
}

/** A "name": value pair with a string (possibly cut at the end of the text) or number value. */
const JSON_PAIR = /"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*(?:"|$)|-?[0-9][0-9.eE+-]*)/g;

function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1).replace(/"$/, "") : value;
}

function looksLikeJson(text: string): boolean {
  const first = text.trimStart()[0];
  return first === "{" || first === "[";
}

/** `secret`: under a secret-named field, where every string and number is replaced. */
function redactJson(value: unknown, depth: number, secret = false): unknown {
  if (secret && (typeof value === "string" || typeof value === "number")) return redactValue(String(value));
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1, secret));
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value))
    out[name] = redactJson(v, depth + 1, secret || isSecretName(name));
  return out;
}

function redactForm(text: string): string {
  const params = new URLSearchParams(text);
  for (const [name, value] of [...params]) if (isSecretName(name)) params.set(name, redactValue(value));
  return params.toString();
}
