import { randomBytes } from "node:crypto";

/**
 * Random bytes from a 4 KB pool refilled at once: `randomBytes(n)` costs 10–15 µs per call
 * here (OpenSSL 3), which at tens of thousands of SIP messages per second is the largest
 * single cost of building a response. The bytes are as unpredictable as randomBytes'.
 */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

/** Where the next `size` (≤ POOL_SIZE) unused bytes start in `pool`, refilled when too few are left. */
function take(size: number): number {
  if (offset + size > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  offset += size;
  return offset - size;
}

export function pooledRandom(size: number): Buffer {
  if (size > POOL_SIZE) return randomBytes(size);
  const at = take(size);
  return Buffer.from(pool.subarray(at, at + size));
}

/** `size` pooled random bytes as hex, read straight from the pool (no Buffer per call). */
function pooledHex(size: number): string {
  const at = take(size);
  return pool.toString("hex", at, at + size);
}

/** Characters of a tag `newTag` makes. */
export const TAG_LENGTH = 12;
const HEX_DIGITS = Buffer.from("0123456789abcdef");

/** A To/From tag (RFC 3261 §19.3): needs uniqueness, not secrecy. */
export function newTag(): string {
  return pooledHex(TAG_LENGTH / 2);
}

/** A Call-ID value unique across the emulator's lifetime. */
export function newCallId(): string {
  return pooledHex(12);
}

/** A tag as `newTag` makes it, written at `out[at…]` (TAG_LENGTH bytes) without a string. */
export function writeTag(out: Buffer, at: number): void {
  const from = take(TAG_LENGTH / 2);
  for (let i = 0; i < TAG_LENGTH / 2; i++) {
    const byte = pool[from + i]!;
    out[at + 2 * i] = HEX_DIGITS[byte >> 4]!;
    out[at + 2 * i + 1] = HEX_DIGITS[byte & 15]!;
  }
}
