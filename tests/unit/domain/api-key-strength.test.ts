import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError, generateApiKey, validateChosenApiKey } from "../../../src/domain/index.js";

function refusal(key: string): string | undefined {
  try {
    validateChosenApiKey(key);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("invalid_api_key");
    expect((error as DomainError).field).toBe("apiKey");
    expect((error as DomainError).message).not.toContain(key);
    return (error as DomainError).message;
  }
}

describe("validateChosenApiKey (issue 9.4: admin-chosen keys as strong as generated ones)", () => {
  it("accepts every generated key", () => {
    fc.assert(
      fc.property(fc.integer(), () => refusal(generateApiKey()) === undefined),
      { numRuns: 500 },
    );
  });

  it("accepts random keys and passphrases of 32 characters or more", () => {
    for (const key of [
      "9f86d081884c7d659a2feaa0c55ad015", // openssl rand -hex 16
      "correct-horse-battery-staple-acme-2026",
      "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    ])
      expect(refusal(key)).toBeUndefined();
  });

  it("refuses keys shorter than a generated key", () => {
    expect(refusal("acme-key-0001")).toMatch(/at least 32 characters/);
    expect(refusal(generateApiKey().slice(0, 31))).toMatch(/at least 32 characters/);
  });

  it("refuses long keys made of runs, repeats or few characters", () => {
    for (const key of [
      "a".repeat(32),
      "abcdefghijklmnopqrstuvwxyz012345",
      "Xq7L-87654321-m2Vp9Rt4Wz8Kb3Nc6Hd",
      "acme-key-0001-acme-key-0001-acme",
      "ab12".repeat(8),
    ])
      expect(refusal(key)).toMatch(/too easy to guess/);
  });
});
