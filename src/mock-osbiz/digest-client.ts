import { randomBytes } from "node:crypto";
import { credentialAlgorithm, type DigestAlgorithm, digestResponse } from "../registrar/index.js";
import { parseAuthParams, type SipResponse } from "../sip/message/index.js";

interface Challenge {
  readonly header: "authorization" | "proxy-authorization";
  readonly algorithm: DigestAlgorithm;
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  readonly qopAuth: boolean;
}

/** Strongest first (RFC 8760 §2.4: a UAC uses the topmost algorithm it supports; we prefer SHA-256). */
const PREFERENCE: readonly DigestAlgorithm[] = ["SHA-256", "MD5"];

/**
 * The client side of SIP digest (RFC 3261 §22, RFC 7616, RFC 8760): learns the challenge
 * of a 401/407, then authorizes requests with it — counting nc up on the same nonce, so a
 * refresh needs no new round trip until the registrar says the nonce is stale.
 */
export class DigestClient {
  private challenge: Challenge | undefined;
  private nonceCount = 0;
  /** A realm configured on the PBX, answered instead of the challenge's (Expert Mode drift). */
  private realmOverride: string | undefined;

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** The algorithm of the current challenge, once one was accepted. */
  get algorithm(): DigestAlgorithm | undefined {
    return this.challenge?.algorithm;
  }

  /** Take the best Digest challenge of a 401/407; false when it offers none we can answer. */
  accept(response: SipResponse): boolean {
    const header = response.status === 407 ? "proxy-authenticate" : "www-authenticate";
    let best: Challenge | undefined;
    for (const value of response.headers.getAll(header)) {
      let parsed: ReturnType<typeof parseAuthParams>;
      try {
        parsed = parseAuthParams(value);
      } catch {
        continue;
      }
      const { scheme, params } = parsed;
      const algorithm = credentialAlgorithm(params.algorithm);
      if (scheme.toLowerCase() !== "digest" || !algorithm || !params.realm || !params.nonce) continue;
      if (best && PREFERENCE.indexOf(best.algorithm) <= PREFERENCE.indexOf(algorithm)) continue;
      best = {
        header: response.status === 407 ? "proxy-authorization" : "authorization",
        algorithm,
        realm: params.realm,
        nonce: params.nonce,
        opaque: params.opaque,
        qopAuth: (params.qop ?? "").split(",").some((q) => q.trim().toLowerCase() === "auth"),
      };
    }
    if (!best) return false;
    this.challenge = best;
    this.nonceCount = 0;
    return true;
  }

  /** Answer every challenge for `realm` from now on (undefined: the challenge's own realm). */
  useRealm(realm: string | undefined): void {
    this.realmOverride = realm;
    this.reset();
  }

  /** Forget the challenge (a new connection, or credentials refused). */
  reset(): void {
    this.challenge = undefined;
    this.nonceCount = 0;
  }

  /** The Authorization (or Proxy-Authorization) header for a request, once challenged. */
  authorize(method: string, uri: string): { name: string; value: string } | undefined {
    const c = this.challenge;
    if (!c) return undefined;
    const realm = this.realmOverride ?? c.realm;
    const nc = (++this.nonceCount).toString(16).padStart(8, "0");
    const cnonce = randomBytes(8).toString("hex");
    const response = digestResponse({
      algorithm: c.algorithm,
      username: this.username,
      realm,
      password: this.password,
      method,
      uri,
      nonce: c.nonce,
      ...(c.qopAuth ? { qop: { nc, cnonce } } : {}),
    });
    const parts = [
      `Digest username="${this.username}"`,
      `realm="${realm}"`,
      `nonce="${c.nonce}"`,
      `uri="${uri}"`,
      `response="${response}"`,
      `algorithm=${c.algorithm}`,
      ...(c.opaque === undefined ? [] : [`opaque="${c.opaque}"`]),
      ...(c.qopAuth ? ["qop=auth", `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    ];
    return { name: c.header, value: parts.join(", ") };
  }
}
