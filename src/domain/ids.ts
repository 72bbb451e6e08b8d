import { randomBytes, randomUUID } from "node:crypto";

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** Entity id: prefix + 10 random base32 characters (50 bits), e.g. "tn_k3v9q2m7xa". */
export function newId(prefix: "tn" | "sy" | "tk" | "us"): string {
  const bytes = randomBytes(10);
  let out = `${prefix}_`;
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

/** The tenant's "Unify Phone client ID" (the JWT creation portal asks for it). */
export function newClientId(): string {
  return randomUUID();
}

/** A tenant API key: 32 URL-safe characters (192 bits). */
export function generateApiKey(): string {
  return randomBytes(24).toString("base64url");
}
