import { timingSafeEqual } from "node:crypto";
import { hexDigitValue } from "../shared/hex-digit.js";
import { type DigestCredentials, readDigestCredentials, type SipRequest } from "../sip/message/index.js";
import {
  type CountedResponse,
  countedResponseHash,
  credentialAlgorithm,
  type DigestAlgorithm,
  digestHa1,
  formatChallenge,
  HashScratch,
  qopAuthResponse,
} from "./digest.js";
import { type NonceService, parseNonceCount } from "./nonce-service.js";

/** Bytes of a response per algorithm (its hex is twice as long). */
const RESPONSE_BYTES: Readonly<Record<DigestAlgorithm, number>> = { MD5: 16, "SHA-256": 32 };

// The outcomes of every REGISTER, made once (outcomes are never mutated).
const OK: DigestOutcome = { kind: "ok" };
const NO_CREDENTIALS: DigestOutcome = {
  kind: "challenge",
  stale: false,
  why: "no credentials for our realm",
};
const WRONG_PASSWORD: DigestOutcome = { kind: "wrong", why: "wrong password" };

/** Longest text hashed for a counted response (H(A1), nonce, nc, cnonce, H(A2)): a longer one is verified the usual way. */
const MAX_COUNTED_INPUT = 512;

export type DigestOutcome =
  | { readonly kind: "ok" }
  /** No usable credentials, or stale/replayed: send a (fresh) challenge. */
  | { readonly kind: "challenge"; readonly stale: boolean; readonly why: string }
  /** Credentials are well formed but wrong. */
  | { readonly kind: "wrong"; readonly why: string }
  | { readonly kind: "bad-request"; readonly why: string };

/**
 * Server side of HTTP digest for SIP (RFC 3261 §22, RFC 7616, RFC 8760): checks the
 * `Authorization` a request carries against one user's password.
 */
export class DigestVerifier {
  /** Scratch for the timing-safe comparison of responses, decoded from hex (no allocation per request). */
  private readonly givenBytes = { MD5: Buffer.alloc(16), "SHA-256": Buffer.alloc(32) };
  private readonly wantBytes = { MD5: Buffer.alloc(16), "SHA-256": Buffer.alloc(32) };
  /** Scratch for the text a counted response hashes (see countedResponseHash). */
  private readonly countedInput = new HashScratch(MAX_COUNTED_INPUT);

  constructor(
    private readonly realm: string,
    private readonly nonces: NonceService,
    /** Offered in this order (RFC 8760 §2.4: the client takes the topmost it supports). */
    private readonly algorithms: readonly DigestAlgorithm[],
  ) {}

  /** `WWW-Authenticate` values for a 401, one per offered algorithm. */
  challenges(stale: boolean): string[] {
    const nonce = this.nonces.issue();
    return this.algorithms.map((algorithm) =>
      formatChallenge({ realm: this.realm, nonce, algorithm, stale }),
    );
  }

  /**
   * `cache` holds the H(A1)s of this user and password, filled on first use: the caller keeps
   * one per account object, which lives as long as the password it was made for.
   */
  verify(
    request: SipRequest,
    username: string,
    password: string,
    cache: Partial<Record<DigestAlgorithm, string>>,
  ): DigestOutcome {
    return this.check(request, username, (algorithm) => {
      cache[algorithm] ??= digestHa1(algorithm, username, this.realm, password);
      return cache[algorithm];
    });
  }

  /**
   * Like `verify`, for a user whose password is not known, only H(A1) per algorithm
   * (`digestHa1` with this verifier's realm). An algorithm without an HA1 is re-challenged.
   */
  verifyHa1(
    request: SipRequest,
    username: string,
    ha1s: Readonly<Partial<Record<DigestAlgorithm, string>>>,
  ): DigestOutcome {
    return this.check(request, username, (algorithm) => ha1s[algorithm]);
  }

  /**
   * For credentials `p` that `verify` accepted before, now with the nonce, nonce count, cnonce
   * and response `counted` in the request `bytes` (the refresh shortcut): true when the
   * response is right and the nonce valid with a new count, which is then used up. False
   * changes nothing, so `verify` can still be asked and answers as it would have.
   */
  confirm(
    p: DigestCredentials,
    bytes: Buffer,
    counted: CountedResponse,
    method: string,
    username: string,
    password: string,
    cache: Partial<Record<DigestAlgorithm, string>>,
  ): boolean {
    const algorithm = credentialAlgorithm(p.algorithm);
    if (!algorithm) return false;
    cache[algorithm] ??= digestHa1(algorithm, username, this.realm, password);
    return this.confirmWith(p, bytes, counted, method, algorithm, cache[algorithm]);
  }

  /** `confirm` for a user known only by H(A1) per algorithm (see verifyHa1). */
  confirmHa1(
    p: DigestCredentials,
    bytes: Buffer,
    counted: CountedResponse,
    method: string,
    ha1s: Readonly<Partial<Record<DigestAlgorithm, string>>>,
  ): boolean {
    const algorithm = credentialAlgorithm(p.algorithm);
    return algorithm !== undefined && this.confirmWith(p, bytes, counted, method, algorithm, ha1s[algorithm]);
  }

