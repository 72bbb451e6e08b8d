import { describe, expect, it } from "vitest";
import { DomainError, phoneNumberFor } from "../../../src/domain/index.js";
import { validateProvisioningNumbering } from "../../../src/services/connector-numbering.js";

function failure(value: unknown): DomainError {
  try {
    validateProvisioningNumbering(value);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a DomainError");
}

describe("validateProvisioningNumbering", () => {
  it("accepts the wizard's international location number and builds E.164 from it", () => {
    const n = validateProvisioningNumbering({
      schema: "international",
      countryCode: "49",
      areaCode: "2302",
      pabxNumber: "667",
    });
    expect(n).toEqual({ schema: "international", countryCode: "49", areaCode: "2302", pabxNumber: "667" });
    expect(phoneNumberFor(n, "2131")).toBe("+4923026672131");
  });

  it("defaults the schema to international", () => {
    expect(validateProvisioningNumbering({ countryCode: "44" })).toEqual({
      schema: "international",
      countryCode: "44",
    });
  });

  it("accepts internal numbering without any location number", () => {
    expect(validateProvisioningNumbering({ schema: "internal" })).toEqual({ schema: "internal" });
  });

  it("requires the country code with international numbering, even without area code or PABX number", () => {
    const err = failure({ schema: "international" });
    expect(err.code).toBe("invalid_numbering");
    expect(err.field).toBe("numbering.countryCode");
    expect(err.message).toMatch(/required with international/);
  });

  it.each([
    [{ countryCode: "049" }, "numbering.countryCode", /1–3 digits/],
    [{ countryCode: "49", areaCode: "23a2" }, "numbering.areaCode", /1–6 digits/],
    [{ countryCode: "49", pabxNumber: "+667" }, "numbering.pabxNumber", /1–12 digits/],
    [{ schema: "e164" }, "numbering.schema", /one of international, internal/],
  ])("names the part that is not digits: %j", (value, field, message) => {
    const err = failure(value);
    expect(err.code).toBe("invalid_numbering");
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
  });

  it("refuses a location number that leaves no digit of E.164 for a callno", () => {
    // 3 + 6 + 6 = 15 digits before any callno.
    const err = failure({ countryCode: "491", areaCode: "123456", pabxNumber: "123456" });
    expect(err.code).toBe("number_too_long");
    expect(err.field).toBe("numbering");
    expect(err.message).toMatch(/15 digits/);
  });

  it("accepts a location number of 14 digits (room for a one-digit callno)", () => {
    const n = validateProvisioningNumbering({ countryCode: "49", areaCode: "123456", pabxNumber: "123456" });
    expect(phoneNumberFor(n, "7")).toBe("+491234561234567");
  });
});
