import { describe, expect, it } from "vitest";
import { parseSeed, SeedError, seedClock } from "../../../src/seed/index.js";

describe("seed clock", () => {
  it("reads an ISO time (quoted or a YAML timestamp) and frozen", () => {
    expect(
      seedClock(parseSeed('clock: { now: "2030-01-01T00:00:00Z", frozen: true }\ntenants: []\n')),
    ).toEqual({
      now: Date.parse("2030-01-01T00:00:00Z"),
      frozen: true,
    });
    expect(seedClock(parseSeed("clock:\n  now: 2030-01-01T00:00:00Z\ntenants: []\n"))).toEqual({
      now: Date.parse("2030-01-01T00:00:00Z"),
    });
    expect(seedClock(parseSeed("tenants: []\n"))).toBeUndefined();
  });

  it("names the path and line of a bad value or an unknown key", () => {
    const text = "tenants: []\nclock:\n  now: someday\n  frozn: true\n";
    let error: unknown;
    try {
      seedClock(parseSeed(text, "seed.yaml"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SeedError);
    const issues = (error as SeedError).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "clock.now", line: 3 }),
        expect.objectContaining({ path: "clock.frozn", line: 4 }),
      ]),
    );
    expect((error as Error).message).toContain("seed.yaml:3");
  });
});
