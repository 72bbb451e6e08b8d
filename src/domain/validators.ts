import { DomainError } from "./domain-error.js";
import { FLAVOURS, type Flavour } from "./tenant.js";
import { USER_ROLES, type UserRole } from "./user.js";

/** The app languages: English, German, French, Spanish, Italian, Dutch. */
export const LOCALES = ["de-DE", "en-US", "en-GB", "fr-FR", "it-IT", "es-ES", "nl-NL"] as const;

export type Locale = (typeof LOCALES)[number];

const CONTROL = /[\u0000-\u001f\u007f]/;
// Pragmatic: one "@", no spaces or characters that need quoting, a dot in the domain.
const EMAIL = /^[^\s@"<>(),;:\\[\]]+@[^\s@"<>(),;:\\[\].]+(\.[^\s@"<>(),;:\\[\].]+)+$/;
const DIGITS = /^[0-9]+$/;

function text(value: unknown, field: string, what: string): string {
  if (typeof value !== "string") throw new DomainError(`invalid_${what}`, `${field} must be a string`, field);
  return value;
}

/** A display text (tenant name, first/last name): trimmed, 1–maxLength characters, no control characters. */
export function validateLabel(value: unknown, field: string, maxLength = 100): string {
  const s = text(value, field, "text").trim();
  if (s.length === 0) throw new DomainError("invalid_text", `${field} must not be empty`, field);
  if (s.length > maxLength) {
    throw new DomainError("invalid_text", `${field} must be at most ${maxLength} characters`, field);
  }
  if (CONTROL.test(s))
    throw new DomainError("invalid_text", `${field} must not contain control characters`, field);
  return s;
}

export function validateEmail(value: unknown, field = "emailAddress"): string {
  const s = text(value, field, "email").trim();
  if (s.length > 254 || !EMAIL.test(s)) {
    throw new DomainError("invalid_email", `${field} "${s}" is not an e-mail address`, field);
  }
  return s;
}

/** Accepts any case and "_" ("de_de") and returns the canonical form ("de-DE"). */
export function validateLocale(value: unknown, field = "locale"): Locale {
  const s = text(value, field, "locale").trim().replace("_", "-").toLowerCase();
  const found = LOCALES.find((l) => l.toLowerCase() === s);
  if (!found) {
    throw new DomainError(
      "invalid_locale",
      `${field} "${String(value)}" is not supported; use one of ${LOCALES.join(", ")}`,
      field,
    );
  }
  return found;
}

function digits(value: unknown, field: string, code: string, maxLength: number): string {
  const s = text(value, field, code.replace(/^invalid_/, ""));
  if (!DIGITS.test(s) || s.length > maxLength) {
    throw new DomainError(code, `${field} must be 1–${maxLength} digits, got "${s}"`, field);
  }
  return s;
}

/** The internal call number on the PBX, e.g. "2131" (MULAP: "42135"). */
export function validateCallno(value: unknown, field = "callno"): string {
  return digits(value, field, "invalid_callno", 15);
}

export function validateDid(value: unknown, field = "did"): string {
  return digits(value, field, "invalid_did", 15);
}

/** E.164 ("+" and up to 15 digits) or an internal short number (digits). */
export function validatePhoneNumber(value: unknown, field = "phoneNumber"): string {
  const s = text(value, field, "phone_number");
  if (!/^\+?[0-9]{1,15}$/.test(s)) {
    throw new DomainError(
      "invalid_phone_number",
      `${field} must be E.164 (+ and at most 15 digits) or an internal number, got "${s}"`,
      field,
    );
  }
  return s;
}

export function validateFlavour(value: unknown, field = "flavour"): Flavour {
  if (!FLAVOURS.includes(value as Flavour)) {
    throw new DomainError("invalid_flavour", `${field} must be one of ${FLAVOURS.join(", ")}`, field);
  }
  return value as Flavour;
}

export function validateRole(value: unknown, field = "role"): UserRole {
  if (!USER_ROLES.includes(value as UserRole)) {
    throw new DomainError("invalid_role", `${field} must be one of ${USER_ROLES.join(", ")}`, field);
  }
  return value as UserRole;
}

/** Sent as an HTTP header: 8–128 visible ASCII characters (the stored form; see validateChosenApiKey). */
export function validateApiKey(value: unknown, field = "apiKey"): string {
  const s = text(value, field, "api_key");
  if (!/^[\x21-\x7e]{8,128}$/.test(s)) {
    throw new DomainError("invalid_api_key", `${field} must be 8–128 visible ASCII characters`, field);
  }
  return s;
}

/** As long as a generated key (generateApiKey: 24 random bytes, 32 base64url characters). */
export const API_KEY_MIN_LENGTH = 32;
/**
 * Shannon estimate (character frequencies × length) a chosen key must reach. Random keys
 * pass: generated ones score about 146 (the lowest of 4 million drawn: 119), 32 hex digits
 * (`openssl rand -hex 16`, 128 bits) about 121 (lowest: 86).
 */
const API_KEY_MIN_BITS = 80;
/** Refused: this many characters in a row that repeat or count ("00000000", "abcdefgh", "87654321"), */
const API_KEY_MAX_RUN = 8;
/** …and any sequence this long that appears twice ("acme-key-0001-acme-key-0001"). */
const API_KEY_REPEAT = 8;

/**
 * An API key an admin chose over REST: a valid key, and about as hard to guess as a generated
 * one — at least 32 characters, no long run or repeated sequence, ≥ 80 bits by estimate.
 * The message never repeats the key.
 */
export function validateChosenApiKey(value: unknown, field = "apiKey"): string {
  const s = validateApiKey(value, field);
  const weakness = apiKeyWeakness(s, field);
  if (weakness) throw new DomainError("invalid_api_key", weakness, field);
  return s;
}

/** Why a key is easier to guess than a generated one, or undefined when it is not. */
export function apiKeyWeakness(s: string, field = "apiKey"): string | undefined {
  if (s.length < API_KEY_MIN_LENGTH) {
    return `${field} must be at least ${API_KEY_MIN_LENGTH} characters, as long as a generated key (leave it out to get one)`;
  }
  if (estimatedBits(s) < API_KEY_MIN_BITS || longestRun(s) >= API_KEY_MAX_RUN || repeats(s)) {
    return `${field} is too easy to guess (repeated or sequential characters): use ${API_KEY_MIN_LENGTH} or more random characters, or leave it out to get one`;
  }
  return undefined;
}

function estimatedBits(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / s.length) * Math.log2(n / s.length);
  return perChar * s.length;
}

/** The longest run of characters each equal to, or one above (below) the previous, in one direction. */
function longestRun(s: string): number {
  let longest = 1;
  let run = 1;
  let step = 0;
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    if (Math.abs(d) > 1) run = 1;
    else run = run > 1 && d === step ? run + 1 : 2;
    step = d;
    longest = Math.max(longest, run);
  }
  return longest;
}

