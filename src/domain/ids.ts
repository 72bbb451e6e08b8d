import { randomBytes, randomUUID } from "node:crypto";

const BASE32 = Buffer.from("abcdefghijklmnopqrstuvwxyz234567", "latin1");
/** Random characters per id: 10 × 5 bits = 50 bits. */
const ID_CHARS = 10;

type IdPrefix = "tn" | "sy" | "tk" | "us";

/** Entity id: prefix + 10 random base32 characters (50 bits), e.g. "tn_k3v9q2m7xa". */
export function newId(prefix: IdPrefix): string {
  return newIds(prefix, 1)[0]!;
}

/**
 * `count` distinct ids of the `newId` format from one `randomBytes` call (a bulk insert
 * would otherwise spend most of its time asking the CSPRNG for 10 bytes at a time).
 */
export function newIds(prefix: IdPrefix, count: number): string[] {
  const ids = new Set<string>();
  while (ids.size < count) {
    const missing = count - ids.size;
    const chars = randomBytes(missing * ID_CHARS);
    for (let i = 0; i < chars.length; i++) chars[i] = BASE32[chars[i]! & 31]!;
    for (let at = 0; at < chars.length; at += ID_CHARS) {
      ids.add(`${prefix}_${chars.toString("latin1", at, at + ID_CHARS)}`);
    }
  }
  return [...ids];
}

/** The tenant's "Unify Phone client ID" (the JWT creation portal asks for it). */
export function newClientId(): string {
  return randomUUID();
}

/** A tenant API key: 32 URL-safe characters (192 bits). */
export function generateApiKey(): string {
  return randomBytes(24).toString("base64url");
}
