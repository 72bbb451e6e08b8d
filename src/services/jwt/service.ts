import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { DomainError, type Tenant, validateLabel } from "../../domain/index.js";
import { ApiError } from "../../errors/index.js";
import type { Clock } from "../../shared/clock.js";
import type { PortalToken, Store, TenantJwt } from "../../store/index.js";
import { outageOf, type ServiceOutage } from "./outage.js";
import { loadOrCreatePortalKey, type PortalKey } from "./portal-key.js";
import { type JwtStatus, jwtStatusAt } from "./status.js";
import { PORTAL_ISSUER, verifyPortalSignature } from "./token-verifier.js";

export interface MintInput {
  readonly clientId: string;
  readonly label: string;
  /** ms since the epoch, cut to whole seconds (JWT `exp`); absent or null: no expiry */
  readonly expiresAt?: number | null;
}

/** A portal token with its signed text, which the portal shows once and does not keep. */
export interface MintedToken extends PortalToken {
  readonly token: string;
}

/** A tenant's JWT status with its consequence: the outage it causes, or warnings while it works. */
export interface TenantJwtView extends JwtStatus {
  readonly outage: ServiceOutage | undefined;
  readonly warnings: readonly string[];
}

/** Latest time a JS Date (and so ISO 8601 output) can hold. */
const MAX_TIME = 8.64e15;

const toIso = (ms: number): string => new Date(ms).toISOString();

/**
 * The emulated JWT creation portal and each tenant's JWT (SPEC §1, §3.2). Every status is
 * computed from the emulator clock when read; nothing is scheduled.
 */
export class JwtService {
  private key: PortalKey | undefined;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {}

  /** Portal: mint and record a token for `clientId` (any client ID, as the real portal). */
  async mint(input: MintInput): Promise<MintedToken> {
    const minted = await this.sign(input);
    const { token: _text, ...record } = minted;
    this.store.portalTokens.create(record);
    return minted;
  }