function repeats(s: string): boolean {
  const seen = new Set<string>();
  for (let i = 0; i + API_KEY_REPEAT <= s.length; i++) {
    const part = s.slice(i, i + API_KEY_REPEAT);
    if (seen.has(part)) return true;
    seen.add(part);
  }
  return false;
}

/** PBX-supplied system identifier; it appears in URL paths, so no "/" or spaces. */
export function validateSystemId(value: unknown, field = "systemId"): string {
  const s = text(value, field, "system_id");
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,99}$/.test(s)) {
    throw new DomainError(
      "invalid_system_id",
      `${field} must be 1–100 characters of letters, digits and . _ : @ + -, got "${s}"`,
      field,
    );
  }
  return s;
}

export function validateSimultaneousCalls(value: unknown, field = "simultaneousCalls"): number {
  // 0 is what OSBiz shows as "no Unify Phone trunk lines configured": every call gets 503 (0/0).
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new DomainError("invalid_simultaneous_calls", `${field} must be an integer from 0 to 1000`, field);
  }
  return value;
}

export function validateTrunkUsername(value: unknown, field = "username"): string {
  const s = text(value, field, "trunk_username");
  if (!/^[1-9][0-9]{9}$/.test(s)) {
    throw new DomainError(
      "invalid_trunk_username",
      `${field} must be 10 digits not starting with 0, got "${s}"`,
      field,
    );
  }
  return s;
}

export function validateTrunkPassword(value: unknown, field = "password"): string {
  const s = text(value, field, "trunk_password");
  if (s.length === 0 || s.length > 128 || CONTROL.test(s)) {
    throw new DomainError(
      "invalid_trunk_password",
      `${field} must be 1–128 characters without control characters`,
      field,
    );
  }
  return s;
}

export const CLIENT_PASSWORD_MIN_LENGTH = 8;
export const CLIENT_PASSWORD_MAX_LENGTH = 128;

/** A Unify Phone client's digest password: 8–128 code points (as JSON Schema counts), no control characters; kept as is. */
export function validateClientPassword(value: unknown, field = "clientPassword"): string {
  const s = text(value, field, "client_password");
  const length = [...s].length;
  if (
    length < CLIENT_PASSWORD_MIN_LENGTH ||
    length > CLIENT_PASSWORD_MAX_LENGTH ||
    /[\u0000-\u001f\u007f]/.test(s)
  ) {
    throw new DomainError(
      "invalid_client_password",
      `${field} must be ${CLIENT_PASSWORD_MIN_LENGTH}–${CLIENT_PASSWORD_MAX_LENGTH} characters without control characters`,
      field,
    );
  }
  return s;
}
