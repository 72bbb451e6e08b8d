import type { TenantJwt } from "../../store/index.js";

export const JWT_STATUSES = ["not_set", "active", "invalid", "expiring", "expired"] as const;

/** The connection status of a tenant's JWT, as the admin app shows it (SPEC §1). */
export type JwtStatusName = (typeof JWT_STATUSES)[number];

export interface JwtStatus {
  readonly status: JwtStatusName;
  /** ms since the epoch; null: not set, or a token without expiry */
  readonly expiresAt: number | null;
  readonly label: string | null;
  readonly setAt: number | null;
}

/** "Expires within one month" is defined as: at most 30 days (2 592 000 000 ms) left. */
export const ONE_MONTH_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The status at `now`: `invalid` once the portal token was revoked, `expired` when
 * expiresAt ≤ now, `expiring` when expiresAt − now ≤ ONE_MONTH_MS, else `active`
 * (also for a token without expiry).
 */
export function jwtStatusAt(jwt: TenantJwt | undefined, revokedAt: number | null, now: number): JwtStatus {
  if (!jwt) return { status: "not_set", expiresAt: null, label: null, setAt: null };
  const { expiresAt, label, setAt } = jwt;
  const status: JwtStatusName =
    revokedAt !== null
      ? "invalid"
      : expiresAt === null
        ? "active"
        : expiresAt <= now
          ? "expired"
          : expiresAt - now <= ONE_MONTH_MS
            ? "expiring"
            : "active";
  return { status, expiresAt, label, setAt };
}
