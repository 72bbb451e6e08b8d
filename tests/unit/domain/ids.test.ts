import { describe, expect, it } from "vitest";
import { newId, newIds } from "../../../src/domain/ids.js";

describe("newIds", () => {
  it("makes `count` ids of newId's format: prefix, '_', 10 base32 characters", () => {
    const ids = newIds("us", 1000);
    expect(ids).toHaveLength(1000);
    for (const id of ids) expect(id).toMatch(/^us_[a-z2-7]{10}$/);
    expect(newIds("tk", 3).every((id) => id.startsWith("tk_"))).toBe(true);
    expect(newIds("us", 0)).toEqual([]);
    expect(newId("sy")).toMatch(/^sy_[a-z2-7]{10}$/);
  });

  it("draws every character at random: distinct ids, all 32 characters at every position", () => {
    const ids = newIds("us", 20_000);
    expect(new Set(ids).size).toBe(ids.length);
    for (let at = 3; at < 13; at++) {
      const seen = new Set(ids.map((id) => id[at]));
      expect(seen.size, `position ${at}`).toBe(32);
    }
  });
});
