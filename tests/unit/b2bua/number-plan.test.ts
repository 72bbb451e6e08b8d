import { describe, expect, it } from "vitest";
import { findUserByNumber, numberCandidates, numberingMismatch } from "../../../src/b2bua/number-plan.js";
import { user } from "./b2bua-fakes.js";

describe("the number a PBX dials", () => {
  it("is tried in its E.164 forms first, then as dialled", () => {
    expect(numberCandidates("+49 2302 667-2131")).toEqual(["+4923026672131"]);
    expect(numberCandidates("004923026672131")).toEqual(["+4923026672131", "004923026672131"]);
    expect(numberCandidates("4923026672131")).toEqual(["4923026672131", "+4923026672131"]);
    // A short internal number is not made international.
    expect(numberCandidates("2131")).toEqual(["2131"]);
  });

  it("finds the user by the first form that matches", () => {
    const al = user();
    const lookups: string[] = [];
    const found = findUserByNumber("004923026672131", (n) => {
      lookups.push(n);
      return n === al.phoneNumber ? al : undefined;
    });
    expect(found).toBe(al);
    expect(lookups).toEqual(["+4923026672131"]);
  });

  it("explains a miss in the words of the numbering plan", () => {
    expect(numberingMismatch("2131", { schema: "international", countryCode: "43" })).toBe(
      "2131 does not match the Unify Phone numbering plan (international E.164, e.g. +43…)",
    );
    expect(numberingMismatch("+4930123", { schema: "internal" })).toBe(
      "+4930123 does not match the Unify Phone numbering plan (internal short numbers)",
    );
    expect(numberingMismatch("+4930123", undefined)).toBe("no Unify Phone user has the number +4930123");
  });
});
