import { DomainError, type Numbering, validateNumbering } from "../domain/index.js";

const E164_MAX_DIGITS = 15;

/**
 * The numbering a PBX sends when it provisions: stricter than the stored form, because
 * the wizard always sends a complete location number. International numbering needs the
 * country code, and the location number must leave at least one digit of E.164 for a callno.
 */
export function validateProvisioningNumbering(value: unknown): Numbering {
  const numbering = validateNumbering(value, "numbering");
  if (numbering.schema === "internal") return numbering;
  if (numbering.countryCode === undefined) {
    throw new DomainError(
      "invalid_numbering",
      "numbering.countryCode is required with international numbering",
      "numbering.countryCode",
    );
  }
  const prefix = `${numbering.countryCode}${numbering.areaCode ?? ""}${numbering.pabxNumber ?? ""}`;
  if (prefix.length >= E164_MAX_DIGITS) {
    throw new DomainError(
      "number_too_long",
      `the location number +${prefix} has ${prefix.length} digits; E.164 allows at most ${E164_MAX_DIGITS}, which leaves no digit for a callno`,
      "numbering",
    );
  }
  return numbering;
}
