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
 * `count` ids of the `newId` format from one `randomBytes` call and one string (a bulk
 * insert would otherwise spend much of its time asking the CSPRNG for 10 bytes at a time).
 * Like `newId`'s, they are unique only with overwhelming probability: inserts that rely on
 * them must draw again on a primary-key clash.
 */
export function newIds(prefix: IdPrefix, count: number): string[] {
  const head = `${prefix}_`;
  const width = head.length + ID_CHARS;
  const bytes = randomBytes(count * width);
  for (let i = 0; i < bytes.length; i++) {
    const at = i % width;
    bytes[i] = at < head.length ? head.charCodeAt(at) : BASE32[bytes[i]! & 31]!;
  }
  const text = bytes.toString("latin1");
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) ids[i] = text.slice(i * width, (i + 1) * width);
  return ids;
}

/** The tenant's "Unify Phone client ID" (the JWT creation portal asks for it). */
export function newClientId(): string {
  return randomUUID();
}

/** A tenant API key: 32 URL-safe characters (192 bits). */
export function generateApiKey(): string {
  return randomBytes(24).toString("base64url");
}
