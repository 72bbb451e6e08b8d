import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { AuthLockout } from "../auth/index.js";
import type { Tenant, User } from "../domain/index.js";
import { ApiError } from "../errors/index.js";
import { digestHa1 } from "../registrar/index.js";
import { EvictionCursor } from "../shared/eviction-cursor.js";
import type { Store } from "../store/index.js";

/** A session lives this long after its last use; the page signs in again with the password it holds. */
export const CLIENT_SESSION_IDLE_MS = 3_600_000;
/** Live sessions kept at most; beyond this the least recently used are ended. */
const MAX_SESSIONS = 10_000;
/** The lockout's target for client sign-ins: one per user asked for, so guessing one user locks that user. */
const LOCKOUT_TARGET = "client";
/** Compared against when no user matched, so a miss costs what a wrong password costs. */
const NO_HA1 = "0".repeat(64);

export interface ClientSignIn {
  /** Tenant name or id. */
  readonly tenant: string;
  /** User id, e-mail address, phone number or callno (unique in the tenant). */
  readonly user: string;
  readonly password: string;
}

export interface ClientSession {
  readonly tenantId: string;
  readonly userId: string;
  /** The client credential this session was opened with: a new or deleted password ends it. */
  readonly credentialSetAt: number;
  expiresAt: number;
}

export interface ClientSessionOptions {
  /** The SIP domain: the digest realm the stored HA1s are computed for. */
  readonly realm: string;
  readonly clock: { now(): number };
  readonly lockout: AuthLockout;
}

/**
 * Sign-in of the browser phone (`/phone`) with a user's client password, and the short-lived
 * bearer sessions its REST calls carry. The password is checked against the stored SHA-256
 * digest HA1 in constant time; failures count in the REST lockout per source and per user.
 * Tokens are kept only as their SHA-256; a session ends after an hour unused, or when the
 * user's client password is changed or deleted.
 */
export class ClientSessionService {
  private readonly sessions = new Map<string, ClientSession>();
  private readonly evictSession = new EvictionCursor(this.sessions);

  constructor(
    private readonly store: Pick<Store, "tenants" | "users" | "clientCredentials">,
    private readonly options: ClientSessionOptions,
  ) {}

  /** A new session token for the user, or client_sign_in_failed / rate_limited. */
  signIn(source: string, input: ClientSignIn): { token: string; session: ClientSession; user: User } {
    const target = `${LOCKOUT_TARGET}:${input.tenant.toLowerCase()}/${input.user.toLowerCase()}`;
    const locked = this.options.lockout.lockedFor(source, target);
    if (locked > 0) {
      throw new ApiError("rate_limited", "too many failed sign-ins from this address or for this user", {
        retryAfterSeconds: Math.ceil(locked / 1000),
      });
    }
    const user = this.findUser(input.tenant, input.user);
    const credential = user ? this.store.clientCredentials.get(user.id) : undefined;
    const expected = credential?.ha1Sha256 ?? NO_HA1;
    const given = digestHa1("SHA-256", user?.id ?? "", this.options.realm, input.password);
    const matches = hexEqual(expected, given);
    if (!user || !credential || credential.realm !== this.options.realm || !matches) {
      this.options.lockout.fail(source, target);
      throw new ApiError(
        "client_sign_in_failed",
        "no such user in that tenant, no client password set, or a wrong password",
      );
    }
    this.options.lockout.succeed(source, target);
    const token = randomBytes(32).toString("base64url");
    const session: ClientSession = {
      tenantId: user.tenantId,
      userId: user.id,
      credentialSetAt: credential.setAt,
      expiresAt: this.options.clock.now() + CLIENT_SESSION_IDLE_MS,
    };
    this.sessions.set(tokenKey(token), session);
    if (this.sessions.size > MAX_SESSIONS) this.evictSession.evictOldest();
    return { token, session, user };
  }

  /** The live session of a bearer token (its idle time restarts), or client_session_invalid. */
  authenticate(token: string): { session: ClientSession; user: User } {
    const key = tokenKey(token);
    const session = this.sessions.get(key);
    const now = this.options.clock.now();
    const credential = session && this.store.clientCredentials.get(session.userId);
    const user = session && this.store.users.get(session.userId);
    if (
      !session ||
      session.expiresAt <= now ||
      !credential ||
      credential.setAt !== session.credentialSetAt ||
      !user
    ) {
      if (session) this.sessions.delete(key);
      throw new ApiError(
        "client_session_invalid",
        "the session has expired or ended (password changed or deleted): sign in again",
      );
    }
    session.expiresAt = now + CLIENT_SESSION_IDLE_MS;
    // Most recently used last, so the size bound ends the idlest first.
    this.sessions.delete(key);
    this.sessions.set(key, session);
    return { session, user };
  }

  /** Ends the session of this token (sign-out); unknown tokens are ignored. */
  signOut(token: string): void {
    this.sessions.delete(tokenKey(token));
  }

  private findUser(tenantKey: string, userKey: string): User | undefined {
    const tenant: Tenant | undefined =
      this.store.tenants.get(tenantKey) ??
      this.store.tenants.list().find((t) => t.name.toLowerCase() === tenantKey.toLowerCase());
    if (!tenant || userKey === "") return undefined;
    const byId = this.store.users.get(userKey);
    if (byId) return byId.tenantId === tenant.id ? byId : undefined;
    if (userKey.includes("@")) return this.store.users.getByEmail(tenant.id, userKey);
    const byNumber = this.store.users.getByPhoneNumber(tenant.id, userKey);
    if (byNumber) return byNumber;
    const byCallno = this.store.users.listByTenant(tenant.id).filter((u) => u.callno === userKey);
    // A callno may repeat across a tenant's PBX systems: then the user must sign in by e-mail.
    return byCallno.length === 1 ? byCallno[0] : undefined;
  }
}

function tokenKey(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function hexEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
