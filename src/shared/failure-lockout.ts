import type { Clock } from "./clock.js";

const MAX_TRACKED = 50_000;

/**
 * Brute-force guard (SPEC §4): after `maxFailures` failures for one key (a source
 * address, or source + user), the key is refused for `lockoutMs`. Callers choose keys so
 * an attacker elsewhere cannot lock a PBX out of its own trunk. Bounded in memory.
 */
export class FailureLockout {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
  ) {}

  /** Ms until the key may try again, or 0 when it is not locked. */
  lockedFor(key: string): number {
    const entry = this.failures.get(key);
    return entry ? Math.max(0, entry.lockedUntil - this.clock.now()) : 0;
  }

  fail(key: string): void {
    const entry = this.failures.get(key) ?? { count: 0, lockedUntil: 0 };
    entry.count++;
    if (entry.count >= this.maxFailures) {
      entry.lockedUntil = this.clock.now() + this.lockoutMs;
      entry.count = 0;
    }
    // Re-insert so the Map's order is least-recently-failed first, for eviction.
    this.failures.delete(key);
    this.failures.set(key, entry);
    if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
