import { describe, expect, it } from "vitest";
import { phoneNumberFor, validateNumbering } from "../../../src/domain/index.js";

describe("phoneNumberFor", () => {
  it("builds E.164 from the location number and callno (SPEC example)", () => {
    const numbering = {
      schema: "international",
      countryCode: "49",
      areaCode: "2302",
      pabxNumber: "667",
    } as const;
    expect(phoneNumberFor(numbering, "2131")).toBe("+4923026672131");
  });

  it("uses the callno itself with internal numbering", () => {
    expect(phoneNumberFor({ schema: "internal" }, "2131")).toBe("2131");
  });

  it("accepts exactly 15 digits and refuses 16", () => {
    const numbering = {
      schema: "international",
      countryCode: "49",
      areaCode: "2302",
      pabxNumber: "667",
    } as const;
    expect(phoneNumberFor(numbering, "123456")).toBe("+492302667123456");
    expect(() => phoneNumberFor(numbering, "1234567")).toThrow(
      expect.objectContaining({ code: "number_too_long", message: expect.stringMatching(/16 digits/) }),
    );
  });

  it("needs a country code for international numbers", () => {
    expect(() => phoneNumberFor({ schema: "international" }, "2131")).toThrow(
      expect.objectContaining({ code: "numbering_incomplete", field: "numbering.countryCode" }),
    );
  });

  it("refuses a callno that is not digits", () => {
    expect(() => phoneNumberFor({ schema: "internal" }, "21a")).toThrow(
      expect.objectContaining({ code: "invalid_callno" }),
    );
  });
});

describe("validateNumbering", () => {
  it("defaults the schema to international and drops empty parts", () => {
    expect(validateNumbering({ countryCode: "49", areaCode: "" })).toEqual({
      schema: "international",
      countryCode: "49",
    });
  });

  it("names the offending field", () => {
    expect(() => validateNumbering({ schema: "international", countryCode: "+49" })).toThrow(
      expect.objectContaining({ code: "invalid_numbering", field: "numbering.countryCode" }),
    );
    expect(() => validateNumbering({ schema: "e164" })).toThrow(
      expect.objectContaining({ field: "numbering.schema" }),
    );
    expect(() => validateNumbering({ areaCode: "2302" })).toThrow(
      expect.objectContaining({ field: "numbering.countryCode" }),
    );
  });

  it("refuses non-objects", () => {
    expect(() => validateNumbering("49")).toThrow(expect.objectContaining({ code: "invalid_numbering" }));
  });
});
