import { afterEach, describe, expect, it, vi } from "vitest";
import { ClockService } from "../../../src/services/clock-service.js";
import { ControllableClock } from "../../../src/shared/clock.js";

/** Wall time that moves one millisecond on every read, as a busy machine would. */
function tickingWallClock(): void {
  let wall = Date.parse("2026-01-01T00:00:00.000Z");
  vi.spyOn(Date, "now").mockImplementation(() => wall++);
}

describe("ClockService.set", () => {
  afterEach(() => vi.restoreAllMocks());

  it("lands exactly on `now` when setting and freezing in one call", () => {
    tickingWallClock();
    const clock = new ControllableClock();
    const state = new ClockService(clock).set({ now: "2030-01-01T00:00:00.000Z", frozen: true });
    expect(new Date(state.now).toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(state.frozen).toBe(true);
    clock.dispose();
  });

  it("jumps a frozen clock and resumes it from exactly the new time", () => {
    tickingWallClock();
    const clock = new ControllableClock({ start: 0, frozen: true });
    const service = new ClockService(clock);
    service.set({ now: 5_000, frozen: false });
    expect(clock.frozen).toBe(false);
    const later = clock.now();
    expect(later).toBeGreaterThanOrEqual(5_000);
    expect(later).toBeLessThan(5_010);
    clock.dispose();
  });

  it("refuses a time that is not one, and changes nothing", () => {
    const clock = new ControllableClock({ start: 1_000, frozen: true });
    const service = new ClockService(clock);
    expect(() => service.set({ now: "yesterday", frozen: false })).toThrow(/not a time: yesterday/);
    expect(clock.now()).toBe(1_000);
    expect(clock.frozen).toBe(true);
    clock.dispose();
  });
});
