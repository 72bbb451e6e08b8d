import { describe, expect, it } from "vitest";
import {
  DomainError,
  generateApiKey,
  newClientId,
  newId,
  validateApiKey,
  validateCallno,
  validateEmail,
  validateFlavour,
  validateLabel,
  validateLocale,
  validatePhoneNumber,
  validateRole,
  validateSimultaneousCalls,
  validateSystemId,
  validateTrunkPassword,
  validateTrunkUsername,
} from "../../../src/domain/index.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return undefined;
}

describe("validators", () => {
  it("accepts e-mail addresses and refuses malformed ones", () => {
    expect(validateEmail(" albert.admin@aptg.info ")).toBe("albert.admin@aptg.info");
    expect(validateEmail("a@acme.test")).toBe("a@acme.test");
    for (const bad of ["", "a", "a@", "@b.c", "a@b", "a b@c.d", "a@@b.c", "a@b..c", 42]) {
      expect(codeOf(() => validateEmail(bad))).toBe("invalid_email");
    }
  });

  it("canonicalises the supported locales and refuses others", () => {
    expect(validateLocale("de-DE")).toBe("de-DE");
    expect(validateLocale("en_gb")).toBe("en-GB");
    expect(validateLocale("NL-nl")).toBe("nl-NL");
    expect(codeOf(() => validateLocale("pt-BR"))).toBe("invalid_locale");
    expect(codeOf(() => validateLocale("de"))).toBe("invalid_locale");
  });

  it("accepts callnos of digits only", () => {
    expect(validateCallno("2131")).toBe("2131");
    expect(validateCallno("42135")).toBe("42135");
    for (const bad of ["", "21 31", "+2131", "2131a", "1234567890123456", 2131]) {
      expect(codeOf(() => validateCallno(bad))).toBe("invalid_callno");
    }
  });

  it("accepts E.164 and internal phone numbers", () => {
    expect(validatePhoneNumber("+4923026672131")).toBe("+4923026672131");
    expect(validatePhoneNumber("2131")).toBe("2131");
    expect(codeOf(() => validatePhoneNumber("+1234567890123456"))).toBe("invalid_phone_number");
    expect(codeOf(() => validatePhoneNumber("+49 2302"))).toBe("invalid_phone_number");
  });

  it("checks enumerations", () => {
    expect(validateFlavour("video")).toBe("video");
    expect(codeOf(() => validateFlavour("teams"))).toBe("invalid_flavour");
    expect(validateRole("admin")).toBe("admin");
    expect(codeOf(() => validateRole("root"))).toBe("invalid_role");
  });

  it("checks labels, system ids, API keys and call limits", () => {
    expect(validateLabel("  Acme ", "name")).toBe("Acme");
    expect(codeOf(() => validateLabel("   ", "name"))).toBe("invalid_text");
    expect(codeOf(() => validateLabel("a\nb", "name"))).toBe("invalid_text");
    expect(validateSystemId("osbiz-1")).toBe("osbiz-1");
    expect(codeOf(() => validateSystemId("a/b"))).toBe("invalid_system_id");
    expect(validateApiKey("acme-key-0001-t7m7w6ToB8iPQCFUNQuX")).toBe("acme-key-0001-t7m7w6ToB8iPQCFUNQuX");
    expect(codeOf(() => validateApiKey("short"))).toBe("invalid_api_key");
    expect(codeOf(() => validateApiKey("has space in it"))).toBe("invalid_api_key");
    expect(validateSimultaneousCalls(16)).toBe(16);
    expect(codeOf(() => validateSimultaneousCalls(-1))).toBe("invalid_simultaneous_calls");
    expect(codeOf(() => validateSimultaneousCalls(1.5))).toBe("invalid_simultaneous_calls");
  });

  it("checks trunk credentials", () => {
    expect(validateTrunkUsername("3919209257")).toBe("3919209257");
    expect(codeOf(() => validateTrunkUsername("0919209257"))).toBe("invalid_trunk_username");
    expect(codeOf(() => validateTrunkUsername("391920925"))).toBe("invalid_trunk_username");
    expect(validateTrunkPassword("s3cret-Trunk-1")).toBe("s3cret-Trunk-1");
    expect(codeOf(() => validateTrunkPassword(""))).toBe("invalid_trunk_password");
  });

  it("reports the field it was given", () => {
    expect(() => validateEmail("nope", "users[3].emailAddress")).toThrow(
      expect.objectContaining({ field: "users[3].emailAddress" }),
    );
  });
});

describe("ids", () => {
  it("makes prefixed base32 ids, UUID client ids and URL-safe API keys", () => {
    expect(newId("tn")).toMatch(/^tn_[a-z2-7]{10}$/);
    expect(newId("tn")).not.toBe(newId("tn"));
    expect(newClientId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(validateApiKey(generateApiKey())).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
