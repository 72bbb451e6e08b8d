import { describe, expect, it } from "vitest";
import { expiringFrom, jwtStatusAt } from "../../../../src/services/jwt/status.js";
import type { TenantJwt } from "../../../../src/store/index.js";

const NOW = 1_900_000_000_000;
const jwt = (expiresAt: number | null): TenantJwt => ({
  tenantId: "tn_x",
  tokenId: "t1",
  label: "lab",
  expiresAt,
  setAt: NOW - 1000,
});

describe("jwtStatusAt", () => {
  it("is not_set without a JWT, with every field null", () => {
    expect(jwtStatusAt(undefined, null, NOW)).toEqual({
      status: "not_set",
      expiresAt: null,
      label: null,
      setAt: null,
    });
  });

  it.each([
    ["31 Mar → 28 Feb (common year)", "2027-03-31T10:15:00.000Z", "2027-02-28T10:15:00.000Z"],
    ["31 Mar → 29 Feb (leap year)", "2028-03-31T10:15:00.000Z", "2028-02-29T10:15:00.000Z"],
    ["31 May → 30 Apr", "2027-05-31T23:59:59.999Z", "2027-04-30T23:59:59.999Z"],
    ["15 Jan → 15 Dec of the year before", "2027-01-15T00:00:00.000Z", "2026-12-15T00:00:00.000Z"],
    ["1 Mar → 1 Feb", "2027-03-01T08:00:00.000Z", "2027-02-01T08:00:00.000Z"],
  ])("expiring starts one calendar month before the expiry: %s", (_what, expiry, from) => {
    expect(new Date(expiringFrom(Date.parse(expiry))).toISOString()).toBe(from);
  });

  const EXPIRY = Date.parse("2030-03-31T12:00:00.000Z");
  const FROM = Date.parse("2030-02-28T12:00:00.000Z");
  it.each([
    ["no expiry", null, NOW, "active"],
    ["a minute before the month starts", EXPIRY, FROM - 60_000, "active"],
    ["1 ms before the month starts", EXPIRY, FROM - 1, "active"],
    ["exactly one month left", EXPIRY, FROM, "expiring"],
    ["a minute into the month", EXPIRY, FROM + 60_000, "expiring"],
    ["1 ms left", EXPIRY, EXPIRY - 1, "expiring"],
    ["expiry reached", EXPIRY, EXPIRY, "expired"],
    ["expiry passed", EXPIRY, EXPIRY + 1, "expired"],
  ])("%s → %s", (_what, expiresAt, now, status) => {
    expect(jwtStatusAt(jwt(expiresAt), null, now)).toEqual({
      status,
      expiresAt,
      label: "lab",
      setAt: NOW - 1000,
    });
  });

  it("is invalid once revoked, whatever the expiry", () => {
    expect(jwtStatusAt(jwt(NOW + 365 * 86_400_000), NOW - 5, NOW).status).toBe("invalid");
    expect(jwtStatusAt(jwt(NOW - 1), NOW - 5, NOW).status).toBe("invalid");
    expect(jwtStatusAt(jwt(null), NOW, NOW).status).toBe("invalid");
  });
});
