import { randomUUID } from "node:crypto";

/** RFC 3261 §8.1.1.7: branches of RFC 3261 requests start with this magic cookie. */
export const MAGIC_COOKIE = "z9hG4bK";

/** A fresh, crypto-random Via branch carrying the magic cookie. */
export function newBranch(): string {
  return `${MAGIC_COOKIE}${randomUUID().replaceAll("-", "")}`;
}

/**
 * True when the branch can identify a transaction: it carries the magic cookie and
 * something after it (a bare "z9hG4bK" is unusable: RFC 4475 "badbranch").
 */
export function isRfc3261Branch(branch: string | undefined): branch is string {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}

const COOKIE_BYTES = Buffer.from(MAGIC_COOKIE);

/** `isRfc3261Branch` of a branch read as `bytes[start, end)` (the refresh shortcut's, unparsed). */
export function isRfc3261BranchAt(bytes: Buffer, start: number, end: number): boolean {
  const cookie = COOKIE_BYTES.length;
  return end - start > cookie && bytes.compare(COOKIE_BYTES, 0, cookie, start, start + cookie) === 0;
}
