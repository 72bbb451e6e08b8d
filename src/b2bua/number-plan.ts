import type { Numbering, User } from "../domain/index.js";

/** The forms one dialed number may take, most specific first. */
export function numberCandidates(dialed: string): string[] {
  const digits = dialed.replace(/[\s().-]/g, "");
  const out = new Set<string>();
  if (digits.startsWith("+")) out.add(digits);
  else if (digits.startsWith("00")) out.add(`+${digits.slice(2)}`);
  out.add(digits);
  if (/^\d{7,15}$/.test(digits) && !digits.startsWith("0")) out.add(`+${digits}`);
  return [...out];
}

/** Find the tenant's user a PBX dialed, trying each form of the number. */
export function findUserByNumber(
  dialed: string,
  lookup: (phoneNumber: string) => User | undefined,
): User | undefined {
  for (const candidate of numberCandidates(dialed)) {
    const user = lookup(candidate);
    if (user) return user;
  }
  return undefined;
}

/**
 * Why a dialed number found nobody, in the words of the vendor FAQ ("the number does
 * not match the Unify Phone numbering plan").
 */
export function numberingMismatch(dialed: string, numbering: Numbering | undefined): string {
  const schema = numbering?.schema ?? "international";
  const looksE164 = /^(\+|00)/.test(dialed.trim());
  if (schema === "international" && !looksE164) {
    return `${dialed} does not match the Unify Phone numbering plan (international E.164, e.g. +${numbering?.countryCode ?? "49"}…)`;
  }
  if (schema === "internal" && looksE164) {
    return `${dialed} does not match the Unify Phone numbering plan (internal short numbers)`;
  }
  return `no Unify Phone user has the number ${dialed}`;
}
