/**
 * The lockout's fast paths (no reordering within a second, no lookups in empty maps, no decay
 * arithmetic before a quiet period) must not change a single decision: checked against the
 * straightforward model below (the implementation before those paths) on random sequences.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuthLockout } from "../../../src/auth/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";

interface Counter {
  score: number;
  level: number;
  lockedUntil: number;
  quietSince: number;
  lastSuccess: number;
}

/** Reference: every touch moves the entry, every scope is looked up. */
class ModelLockout {
  private readonly pairs = new Map<string, Counter>();
  private readonly sources = new Map<string, Counter>();
  private readonly targets = new Map<string, Counter>();
  private readonly forgetMs: number;

  constructor(
    private readonly clock: ControllableClock,
    private readonly o: { maxFailures: number; lockoutMs: number; trustMs: number },
  ) {
    this.forgetMs = o.lockoutMs * 10;
  }

  lockedFor(source: string, target: string): number {
    const now = this.clock.now();
    const pair = this.get(this.pairs, `${source}\u0000${target}`, now);
    let until = pair?.lockedUntil ?? 0;
    const trusted = pair !== undefined && pair.lastSuccess > 0 && now - pair.lastSuccess <= this.o.trustMs;
    if (!trusted) {
      until = Math.max(
        until,
        this.get(this.sources, source, now)?.lockedUntil ?? 0,
        this.get(this.targets, target, now)?.lockedUntil ?? 0,
      );
    }
    return Math.max(0, until - now);
  }

  fail(source: string, target: string): void {
    const now = this.clock.now();
    this.failIn(this.pairs, `${source}\u0000${target}`, now);
    this.failIn(this.sources, source, now);
    this.failIn(this.targets, target, now);
  }

  succeed(source: string, target: string): void {
    const now = this.clock.now();
    const pair = this.touch(this.pairs, `${source}\u0000${target}`, now);
    pair.lastSuccess = now;
    pair.score = Math.floor(pair.score / 2);
    for (const [map, key] of [
      [this.sources, source],
      [this.targets, target],
    ] as const) {
      const counter = this.get(map, key, now);
      if (counter) counter.score = Math.floor(counter.score / 2);
    }
  }

  private failIn(map: Map<string, Counter>, key: string, now: number): void {
    const counter = this.touch(map, key, now);
    counter.quietSince = Math.max(now, counter.quietSince);
    if (++counter.score < this.o.maxFailures) return;
    counter.lockedUntil = now + this.o.lockoutMs * Math.min(2 ** counter.level, 64);
    counter.quietSince = counter.lockedUntil;
    counter.level++;
    counter.score = 0;
  }

  private get(map: Map<string, Counter>, key: string, now: number): Counter | undefined {
    const counter = map.get(key);
    if (!counter) return undefined;
    const steps = Math.floor((now - counter.quietSince) / this.forgetMs);
    if (steps > 0) {
      counter.score = 0;
      counter.level = Math.max(0, counter.level - steps);
      counter.quietSince += steps * this.forgetMs;
    }
    const idle =
      counter.score === 0 &&
      counter.level === 0 &&
      counter.lockedUntil <= now &&
      (counter.lastSuccess === 0 || now - counter.lastSuccess > this.o.trustMs);
    if (idle) map.delete(key);
    return idle ? undefined : counter;
  }

  private touch(map: Map<string, Counter>, key: string, now: number): Counter {
    const counter = this.get(map, key, now) ?? {
      score: 0,
      level: 0,
      lockedUntil: 0,
      quietSince: now,
      lastSuccess: 0,
    };
    map.delete(key);
    map.set(key, counter);
    return counter;
  }
}

const LOCKOUT_MS = 60_000;
const TRUST_MS = 600_000;
const who = fc.record({
  source: fc.constantFrom("10.0.0.1", "10.0.0.2", "10.0.0.3"),
  target: fc.constantFrom("a", "b", "c"),
});
const step = fc.oneof(
  { arbitrary: who.map((w) => ({ op: "fail" as const, ...w })), weight: 4 },
  { arbitrary: who.map((w) => ({ op: "succeed" as const, ...w })), weight: 2 },
  { arbitrary: who.map((w) => ({ op: "lockedFor" as const, ...w })), weight: 3 },
  {
    arbitrary: fc
      .oneof(
        fc.integer({ min: 0, max: 2_000 }),
        fc.constantFrom(999, 1000, LOCKOUT_MS, 10 * LOCKOUT_MS, TRUST_MS, TRUST_MS + 1),
        fc.integer({ min: 0, max: 40 * LOCKOUT_MS }),
      )
      .map((ms) => ({ op: "advance" as const, ms })),
    weight: 2,
  },
);

describe("AuthLockout against the reference model", () => {
  it("locks, trusts and forgets exactly as the model on random sequences", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(step, { maxLength: 120 }),
        (maxFailures, steps) => {
          const clock = new ControllableClock({ start: 1_700_000_000_000, frozen: true });
          const options = { maxFailures, lockoutMs: LOCKOUT_MS, trustMs: TRUST_MS };
          const lockout = new AuthLockout(clock, options);
          const model = new ModelLockout(clock, options);
          for (const s of steps) {
            if (s.op === "advance") clock.advance(s.ms);
            else if (s.op === "lockedFor")
              expect(lockout.lockedFor(s.source, s.target)).toBe(model.lockedFor(s.source, s.target));
            else {
              lockout[s.op](s.source, s.target);
              model[s.op](s.source, s.target);
            }
          }
          for (const source of ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
            for (const target of ["a", "b", "c"])
              expect(lockout.lockedFor(source, target)).toBe(model.lockedFor(source, target));
          clock.dispose();
        },
      ),
      { numRuns: 500 },
    );
  });
});
