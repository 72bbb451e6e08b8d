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

/**
 * When a JWT expiring at `expiresAt` becomes `expiring`: one calendar month before, in UTC,
 * at the same time of day (HowTo: "Expiring one month before the expiration date"). A day the
 * earlier month lacks becomes its last day: 31 Mar → 28 Feb (29 Feb in a leap year), 31 May → 30 Apr.
 */
export function expiringFrom(expiresAt: number): number {
  const at = new Date(expiresAt);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() - 1;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(at.getUTCDate(), lastDay);
  return Date.UTC(
    year,
    month,
    day,
    at.getUTCHours(),
    at.getUTCMinutes(),
    at.getUTCSeconds(),
    at.getUTCMilliseconds(),
  );
}

/**
 * The status at `now`: `invalid` once the portal token was revoked, `expired` when
 * expiresAt ≤ now, `expiring` from one calendar month before (expiringFrom ≤ now), else
 * `active` (also for a token without expiry).
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
          : expiringFrom(expiresAt) <= now
            ? "expiring"
            : "active";
  return { status, expiresAt, label, setAt };
}
