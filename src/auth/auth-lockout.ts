import type { Clock } from "../shared/clock.js";
import { EvictionCursor } from "../shared/eviction-cursor.js";

/** Entries kept per scope; beyond this the least recently touched are forgotten. */
const MAX_TRACKED = 50_000;
/** A lock never grows beyond this many base lockouts (60 s → 64 min). */
const MAX_BACKOFF_FACTOR = 64;
/** Quiet base lockouts after which a scope forgets its failures and one back-off step. */
const FORGET_AFTER_LOCKOUTS = 10;
/** How long a success vouches for its source against source-wide and target-wide locks. */
const DEFAULT_TRUST_MS = 3_600_000;
/**
 * An entry touched again within this long keeps its place in the recency order: a
 * refreshing client costs no Map delete+set per success. The order eviction follows is
 * thus at most this much out of date, which only matters with MAX_TRACKED entries.
 */
const REORDER_AFTER_MS = 1000;

export interface AuthLockoutOptions {
  /** Failures (after decay) that lock a scope. */
  readonly maxFailures: number;
  /** The first lock of a scope; each further one doubles, up to 64 times this. */
  readonly lockoutMs: number;
  readonly trustMs?: number;
}

interface Counter {
  score: number;
  /** Locks so far (decaying): the next lasts lockoutMs × 2^level. */
  level: number;
  lockedUntil: number;
  /** Decay is measured from here: the last failure or the end of the last lock. */
  quietSince: number;
  /** Pairs only: the last successful authentication of this source for this target. */
  lastSuccess: number;
  /** When the entry was last moved to the most recently used end of its map. */
  reorderedAt: number;
}

/**
 * Brute-force guard (SPEC §4) for a credential *target* (a trunk user, "admin", "api-key")
 * tried from a *source* address. Failures count in three scopes: the pair (source, target),
 * the source (all its targets: one address spraying users) and the target (all sources:
 * guesses spread over many addresses). Each scope locks after `maxFailures`, for
 * `lockoutMs` doubling with every further lock (capped at 64×); failures are forgotten
 * and the back-off steps down after 10 quiet lockout periods. A success halves the
 * counts rather than clearing them, so valid attempts interleaved with guesses do not
 * reset the guard.
 *
 * Someone else's failures cannot lock out a source that authenticated for the target
 * within `trustMs`: it is exempt from the source-wide and target-wide locks and only
 * its own pair lock applies (bounded by the back-off cap). Callers with a stronger
 * proof (a SIP connection holding a registration) skip the check altogether.
 */
export class AuthLockout {
  private readonly pairs = new Map<string, Counter>();
  private readonly sources = new Map<string, Counter>();
  private readonly targets = new Map<string, Counter>();
  private readonly evictors = new Map<Map<string, Counter>, EvictionCursor<string>>(
    [this.pairs, this.sources, this.targets].map((map) => [map, new EvictionCursor(map)]),
  );
  private readonly trustMs: number;
  private readonly forgetMs: number;
  /** Each target's last succeeding source and their pair key: a refreshing client builds no key per success. */
  private readonly lastPairs = new Map<string, { readonly source: string; readonly key: string }>();

  constructor(
    private readonly clock: Clock,
    private readonly options: AuthLockoutOptions,
  ) {
    this.trustMs = options.trustMs ?? DEFAULT_TRUST_MS;
    this.forgetMs = options.lockoutMs * FORGET_AFTER_LOCKOUTS;
  }

