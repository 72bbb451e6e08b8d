import { afterEach, describe, expect, it, vi } from "vitest";
import { MediaTicker, type Tickable } from "../../../src/media/media-ticker.js";

function member(): Tickable & { ticks: number[] } {
  const ticks: number[] = [];
  return { ticks, onTick: (tick) => ticks.push(tick) };
}

describe("MediaTicker", () => {
  afterEach(() => vi.restoreAllMocks());

  it("runs one unref'd setInterval for any number of members", () => {
    const spy = vi.spyOn(globalThis, "setInterval");
    const ticker = new MediaTicker();
    for (let i = 0; i < 1000; i++) ticker.add(member());
    expect(spy).toHaveBeenCalledTimes(1);
    expect((spy.mock.results[0]!.value as NodeJS.Timeout).hasRef()).toBe(false);
    expect(ticker.running).toBe(true);
    ticker.stop();
    expect(ticker.running).toBe(false);
  });

  it("stops the timer when the last member leaves", () => {
    const ticker = new MediaTicker();
    const a = member();
    ticker.add(a);
    ticker.delete(a);
    expect(ticker.running).toBe(false);
  });

  it("runs the steps the clock says are due, with one shared tick number", () => {
    let now = 1000;
    const ticker = new MediaTicker({ now: () => now });
    const a = member();
    const b = member();
    ticker.add(a);
    ticker.add(b);
    now += 19;
    ticker.poll();
    expect(a.ticks).toEqual([]);
    now += 1;
    ticker.poll();
    now += 45;
    ticker.poll();
    expect(a.ticks).toEqual([1, 2, 3]);
    expect(b.ticks).toEqual([1, 2, 3]);
    ticker.stop();
  });

  it("drops steps beyond the catch-up limit after a stall", () => {
    let now = 0;
    const ticker = new MediaTicker({ now: () => now, maxCatchUp: 5 });
    const a = member();
    ticker.add(a);
    now = 1000;
    ticker.poll();
    expect(a.ticks).toHaveLength(5);
    now = 1020;
    ticker.poll();
    expect(a.ticks).toHaveLength(6);
    ticker.stop();
  });

  it("isolates a failing member", () => {
    let now = 0;
    const errors: unknown[] = [];
    const ticker = new MediaTicker({ now: () => now, onError: (e) => errors.push(e) });
    const good = member();
    ticker.add({
      onTick: () => {
        throw new Error("boom");
      },
    });
    ticker.add(good);
    now = 20;
    ticker.poll();
    expect(errors).toHaveLength(1);
    expect(good.ticks).toEqual([1]);
    ticker.stop();
  });
});
