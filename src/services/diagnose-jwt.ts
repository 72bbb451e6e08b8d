import type { Tenant } from "../domain/index.js";
import { iso } from "./diagnose-causes.js";
import { type JwtStatus, NOT_FUNCTIONAL, type ServiceOutage } from "./jwt/index.js";

export interface JwtFinding {
  /** problem: Unify Phone does not work; warning: it works, but will stop; note: no effect. */
  readonly kind: "problem" | "warning" | "note";
  readonly text: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The tenant's JWT in one sentence. For Unify Video tenants Not set, Invalid token and
 * Expired mean "Unify Phone will not be functional" (HowTo, JWT table): calls both ways,
 * client registrations and new users are refused, while the trunk may stay registered — so
 * this sentence, not the trunk, names the cause. openscape tenants have no JWT: a JWT set
 * there changes nothing and is only noted.
 */
export function jwtFinding(
  tenant: Tenant,
  jwt: JwtStatus,
  outage: ServiceOutage | undefined,
  now: number,
): JwtFinding | undefined {
  const video = tenant.flavour === "video";
  // The same words and codes the PBX, the clients and the admin API see.
  const stopped = outage
    ? `Unify Phone is not functional for ${tenant.name} (calls both ways get 480 "${NOT_FUNCTIONAL}: ${outage.cause}", client REGISTERs 403, new users 409 ${outage.code})`
    : "";
  const paste = `create a new JWT for client ID ${tenant.clientId} in the RingCentral JWT creation portal and paste it in the admin app (PUT /api/admin/tenants/${tenant.id}/jwt)`;
  const label = jwt.label ? ` "${jwt.label}"` : "";
  const named = jwt.label ? ` (label "${jwt.label}")` : "";
  switch (jwt.status) {
    case "not_set":
      return video
        ? {
            kind: "problem",
            text: `No JWT is configured: ${stopped} — ${paste.replace("a new JWT", "a JWT")}.`,
          }
        : undefined;
    case "expired":
      return video
        ? {
            kind: "problem",
            text: `The JWT expired on ${iso(jwt.expiresAt)}${named}: ${stopped} — ${paste}.`,
          }
        : {
            kind: "note",
            text: `The JWT expired on ${iso(jwt.expiresAt)}${named} (no effect on an openscape tenant).`,
          };
    case "invalid":
      return video
        ? {
            kind: "problem",
            text: `The JWT${label} was invalidated (revoked in the JWT creation portal): ${stopped} — ${paste}.`,
          }
        : { kind: "note", text: `The JWT${label} was invalidated (no effect on an openscape tenant).` };
    case "expiring": {
      if (!video || jwt.expiresAt === null) return undefined;
      const days = Math.max(0, Math.ceil((jwt.expiresAt - now) / DAY_MS));
      return {
        kind: "warning",
        text: `The JWT expires on ${iso(jwt.expiresAt)}${named} (in ${days} day${days === 1 ? "" : "s"}): everything works until then, when Unify Phone stops for ${tenant.name} — ${paste} before that.`,
      };
    }
    case "active":
      return undefined;
  }
}