  /** Ms until `source` may try `target` again, or 0 when it is not locked. */
  lockedFor(source: string, target: string): number {
    // An empty map holds nothing to decay or forget: no key to build, no lookup.
    const { pairs, sources, targets } = this;
    if (pairs.size === 0 && sources.size === 0 && targets.size === 0) return 0;
    const now = this.clock.now();
    const pair = pairs.size === 0 ? undefined : this.get(pairs, pairKey(source, target), now);
    let until = pair?.lockedUntil ?? 0;
    const trusted = pair !== undefined && pair.lastSuccess > 0 && now - pair.lastSuccess <= this.trustMs;
    if (!trusted) {
      if (sources.size > 0) until = Math.max(until, this.get(sources, source, now)?.lockedUntil ?? 0);
      if (targets.size > 0) until = Math.max(until, this.get(targets, target, now)?.lockedUntil ?? 0);
    }
    return Math.max(0, until - now);
  }

  fail(source: string, target: string): void {
    const now = this.clock.now();
    this.failIn(this.pairs, pairKey(source, target), now);
    this.failIn(this.sources, source, now);
    this.failIn(this.targets, target, now);
  }

  succeed(source: string, target: string): void {
    const now = this.clock.now();
    const pair = this.touch(this.pairs, this.lastPairKey(source, target), now);
    pair.lastSuccess = now;
    pair.score = Math.floor(pair.score / 2);
    if (this.sources.size > 0) this.halve(this.sources, source, now);
    if (this.targets.size > 0) this.halve(this.targets, target, now);
  }

  private lastPairKey(source: string, target: string): string {
    const last = this.lastPairs.get(target);
    if (last !== undefined && last.source === source) return last.key;
    const key = pairKey(source, target);
    if (this.lastPairs.size >= MAX_TRACKED) this.lastPairs.clear();
    this.lastPairs.set(target, { source, key });
    return key;
  }

  private halve(map: Map<string, Counter>, key: string, now: number): void {
    const counter = this.get(map, key, now);
    if (counter) counter.score = Math.floor(counter.score / 2);
  }

  private failIn(map: Map<string, Counter>, key: string, now: number): void {
    const counter = this.touch(map, key, now);
    counter.quietSince = Math.max(now, counter.quietSince);
    if (++counter.score < this.options.maxFailures) return;
    const factor = Math.min(2 ** counter.level, MAX_BACKOFF_FACTOR);
    counter.lockedUntil = now + this.options.lockoutMs * factor;
    counter.quietSince = counter.lockedUntil;
    counter.level++;
    counter.score = 0;
  }

  /** The counter of `key` after decay, or undefined when it holds nothing any more. */
  private get(map: Map<string, Counter>, key: string, now: number): Counter | undefined {
    const counter = map.get(key);
    if (!counter) return undefined;
    // Not a whole quiet period yet (the usual case): no decay step to work out.
    const steps =
      now - counter.quietSince >= this.forgetMs ? Math.floor((now - counter.quietSince) / this.forgetMs) : 0;
    if (steps > 0) {
      counter.score = 0;
      counter.level = Math.max(0, counter.level - steps);
      counter.quietSince += steps * this.forgetMs;
    }
    const idle =
      counter.score === 0 &&
      counter.level === 0 &&
      counter.lockedUntil <= now &&
      (counter.lastSuccess === 0 || now - counter.lastSuccess > this.trustMs);
    if (idle) map.delete(key);
    return idle ? undefined : counter;
  }

  /**
   * The counter of `key`, created if needed and moved to the most recently used end
   * (unless it was moved there less than REORDER_AFTER_MS ago).
   */
  private touch(map: Map<string, Counter>, key: string, now: number): Counter {
    const counter = this.get(map, key, now);
    if (counter) {
      const sinceReorder = now - counter.reorderedAt;
      if (sinceReorder >= 0 && sinceReorder < REORDER_AFTER_MS) return counter;
      map.delete(key);
      map.set(key, counter);
      counter.reorderedAt = now;
      return counter;
    }
    const created = { score: 0, level: 0, lockedUntil: 0, quietSince: now, lastSuccess: 0, reorderedAt: now };
    map.set(key, created);
    if (map.size > MAX_TRACKED) this.evictors.get(map)!.evictOldest();
    return created;
  }
}

function pairKey(source: string, target: string): string {
  return `${source}\u0000${target}`;
}
