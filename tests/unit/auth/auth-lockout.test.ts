import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthLockout } from "../../../src/auth/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";

let clock: ControllableClock;
let lockout: AuthLockout;

beforeEach(() => {
  clock = new ControllableClock({ frozen: true, start: 1_700_000_000_000 });
  lockout = new AuthLockout(clock, { maxFailures: 3, lockoutMs: 60_000, trustMs: 600_000 });
});
afterEach(() => clock.dispose());

function failTimes(n: number, source = "10.0.0.1", target = "user") {
  for (let i = 0; i < n; i++) lockout.fail(source, target);
}

describe("AuthLockout", () => {
  it("locks the pair, the source and the target after maxFailures", () => {
    failTimes(2);
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(0);
    failTimes(1);
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(60_000);
    expect(lockout.lockedFor("10.0.0.1", "other")).toBe(60_000);
    expect(lockout.lockedFor("10.0.0.2", "user")).toBe(60_000);
    expect(lockout.lockedFor("10.0.0.2", "other")).toBe(0);
  });

  it("doubles each further lock and caps the back-off at 64 lockouts", () => {
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) {
      failTimes(3);
      const ms = lockout.lockedFor("10.0.0.1", "user");
      seen.push(ms / 60_000);
      clock.advance(ms);
    }
    expect(seen).toEqual([1, 2, 4, 8, 16, 32, 64, 64, 64]);
  });

  it("forgets failures and steps the back-off down after ten quiet lockout periods", () => {
    failTimes(3);
    clock.advance(60_000);
    failTimes(3);
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(120_000);
    clock.advance(120_000);
    failTimes(2);
    clock.advance(600_000);
    // The two failures are forgotten and the back-off is one step down: 60 s again.
    failTimes(2);
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(0);
    failTimes(1);
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(120_000);
  });

  it("a recent success exempts the pair from source-wide and target-wide locks, not from its own", () => {
    lockout.succeed("10.0.0.1", "user");
    failTimes(3, "10.0.0.9", "user");
    failTimes(3, "10.0.0.1", "sprayed");
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(0);
    expect(lockout.lockedFor("10.0.0.5", "user")).toBe(60_000);
    clock.advance(600_001);
    failTimes(3, "10.0.0.9", "user");
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(120_000);
    lockout.succeed("10.0.0.1", "user");
    failTimes(3);
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(60_000);
  });

  it("forgets the least recently used entries beyond 50,000, a pair that authenticated again a second later last", () => {
    lockout.succeed("10.0.0.1", "user");
    for (let i = 1; i < 50_000; i++) lockout.succeed("10.0.0.2", `u${i}`);
    clock.advance(1000);
    lockout.succeed("10.0.0.1", "user");
    // One more entry than kept: the oldest goes, and 10.0.0.1 moved to the recent end.
    lockout.succeed("10.0.0.2", "one-more");
    failTimes(3, "10.0.0.9", "user");
    expect(lockout.lockedFor("10.0.0.1", "user")).toBe(0);
    expect(lockout.lockedFor("10.0.0.5", "user")).toBe(60_000);
  });
});
