/**
 * An event-type filter: `*` (everything), an exact type (`call.answered`) or a family
 * (`call.*`, `connector.*`). Lower-case dotted words; hyphens as the B2BUA uses them
 * (`call.ack-timeout`). One pattern for the JSON schema of the REST route and for
 * `configure()`.
 */
export const EVENT_FILTER_PATTERN = "^(\\*|[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*(\\.\\*)?)$";

const filterSyntax = new RegExp(EVENT_FILTER_PATTERN);

export function isEventFilter(text: string): boolean {
  return filterSyntax.test(text);
}

/** True when one of `filters` selects the event `type`. */
export function matchesEventFilter(filters: readonly string[], type: string): boolean {
  return filters.some(
    (f) => f === "*" || f === type || (f.endsWith(".*") && type.startsWith(f.slice(0, -1))),
  );
}
