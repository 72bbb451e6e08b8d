import { describe, expect, it } from "vitest";
import { bestFinalResponse } from "../../../src/b2bua/response-selection.js";

describe("the best final response of failed branches (RFC 3261 §16.7 step 6)", () => {
  it("a 6xx wins over every other class", () => {
    expect(bestFinalResponse([486, 503, 603, 302])).toBe(2);
  });

  it("otherwise the lowest class, and within it the first to arrive", () => {
    expect(bestFinalResponse([503, 486, 480])).toBe(1);
    expect(bestFinalResponse([500, 302])).toBe(1);
  });

  it("none for no branch", () => {
    expect(bestFinalResponse([])).toBe(-1);
  });
});
