import { createHash, timingSafeEqual } from "node:crypto";

/** SHA-256 of a high-entropy secret (tokens, API keys): enough, as nothing is guessable. */
export function secretDigest(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** Constant-time equality of two secrets, whatever their lengths. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(secretDigest(a), secretDigest(b));
}
