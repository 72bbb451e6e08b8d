import type { Clock } from "../shared/clock.js";

const MAX_TRACKED = 50_000;

/**
 * Brute-force guard for digest credentials (SPEC §4): after `maxFailures` wrong answers
 * from one source for one user, that pair is refused for `lockoutMs`. Keyed by pair, so
 * an attacker elsewhere cannot lock a PBX out of its own trunk.
 */
export class AuthLockout {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
  ) {}

  /** Ms until the pair may try again, or 0 when it is not locked. */
  lockedFor(source: string, username: string): number {
    const entry = this.failures.get(`${source}|${username}`);
    return entry ? Math.max(0, entry.lockedUntil - this.clock.now()) : 0;
  }

  fail(source: string, username: string): void {
    const key = `${source}|${username}`;
    const entry = this.failures.get(key) ?? { count: 0, lockedUntil: 0 };
    entry.count++;
    if (entry.count >= this.maxFailures) {
      entry.lockedUntil = this.clock.now() + this.lockoutMs;
      entry.count = 0;
    }
    this.failures.delete(key);
    this.failures.set(key, entry);
    if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
  }

  succeed(source: string, username: string): void {
    this.failures.delete(`${source}|${username}`);
  }
}
