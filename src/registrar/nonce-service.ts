import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../shared/clock.js";
import { pooledRandom } from "../shared/ids.js";

export type NonceCheck = "ok" | "stale" | "invalid" | "replay";

/** Remembered (nonce → highest nc) pairs; beyond this the oldest are forgotten. */
const MAX_TRACKED = 200_000;

/**
 * Digest nonces that need no server state to issue: time + random, signed with a
 * per-process HMAC key, so a flood of unauthenticated REGISTERs costs no memory.
 * State appears only once a nonce is used, to refuse a replayed nonce-count
 * (RFC 7616 §3.4.5). A nonce older than its TTL is `stale` (RFC 7616 §3.3).
 */
export class NonceService {
  private readonly key = randomBytes(32);
  private readonly lastNc = new Map<string, { nc: number; issuedAt: number }>();
  /** Nonces issued at or before this time may have been forgotten: refuse them as stale. */
  private forgottenBefore = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  issue(): string {
    const body = Buffer.alloc(14);
    body.writeUIntBE(Math.max(0, Math.floor(this.clock.now())), 0, 6);
    pooledRandom(8).copy(body, 6);
    return Buffer.concat([body, this.sign(body)]).toString("base64url");
  }

  /**
   * Check a nonce and its nonce-count (hex string as sent). Every use needs an nc above the
   * last one: qop-less digest (RFC 2069, no nc) is refused by the verifier, as its response
   * could be replayed from anywhere within the nonce's lifetime.
   */
  check(nonce: string, ncHex: string): NonceCheck {
    // A remembered nonce passed the signature check when it was first used: a refresh
    // (same nonce, nc+1) skips the HMAC.
    const seen = this.lastNc.get(nonce);
    let issuedAt: number;
    if (seen) issuedAt = seen.issuedAt;
    else {
      const raw = Buffer.from(nonce, "base64url");
      if (raw.length !== 26) return "invalid";
      const body = raw.subarray(0, 14);
      if (!timingSafeEqual(raw.subarray(14), this.sign(body))) return "invalid";
      issuedAt = body.readUIntBE(0, 6);
    }
    const now = this.clock.now();
    if (now - issuedAt > this.ttlMs || issuedAt <= this.forgottenBefore) return "stale";
    const nc = Number.parseInt(ncHex, 16);
    if (!/^[0-9a-fA-F]{8}$/.test(ncHex) || nc === 0) return "invalid";
    if (seen && nc <= seen.nc) return "replay";
    if (seen) seen.nc = nc;
    else this.remember(nonce, nc, issuedAt, now);
    return "ok";
  }

  get tracked(): number {
    return this.lastNc.size;
  }

  private remember(nonce: string, nc: number, issuedAt: number, now: number): void {
    this.lastNc.set(nonce, { nc, issuedAt });
    // Insertion order is first-use order, close to issue order: expired entries sit at the
    // front. Drop those, and the oldest live ones too while over the cap.
    for (const [n, v] of this.lastNc) {
      const expired = now - v.issuedAt > this.ttlMs;
      if (!expired && this.lastNc.size <= MAX_TRACKED) break;
      this.lastNc.delete(n);
      if (!expired) this.forgottenBefore = Math.max(this.forgottenBefore, v.issuedAt);
    }
  }

  private sign(body: Buffer): Buffer {
    return createHmac("sha256", this.key).update(body).digest().subarray(0, 12);
  }
}
