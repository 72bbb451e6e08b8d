/**
 * A tiny JSON path: `$`, then `.name`, `[0]` or `['name']` / `["name"]` steps — no
 * wildcards, filters or recursion. Returns the segments, or an error message.
 */
export function parseJsonPath(path: string): (string | number)[] | string {
  if (!path.startsWith("$")) return "must start with $";
  return parseSteps(path.slice(1), true);
}

/**
 * Steps such as `.a.b[0]['x-y']`; with `leadingDot` false the first step may be a bare
 * name (`request.headers.x-api-key`). Names run to the next `.` or `[`.
 */
export function parseSteps(text: string, leadingDot = false): (string | number)[] | string {
  const out: (string | number)[] = [];
  let i = 0;
  let first = !leadingDot;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "[") {
      const close = text.indexOf("]", i);
      if (close < 0) return `unclosed [ at ${i + 1}`;
      const inner = text.slice(i + 1, close).trim();
      const quoted = /^(['"])(.*)\1$/.exec(inner);
      if (quoted) out.push(quoted[2]!);
      else if (/^\d+$/.test(inner)) out.push(Number(inner));
      else return `[${inner}] must be an index or a quoted name`;
      i = close + 1;
    } else {
      if (c === ".") i++;
      else if (!first) return `unexpected "${c}" at ${i + 1}`;
      const name = /^[^.[\]\s]+/.exec(text.slice(i))?.[0];
      if (!name) return `a name is missing at ${i + 1}`;
      out.push(name);
      i += name.length;
    }
    first = false;
  }
  return out;
}

/** The value the steps lead to, or undefined when any step is missing. */
export function walk(value: unknown, steps: readonly (string | number)[]): unknown {
  let at = value;
  for (const step of steps) {
    if (at === null || typeof at !== "object") return undefined;
    if (Array.isArray(at)) {
      const index = typeof step === "number" ? step : /^\d+$/.test(step) ? Number(step) : Number.NaN;
      at = at[index];
    } else {
      if (!Object.hasOwn(at, String(step))) return undefined;
      at = (at as Record<string, unknown>)[String(step)];
    }
  }
  return at;
}

/** Parses the body as JSON, or undefined when it is not JSON. */
export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
