import { EvictionCursor } from "../shared/eviction-cursor.js";
/** Sources remembered at most; the one heard from least recently is forgotten first. */
export const MAX_TRACKED_SOURCES = 10_000;

export interface SourceRateLimitOptions {
  /** Answers per second each source address earns; also the bucket size (the largest burst). */
  readonly perSecond: number;
  /** Milliseconds, monotonic; tests pass a frozen clock. */
  readonly now?: () => number;
  readonly maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Already refused since it last had a token: only the first refusal of a spell is reported. */
  refusing: boolean;
}

export type RateDecision = "allow" | "refuse-first" | "refuse";

/**
 * A token bucket per source address, in a bounded table. A STUN answer is about 3.4 times
 * the size of the request, so a spoofed source could aim our answers at a victim: capping
 * answers per source address caps what any one victim can receive from us. Keyed by address
 * alone (not port), because a spoofer chooses the port freely.
 */
export class SourceRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly evictBucket = new EvictionCursor(this.buckets);
  private readonly now: () => number;
  private readonly maxSources: number;

  constructor(private readonly options: SourceRateLimitOptions) {
    this.now = options.now ?? (() => performance.now());
    this.maxSources = options.maxSources ?? MAX_TRACKED_SOURCES;
  }

  /** Takes a token for `address` if it has one. */
  take(address: string): RateDecision {
    const { perSecond } = this.options;
    const now = this.now();
    const bucket = this.buckets.get(address) ?? { tokens: perSecond, at: now, refusing: false };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    // Re-inserted so the Map's order is least recently heard first, for eviction.
    this.buckets.delete(address);
    this.buckets.set(address, bucket);
    if (this.buckets.size > this.maxSources) this.evictBucket.evictOldest();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refusing = false;
      return "allow";
    }
    const first = !bucket.refusing;
    bucket.refusing = true;
    return first ? "refuse-first" : "refuse";
  }

  /** Sources currently remembered. */
  get size(): number {
    return this.buckets.size;
  }
}