  /** Signs a portal token without recording it (the seed records its tokens in one transaction). */
  async sign(input: MintInput): Promise<MintedToken> {
    const clientId = validateLabel(input.clientId, "clientId", 128);
    const label = validateLabel(input.label, "label");
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt !== null && (!Number.isFinite(expiresAt) || expiresAt < 0 || expiresAt > MAX_TIME)) {
      throw new DomainError("invalid_time", `expiresAt ${expiresAt} is not a time`, "expiresAt");
    }
    const key = this.portalKey();
    const now = this.clock.now();
    const id = randomUUID();
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: key.kid })
      .setIssuer(PORTAL_ISSUER)
      .setAudience(clientId)
      .setSubject(clientId)
      .setJti(id)
      .setIssuedAt(Math.floor(now / 1000));
    const exp = expiresAt === null ? null : Math.floor(expiresAt / 1000);
    if (exp !== null) jwt.setExpirationTime(exp);
    const token = await jwt.sign(key.privateKey);
    return {
      id,
      token,
      clientId,
      label,
      expiresAt: exp === null ? null : exp * 1000,
      createdAt: now,
      revokedAt: null,
    };
  }

  /** Portal: the minted tokens, newest first, optionally of one client ID. */
  listTokens(clientId?: string): PortalToken[] {
    return this.store.portalTokens.list(clientId);
  }

  /** Portal: revoke a token; a tenant that has set it sees `invalid` from now on. Idempotent. */
  revoke(tokenId: string): PortalToken {
    const token = this.store.portalTokens.revoke(tokenId, this.clock.now());
    if (!token) throw new ApiError("jwt_token_not_found", `the portal has no token ${tokenId}`);
    return token;
  }

  /** PUT …/jwt: verify like the admin app does, then store; a refused token stores nothing. */
  async set(tenantId: string, token: string): Promise<TenantJwtView> {
    const record = await this.verify(this.tenant(tenantId), token);
    // The tenant may have gone while the signature was checked.
    this.tenant(tenantId);
    this.store.tenantJwts.set(record);
    return this.view(tenantId);
  }

  /**
   * Checks `token` for `tenant` without storing it: format and portal signature, not
   * expired, `aud` = the tenant's client ID, known to the portal and not revoked. Throws
   * ApiError jwt_malformed / jwt_signature_invalid / jwt_already_expired / jwt_wrong_client / jwt_revoked.
   */
  async verify(tenant: Tenant, token: string): Promise<TenantJwt> {
    const claims = await verifyPortalSignature(token.trim(), this.portalKey().publicKey, this.clock.now());
    if (!claims.audience.includes(tenant.clientId)) {
      throw new ApiError(
        "jwt_wrong_client",
        `the token was created for client ID ${claims.audience.join(", ")}; tenant ${tenant.name} has client ID ${tenant.clientId}`,
      );
    }
    const minted = this.store.portalTokens.get(claims.jti);
    if (!minted) throw new ApiError("jwt_signature_invalid", "the portal has no record of this token");
    if (minted.revokedAt !== null) {
      throw new ApiError(
        "jwt_revoked",
        `the token "${minted.label}" was revoked at ${toIso(minted.revokedAt)}`,
      );
    }
    return {
      tenantId: tenant.id,
      tokenId: minted.id,
      label: minted.label,
      expiresAt: minted.expiresAt,
      setAt: this.clock.now(),
    };
  }

  /** GET …/jwt: the status, and what it means for the tenant at this instant. */
  view(tenantId: string): TenantJwtView {
    const tenant = this.tenant(tenantId);
    const status = this.statusOf(tenant.id);
    return { ...status, outage: outageOf(tenant, status), warnings: this.warnings(tenant.id) };
  }

  /** The tenant's JWT status at the emulator's now; throws tenant_not_found. */
  status(tenantId: string): JwtStatus {
    return this.statusOf(this.tenant(tenantId).id);
  }

  /** DELETE …/jwt: back to `not_set` (idempotent). */
  clear(tenantId: string): void {
    this.store.tenantJwts.delete(this.tenant(tenantId).id);
  }

  /**
   * Why the tenant's Unify Phone is not functional at the emulator's now (HowTo: Not set,
   * Invalid token and Expired stop it; Expiring does not), or undefined when it works. Read
   * on every call, never cached, so a status change on the clock takes effect at that instant.
   * An unknown tenant has no outage (the caller reports it missing its own way).
   */
  outage(tenantId: string): ServiceOutage | undefined {
    const tenant = this.store.tenants.get(tenantId);
    return tenant ? outageOf(tenant, this.statusOf(tenant.id)) : undefined;
  }

  /**
   * The gate of every operation of a tenant: throws the outage's ApiError (jwt_not_set /
   * jwt_invalid / jwt_expired). `pbx`: the PBX-side REST API, 403 as the registry says (OSBiz
   * shows "No connection to REST API"); `service`: what a user, client or admin asks of the
   * service itself (place a call, create or import users), 409 — the tenant's state forbids it.
   */
  assertFunctional(tenant: Tenant, surface: "pbx" | "service" = "pbx"): void {
    const outage = outageOf(tenant, this.statusOf(tenant.id));
    if (!outage) return;
    throw new ApiError(outage.code, outage.detail, {
      ...(surface === "service" ? { status: 409 } : {}),
      jwtStatus: this.statusOf(tenant.id).status,
    });
  }

  /** Warnings a GET shows while everything still works: the JWT expires within a month. */
  warnings(tenantId: string): string[] {
    const tenant = this.store.tenants.get(tenantId);
    if (tenant?.flavour !== "video") return [];
    const { status, label, expiresAt } = this.statusOf(tenant.id);
    if (status !== "expiring" || expiresAt === null) return [];
    return [
      `the JWT "${label}" expires at ${toIso(expiresAt)}; Unify Phone stops working for tenant ${tenant.name} then unless an admin sets a new one`,
    ];
  }

  private statusOf(tenantId: string): JwtStatus {
    const jwt = this.store.tenantJwts.get(tenantId);
    const revokedAt = jwt ? (this.store.portalTokens.get(jwt.tokenId)?.revokedAt ?? null) : null;
    return jwtStatusAt(jwt, revokedAt, this.clock.now());
  }

  private tenant(tenantId: string): Tenant {
    const tenant = this.store.tenants.get(tenantId);
    if (!tenant) throw new ApiError("tenant_not_found", `no tenant ${tenantId}`);
    return tenant;
  }

  private portalKey(): PortalKey {
    this.key ??= loadOrCreatePortalKey(this.store.settings);
    return this.key;
  }
}