  private confirmWith(
    p: DigestCredentials,
    bytes: Buffer,
    counted: CountedResponse,
    method: string,
    algorithm: DigestAlgorithm,
    ha1: string | undefined,
  ): boolean {
    if (ha1 === undefined || !this.algorithms.includes(algorithm)) return false;
    const { nonce, cnonceStart, cnonceEnd, responseStart, responseEnd } = counted;
    if (!nonce || !p.uri || cnonceStart >= cnonceEnd) return false;
    // The response first: the nonce count is used up only by a request that is answered 200.
    const expected = countedResponseHash(algorithm, ha1, method, p.uri, bytes, counted, this.countedInput);
    if (expected === undefined || !this.sameHex(algorithm, bytes, responseStart, responseEnd, expected))
      return false;
    const nc = parseNonceCount(bytes, counted.ncStart, counted.ncEnd);
    return this.nonces.checkCount(nonce, nc) === "ok";
  }

  private check(
    request: SipRequest,
    username: string,
    ha1For: (algorithm: DigestAlgorithm) => string | undefined,
  ): DigestOutcome {
    const credentials = this.findCredentials(request);
    if (!credentials) return NO_CREDENTIALS;
    const p = credentials;
    if (p.username !== username) return { kind: "wrong", why: "username does not match the registered user" };
    const algorithm = credentialAlgorithm(p.algorithm);
    const ha1 = algorithm && this.algorithms.includes(algorithm) ? ha1For(algorithm) : undefined;
    if (!algorithm || ha1 === undefined) {
      return { kind: "challenge", stale: false, why: `algorithm ${p.algorithm} not offered` };
    }
    if (!p.nonce || !p.uri || !p.response)
      return { kind: "bad-request", why: "digest credentials lack nonce, uri or response" };
    if (p.uri !== request.uri)
      return { kind: "bad-request", why: "digest uri does not match the Request-URI" };
    // qop=auth is offered and required (RFC 7616 deprecates qop-less digest): without a
    // nonce-count a captured response could be replayed from another address.
    if (p.qop === undefined)
      return { kind: "bad-request", why: "digest credentials without qop=auth are not accepted" };
    if (p.qop !== "auth" && p.qop.toLowerCase() !== "auth")
      return { kind: "challenge", stale: false, why: `unsupported qop ${p.qop}` };
    if (!p.nc || !p.cnonce) return { kind: "bad-request", why: "qop=auth requires nc and cnonce" };
    switch (this.nonces.check(p.nonce, p.nc)) {
      case "invalid":
        return { kind: "challenge", stale: false, why: "unknown nonce" };
      case "stale":
        return { kind: "challenge", stale: true, why: "nonce expired" };
      case "replay":
        return { kind: "challenge", stale: false, why: "nonce count replayed" };
      case "ok":
        break;
    }
    const expected = qopAuthResponse(algorithm, ha1, request.method, p.uri, p.nonce, p.nc, p.cnonce);
    return this.sameHex(algorithm, p.response, 0, p.response.length, expected) ? OK : WRONG_PASSWORD;
  }

  /**
   * Timing-safe, case-insensitive comparison of the response a client sent, `given[start, end)`
   * (its text, or the request's bytes for the refresh shortcut), with the expected lowercase
   * hex: both decoded into scratch buffers, so one that is not hex of the right length
   * differs, as it did when compared as text.
   */
  private sameHex(
    algorithm: DigestAlgorithm,
    given: string | Uint8Array,
    start: number,
    end: number,
    expected: string,
  ): boolean {
    const size = RESPONSE_BYTES[algorithm];
    if (end - start !== expected.length || expected.length !== 2 * size) return false;
    const givenBytes = this.givenBytes[algorithm];
    const wantBytes = this.wantBytes[algorithm];
    wantBytes.write(expected, "hex");
    for (let i = 0; i < size; i++) {
      const at = start + 2 * i;
      const high = hexDigitValue(typeof given === "string" ? given.charCodeAt(at) : given[at]!);
      const low = hexDigitValue(typeof given === "string" ? given.charCodeAt(at + 1) : given[at + 1]!);
      if (high < 0 || low < 0) return false;
      givenBytes[i] = high * 16 + low;
    }
    return timingSafeEqual(givenBytes, wantBytes);
  }

  /**
   * The Digest credentials meant for our realm (a request may carry several, RFC 3261 §22.3);
   * a malformed value is skipped like one for another realm.
   */
  private findCredentials(request: SipRequest): DigestCredentials | undefined {
    for (const value of request.headers.getAll("authorization")) {
      const credentials = readDigestCredentials(value);
      if (credentials?.realm === this.realm) return credentials;
    }
    return undefined;
  }
}
