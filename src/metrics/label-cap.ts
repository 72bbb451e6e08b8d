/** Longest label value kept; longer ones are cut (a label is a name, not a payload). */
const MAX_VALUE_LENGTH = 64;

/**
 * Keeps a label's set of values bounded when the values come from users (fault rule ids):
 * the first `limit` distinct values are used as they are, every later new one becomes
 * `other`. Prometheus keeps one series per value forever, so the set must not grow unbounded.
 */
export class LabelCap {
  private readonly seen = new Set<string>();

  constructor(
    private readonly limit: number,
    readonly overflow = "other",
  ) {}

  value(raw: string): string {
    const value = raw.length > MAX_VALUE_LENGTH ? raw.slice(0, MAX_VALUE_LENGTH) : raw;
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit) return this.overflow;
    this.seen.add(value);
    return value;
  }

  /** Distinct values in use (the overflow value not counted). */
  get size(): number {
    return this.seen.size;
  }
}

/** A value from a known set, or `other`: for labels fed by a peer (SIP methods, HTTP methods). */
export function known(values: ReadonlySet<string>, value: string): string {
  return values.has(value) ? value : "other";
}
