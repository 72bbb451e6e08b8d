import { DomainError } from "./domain-error.js";
import { NUMBERING_SCHEMAS, type Numbering, type NumberingSchema } from "./pbx-system.js";
import type { Flavour } from "./tenant.js";
import { validateCallno } from "./validators.js";

const E164_MAX_DIGITS = 15;

function optionalDigits(value: unknown, field: string, pattern: RegExp, rule: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new DomainError("invalid_numbering", `${field} must be ${rule}`, field);
  }
  return value;
}

/**
 * Validates the wizard's numbering settings. International numbering needs at least the
 * country code; area code and PABX number are digits (without national prefix "0").
 */
export function validateNumbering(value: unknown, field = "numbering"): Numbering {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DomainError("invalid_numbering", `${field} must be an object`, field);
  }
  const v = value as Record<string, unknown>;
  const schema = v.schema ?? "international";
  if (!NUMBERING_SCHEMAS.includes(schema as NumberingSchema)) {
    throw new DomainError(
      "invalid_numbering",
      `${field}.schema must be one of ${NUMBERING_SCHEMAS.join(", ")}`,
      `${field}.schema`,
    );
  }
  const numbering: Numbering = { schema: schema as NumberingSchema };
  const countryCode = optionalDigits(
    v.countryCode,
    `${field}.countryCode`,
    /^[1-9][0-9]{0,2}$/,
    "1–3 digits",
  );
  const areaCode = optionalDigits(v.areaCode, `${field}.areaCode`, /^[0-9]{1,6}$/, "1–6 digits");
  const pabxNumber = optionalDigits(v.pabxNumber, `${field}.pabxNumber`, /^[0-9]{1,12}$/, "1–12 digits");
  if (countryCode !== undefined) numbering.countryCode = countryCode;
  if (areaCode !== undefined) numbering.areaCode = areaCode;
  if (pabxNumber !== undefined) numbering.pabxNumber = pabxNumber;
  if (numbering.schema === "international" && countryCode === undefined && (areaCode || pabxNumber)) {
    throw new DomainError(
      "invalid_numbering",
      `${field}.countryCode is required with international numbering`,
      `${field}.countryCode`,
    );
  }
  return numbering;
}

/**
 * A user's number: international → "+" country area pabx callno (49/2302/667/2131 →
 * "+4923026672131"); internal → the callno itself.
 */
export function phoneNumberFor(numbering: Numbering, callno: string): string {
  validateCallno(callno);
  if (numbering.schema === "internal") return callno;
  if (!numbering.countryCode) {
    throw new DomainError(
      "numbering_incomplete",
      "international numbering needs a country code to build a phone number",
      "numbering.countryCode",
    );
  }
  const digits = `${numbering.countryCode}${numbering.areaCode ?? ""}${numbering.pabxNumber ?? ""}${callno}`;
  if (digits.length > E164_MAX_DIGITS) {
    throw new DomainError(
      "number_too_long",
      `+${digits} has ${digits.length} digits; E.164 allows at most ${E164_MAX_DIGITS}`,
      "callno",
    );
  }
  return `+${digits}`;
}

/**
 * Unify Video (RingCentral) tenants "should always" use international numbering (HowTo
 * §3.2): their numbers are E.164 in the cloud, an internal callno reaches nobody there.
 */
export function assertNumberingFitsFlavour(
  numbering: Numbering,
  flavour: Flavour,
  field = "numbering",
): void {
  if (flavour === "video" && numbering.schema === "internal") {
    throw new DomainError(
      "invalid_numbering",
      `${field}.schema must be international for a Unify Video tenant (its users have E.164 numbers)`,
      `${field}.schema`,
    );
  }
}
