import { randomBytes, randomFillSync, timingSafeEqual } from "node:crypto";
import type { Clock } from "../shared/clock.js";
import { hexDigitValue } from "../shared/hex-digit.js";
import { HmacSha256 } from "./hmac-sha256.js";

export type NonceCheck = "ok" | "stale" | "invalid" | "replay";

/** Remembered (nonce → highest nc) pairs; beyond this the oldest are forgotten. */
const MAX_TRACKED = 200_000;
/** A nonce is 6 bytes of time, 8 random, 12 of HMAC-SHA256: 26 bytes, 35 base64url characters. */
const BODY_BYTES = 14;
const SIGNATURE_BYTES = 12;
const NONCE_BYTES = BODY_BYTES + SIGNATURE_BYTES;
const RANDOM_BYTES = 8;
/** Random bytes drawn from the CSPRNG at a time for nonce bodies. */
const RANDOM_POOL = 4096;
/**
 * Nonces issued last whose first use skips the signature check (they are ours: the time
 * is known). Far more than the challenges outstanding at once; a flood of unauthenticated
 * REGISTERs only pushes them out, and their first use then checks the signature as before.
 */
const RECENT_ISSUED = 4096;

/**
 * Digest nonces that need no server state to issue: time + random, signed with a
 * per-process HMAC key, so a flood of unauthenticated REGISTERs costs no memory.
 * State appears only once a nonce is used, to refuse a replayed nonce-count
 * (RFC 7616 §3.4.5). A nonce older than its TTL is `stale` (RFC 7616 §3.3).
 */
export class NonceService {
  private readonly mac = new HmacSha256(randomBytes(32), BODY_BYTES);
  private readonly lastNc = new Map<string, { nc: number; issuedAt: number }>();
  /** Nonces issued at or before this time may have been forgotten: refuse them as stale. */
  private forgottenBefore = Number.NEGATIVE_INFINITY;
  /**
   * The keys of `lastNc` in first-use order from `orderHead` on: the oldest is forgotten first.
   * A Map alone would be iterated from its front on every insert, and V8 walks every deleted
   * slot there first — once the cap is reached each first use would cost a scan of the holes.
   */
  private order: string[] = [];
  private orderHead = 0;
  // Scratch buffers, reused by every call (the service runs on one thread and never yields mid-call).
  private readonly issued = Buffer.alloc(NONCE_BYTES);
  private readonly issuedBody = this.issued.subarray(0, BODY_BYTES);
  /** One spare byte: a value that decodes longer than a nonce shows as NONCE_BYTES + 1. */
  private readonly received = Buffer.alloc(NONCE_BYTES + 1);
  private readonly receivedBody = this.received.subarray(0, BODY_BYTES);
  private readonly receivedSignature = this.received.subarray(BODY_BYTES, NONCE_BYTES);
  private readonly expectedSignature = Buffer.alloc(SIGNATURE_BYTES);
  private readonly random = Buffer.alloc(RANDOM_POOL);
  private randomOffset = RANDOM_POOL;
  /** The last RECENT_ISSUED nonces → issue time, oldest overwritten first in `recentRing`. */
  private readonly recent = new Map<string, number>();
  private readonly recentRing: (string | undefined)[] = new Array(RECENT_ISSUED).fill(undefined);
  private recentNext = 0;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
    /** Used nonces remembered at most (tests lower it). */
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  issue(): string {
    const nonce = this.issued;
    const issuedAt = Math.max(0, Math.floor(this.clock.now()));
    nonce.writeUIntBE(issuedAt, 0, 6);
    if (this.randomOffset + RANDOM_BYTES > RANDOM_POOL) {
      randomFillSync(this.random);
      this.randomOffset = 0;
    }
    this.random.copy(nonce, 6, this.randomOffset, this.randomOffset + RANDOM_BYTES);
    this.randomOffset += RANDOM_BYTES;
    this.mac.sign(this.issuedBody, nonce, BODY_BYTES, SIGNATURE_BYTES);
    const text = nonce.toString("base64url");
    const oldest = this.recentRing[this.recentNext];
    if (oldest !== undefined) this.recent.delete(oldest);
    this.recentRing[this.recentNext] = text;
    this.recentNext = (this.recentNext + 1) % RECENT_ISSUED;
    this.recent.set(text, issuedAt);
    return text;
  }

  /**
   * Check a nonce and its nonce-count (hex string as sent). Every use needs an nc above the
   * last one: qop-less digest (RFC 2069, no nc) is refused by the verifier, as its response
   * could be replayed from anywhere within the nonce's lifetime.
   */
  check(nonce: string, ncHex: string): NonceCheck {
    return this.checkCount(nonce, parseNonceCount(ncHex));
  }

  /** `check` with the nonce count as a number (-1 for one that is not 8 hex digits). */
  checkCount(nonce: string, nc: number): NonceCheck {
    // A remembered nonce passed the signature check when it was first used: a refresh
    // (same nonce, nc+1) skips the HMAC, as does the first use of one issued lately.
    const seen = this.lastNc.get(nonce);
    let issuedAt: number;
    if (seen) issuedAt = seen.issuedAt;
    else {
      issuedAt = this.recent.get(nonce) ?? this.signedTime(nonce);
      if (issuedAt < 0) return "invalid";
    }
    const now = this.clock.now();
    if (now - issuedAt > this.ttlMs || issuedAt <= this.forgottenBefore) return "stale";
    if (nc <= 0) return "invalid";
    if (seen && nc <= seen.nc) return "replay";
    if (seen) seen.nc = nc;
    else this.remember(nonce, nc, issuedAt, now);
    return "ok";
  }

  get tracked(): number {
    return this.lastNc.size;
  }

  /** The issue time a nonce of ours carries, or -1 when it is not one (wrong size or signature). */
  private signedTime(nonce: string): number {
    // Decoded as Buffer.from(nonce, "base64url") would (lenient about padding and stray characters).
    if (this.received.write(nonce, "base64url") !== NONCE_BYTES) return -1;
    this.mac.sign(this.receivedBody, this.expectedSignature, 0, SIGNATURE_BYTES);
    if (!timingSafeEqual(this.receivedSignature, this.expectedSignature)) return -1;
    return this.received.readUIntBE(0, 6);
  }

  private remember(nonce: string, nc: number, issuedAt: number, now: number): void {
    this.lastNc.set(nonce, { nc, issuedAt });
    this.order.push(nonce);
    // First-use order is close to issue order: expired entries sit at the front. Drop those,
    // and the oldest live ones too while over the cap.
    while (this.orderHead < this.order.length) {
      const oldest = this.order[this.orderHead]!;
      const v = this.lastNc.get(oldest)!;
      const expired = now - v.issuedAt > this.ttlMs;
      if (!expired && this.lastNc.size <= this.maxTracked) break;
      this.lastNc.delete(oldest);
      this.orderHead++;
      if (!expired) this.forgottenBefore = Math.max(this.forgottenBefore, v.issuedAt);
    }
    // Forgotten keys are cut off once they are half the array (amortised O(1) per nonce).
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order = this.order.slice(this.orderHead);
      this.orderHead = 0;
    }
  }
}

/** An nc of exactly 8 hex digits (RFC 7616 §3.4), in `text[start, end)` (a string or bytes), or -1. */
export function parseNonceCount(text: string | Uint8Array, start = 0, end = text.length): number {
  if (end - start !== 8) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = hexDigitValue(typeof text === "string" ? text.charCodeAt(i) : text[i]!);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}
