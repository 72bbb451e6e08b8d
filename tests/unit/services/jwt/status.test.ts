import { describe, expect, it } from "vitest";
import { jwtStatusAt, ONE_MONTH_MS } from "../../../../src/services/jwt/status.js";
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

  it("defines one month as 30 days", () => {
    expect(ONE_MONTH_MS).toBe(2_592_000_000);
  });

  it.each([
    ["no expiry", null, "active"],
    ["30 days + 1 ms left", NOW + ONE_MONTH_MS + 1, "active"],
    ["exactly 30 days left", NOW + ONE_MONTH_MS, "expiring"],
    ["1 ms left", NOW + 1, "expiring"],
    ["expiry reached", NOW, "expired"],
    ["expiry passed", NOW - 1, "expired"],
  ])("%s → %s", (_what, expiresAt, status) => {
    expect(jwtStatusAt(jwt(expiresAt), null, NOW)).toEqual({
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
