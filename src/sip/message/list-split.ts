import { trimWsp } from "./char-classes.js";

/**
 * Splits a list header value on top-level commas: commas inside quoted strings (with
 * quoted-pairs) and inside <...> do not split. Elements are trimmed; empty ones are dropped
 * (RFC 3261 §7.3.1 / RFC 2616 §2.1 #rule: null elements do not count).
 */
export function splitList(value: string): string[] {
  if (value.indexOf(",") === -1) {
    const only = trimWsp(value);
    return only === "" ? [] : [only];
  }
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const comma = nextComma(value, start);
    const element = trimWsp(value.slice(start, comma));
    if (element !== "") out.push(element);
    if (comma === value.length) return out;
    start = comma + 1;
  }
}

/** The first non-empty element of a list value, or "" when there is none. */
export function firstElement(value: string): string {
  let start = 0;
  for (;;) {
    const comma = nextComma(value, start);
    const element = trimWsp(value.slice(start, comma));
    if (element !== "" || comma === value.length) return element;
    start = comma + 1;
  }
}

/** Index of the next top-level comma at or after `start`, or value.length. */
function nextComma(value: string, start: number): number {
  let quoted = false;
  let angle = false;
  for (let i = start; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (quoted) {
      if (c === 92) i++;
      else if (c === 34) quoted = false;
    } else if (angle) {
      if (c === 62) angle = false;
    } else if (c === 34) {
      quoted = true;
    } else if (c === 60) {
      angle = true;
    } else if (c === 44) {
      return i;
    }
  }
  return value.length;
}
