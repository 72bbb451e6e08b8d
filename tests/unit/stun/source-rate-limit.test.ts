import { describe, expect, it } from "vitest";
import { SourceRateLimit } from "../../../src/stun/index.js";

/** A limiter on a clock the test moves by hand. */
function limiter(perSecond: number, maxSources?: number) {
  let now = 0;
  const limit = new SourceRateLimit({
    perSecond,
    now: () => now,
    ...(maxSources === undefined ? {} : { maxSources }),
  });
  const burst = (address: string, n: number) =>
    Array.from({ length: n }, () => limit.take(address)).filter((d) => d === "allow").length;
  return { limit, burst, advance: (ms: number) => (now += ms) };
}

describe("SourceRateLimit (a token bucket per source address)", () => {
  it("lets a burst of perSecond through, then refuses; reports only the first refusal of a spell", () => {
    const { limit, burst } = limiter(5);
    expect(burst("192.0.2.1", 5)).toBe(5);
    expect(limit.take("192.0.2.1")).toBe("refuse-first");
    expect(limit.take("192.0.2.1")).toBe("refuse");
    expect(limit.take("192.0.2.1")).toBe("refuse");
  });

  it("refills at perSecond, never above the bucket size", () => {
    const { limit, burst, advance } = limiter(10);
    expect(burst("192.0.2.1", 20)).toBe(10);
    advance(300);
    expect(burst("192.0.2.1", 20)).toBe(3);
    advance(60_000);
    expect(burst("192.0.2.1", 20)).toBe(10);
    expect(limit.take("192.0.2.1")).toBe("refuse");
  });

  it("keeps sources apart: one source over its rate does not cost another any answer", () => {
    const { burst } = limiter(3);
    expect(burst("192.0.2.1", 100)).toBe(3);
    expect(burst("192.0.2.2", 100)).toBe(3);
    expect(burst("2001:db8::1", 100)).toBe(3);
  });

  it("remembers at most maxSources, forgetting the one heard from least recently", () => {
    const { limit, burst } = limiter(2, 100);
    for (let i = 0; i < 1000; i++) burst(`198.51.100.${i % 250}-${i}`, 1);
    expect(limit.size).toBe(100);
    expect(burst("192.0.2.1", 5)).toBe(2);
    for (let i = 0; i < 99; i++) burst(`203.0.113.${i}`, 1);
    // 192.0.2.1 was heard from more recently than all but 99 others: still remembered, still empty.
    expect(burst("192.0.2.1", 5)).toBe(0);
    expect(limit.size).toBe(100);
  });
});
