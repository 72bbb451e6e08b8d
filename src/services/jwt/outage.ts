import type { Tenant } from "../../domain/index.js";
import type { JwtStatus } from "./status.js";

/** The JWT states in which a Unify Video tenant's Unify Phone does not work (HowTo, JWT table). */
export type JwtOutageCode = "jwt_not_set" | "jwt_invalid" | "jwt_expired";

/**
 * Why a tenant's Unify Phone is not functional at this instant: the stable code (the API's
 * problem code) and a short cause that every surface repeats word for word — the SIP
 * reason and Warning text, the journal's hang-up cause, the client REGISTER's 403.
 */
export interface ServiceOutage {
  readonly code: JwtOutageCode;
  /** e.g. "JWT expired"; surfaces prefix it with "Unify Phone not functional: " */
  readonly cause: string;
  /** One sentence for people: which JWT, since when, and what an admin must do. */
  readonly detail: string;
}

/** The prefix every refusal caused by an outage carries, so logs and traces grep for one text. */
export const NOT_FUNCTIONAL = "Unify Phone not functional";

const toIso = (ms: number): string => new Date(ms).toISOString();

/**
 * The outage a JWT status means for `tenant`: none for `openscape` tenants (they have no
 * JWT) and for `active` / `expiring`; otherwise one per state, stable across releases.
 */
export function outageOf(tenant: Tenant, jwt: JwtStatus): ServiceOutage | undefined {
  if (tenant.flavour !== "video") return undefined;
  const setUrl = `PUT /api/admin/tenants/${tenant.id}/jwt`;
  switch (jwt.status) {
    case "active":
    case "expiring":
      return undefined;
    case "not_set":
      return {
        code: "jwt_not_set",
        cause: "JWT not set",
        detail: `tenant ${tenant.name} (Unify Video) has no JWT; an admin must set one (${setUrl})`,
      };
    case "invalid":
      return {
        code: "jwt_invalid",
        cause: "JWT invalid",
        detail: `the JWT "${jwt.label}" of tenant ${tenant.name} was revoked in the JWT creation portal; an admin must set a new one (${setUrl})`,
      };
    case "expired":
      return {
        code: "jwt_expired",
        cause: "JWT expired",
        detail: `the JWT "${jwt.label}" of tenant ${tenant.name} expired at ${toIso(jwt.expiresAt ?? 0)}; an admin must set a new one (${setUrl})`,
      };
  }
}
