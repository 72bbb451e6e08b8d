import { describe, expect, it } from "vitest";
import { ControllableClock } from "../../../src/shared/clock.js";

describe("ControllableClock", () => {
  it("fires timers that fall due on advance, in due order, and each once", () => {
    const clock = new ControllableClock({ start: 0, frozen: true });
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push("c"));
    clock.setTimer(100, () => fired.push("a"));
    clock.setTimer(100, () => fired.push("b"));
    clock.advance(150);
    expect(fired).toEqual(["a", "b"]);
    clock.advance(1_000);
    clock.advance(1_000);
    expect(fired).toEqual(["a", "b", "c"]);
    expect(clock.pendingTimers).toBe(0);
    clock.dispose();
  });

  it("never fires early or twice when set back, and skips cleared timers", () => {
    const clock = new ControllableClock({ start: 10_000, frozen: true });
    const fired: number[] = [];
    clock.setTimer(500, () => fired.push(1));
    const cleared = clock.setTimer(200, () => fired.push(2));
    clock.clearTimer(cleared);
    clock.set(0);
    clock.advance(10_400);
    expect(fired).toEqual([]);
    clock.advance(100);
    expect(fired).toEqual([1]);
    expect(clock.now()).toBe(10_500);
    clock.dispose();
  });

  it("refuses to advance backwards", () => {
    const clock = new ControllableClock({ start: 0, frozen: true });
    expect(() => clock.advance(-1)).toThrow(RangeError);
    clock.dispose();
  });

  it("setState freezes before jumping so the jump is exact", () => {
    const clock = new ControllableClock();
    clock.setState({ now: 42_000, frozen: true });
    expect(clock.now()).toBe(42_000);
    expect(clock.frozen).toBe(true);
    clock.dispose();
  });

  it("follows real time while running", async () => {
    const clock = new ControllableClock({ start: 0 });
    const fired = new Promise<number>((resolve) => clock.setTimer(20, () => resolve(clock.now())));
    expect(await fired).toBeGreaterThanOrEqual(20);
    clock.dispose();
  });
});
