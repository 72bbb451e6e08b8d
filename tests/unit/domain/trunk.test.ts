import { describe, expect, it } from "vitest";
import {
  generateTrunkPassword,
  generateTrunkUsername,
  trunkName,
  validateTrunkUsername,
} from "../../../src/domain/index.js";

describe("generateTrunkUsername", () => {
  it("takes 10 digits from the random source, the first never 0", () => {
    const zeros = generateTrunkUsername(() => 0);
    expect(zeros).toBe("1000000000");
    const highest = generateTrunkUsername((max) => max - 1);
    expect(highest).toBe("9999999999");
  });

  it("produces valid trunk usernames", () => {
    for (let i = 0; i < 200; i++) {
      const u = generateTrunkUsername();
      expect(validateTrunkUsername(u)).toBe(u);
    }
  });
});

describe("generateTrunkPassword", () => {
  it("is long, URL-safe and not repeated", () => {
    const a = generateTrunkPassword();
    const b = generateTrunkPassword();
    expect(a.length).toBeGreaterThanOrEqual(20);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
  });
});

describe("trunkName", () => {
  it("pads to three digits and grows beyond 999", () => {
    expect(trunkName(1)).toBe("gtc-001");
    expect(trunkName(12)).toBe("gtc-012");
    expect(trunkName(1000)).toBe("gtc-1000");
  });
});
