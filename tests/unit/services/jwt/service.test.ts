import { beforeEach, describe, expect, it } from "vitest";
import type { Tenant } from "../../../../src/domain/index.js";
import { ApiError } from "../../../../src/errors/index.js";
import { JwtService } from "../../../../src/services/jwt/service.js";
import { ControllableClock } from "../../../../src/shared/clock.js";
import { openStore, type SqliteStore } from "../../../../src/store/index.js";

const DAY = 86_400_000;

let clock: ControllableClock;
let store: SqliteStore;
let jwt: JwtService;
let video: Tenant;
let openscape: Tenant;

beforeEach(() => {
  clock = new ControllableClock({ start: 1_900_000_000_000, frozen: true });
  store = openStore({ ephemeral: true, clock });
  jwt = new JwtService(store, clock);
  video = store.tenants.create({ name: "Vid", flavour: "video", clientId: "vid-client" });
  openscape = store.tenants.create({ name: "Osc", flavour: "openscape", clientId: "osc-client" });
});

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(403);
    return (error as ApiError).code;
  }
}

async function setToken(tenant: Tenant, expiresAt: number | null): Promise<string> {
  const minted = await jwt.mint({ clientId: tenant.clientId, label: "lab", expiresAt });
  await jwt.set(tenant.id, minted.token);
  return minted.id;
}

describe("JwtService.assertFunctional", () => {
  it("refuses a video tenant without a JWT: jwt_not_set", () => {
    expect(codeOf(() => jwt.assertFunctional(video))).toBe("jwt_not_set");
  });

  it("lets a video tenant through while active or expiring", async () => {
    await setToken(video, clock.now() + 40 * DAY);
    expect(jwt.status(video.id).status).toBe("active");
    expect(codeOf(() => jwt.assertFunctional(video))).toBeUndefined();
    clock.advance(20 * DAY);
    expect(jwt.status(video.id).status).toBe("expiring");
    expect(codeOf(() => jwt.assertFunctional(video))).toBeUndefined();
  });

  it("refuses a video tenant once expired (jwt_expired) or revoked (jwt_invalid)", async () => {
    await setToken(video, clock.now() + DAY);
    clock.advance(DAY);
    expect(codeOf(() => jwt.assertFunctional(video))).toBe("jwt_expired");
    const id = await setToken(video, null);
    expect(codeOf(() => jwt.assertFunctional(video))).toBeUndefined();
    jwt.revoke(id);
    expect(codeOf(() => jwt.assertFunctional(video))).toBe("jwt_invalid");
  });

  it("never refuses an openscape tenant, whatever its JWT", async () => {
    expect(codeOf(() => jwt.assertFunctional(openscape))).toBeUndefined();
    const id = await setToken(openscape, clock.now() + DAY);
    clock.advance(2 * DAY);
    expect(jwt.status(openscape.id).status).toBe("expired");
    expect(codeOf(() => jwt.assertFunctional(openscape))).toBeUndefined();
    jwt.revoke(id);
    expect(jwt.status(openscape.id).status).toBe("invalid");
    expect(codeOf(() => jwt.assertFunctional(openscape))).toBeUndefined();
  });
});

describe("JwtService portal key and tenant JWT storage", () => {
  it("signs with the key kept in the store: another service on the same store verifies", async () => {
    const minted = await jwt.mint({ clientId: video.clientId, label: "lab" });
    const again = new JwtService(store, clock);
    await expect(again.set(video.id, minted.token)).resolves.toMatchObject({ status: "active" });
    const elsewhere = openStore({ ephemeral: true, clock });
    const tenant = elsewhere.tenants.create({ name: "Vid", flavour: "video", clientId: "vid-client" });
    await expect(new JwtService(elsewhere, clock).set(tenant.id, minted.token)).rejects.toMatchObject({
      code: "jwt_signature_invalid",
    });
  });

  it("drops the tenant's JWT with the tenant", async () => {
    await setToken(video, null);
    expect(store.tenantJwts.get(video.id)).toBeDefined();
    store.tenants.delete(video.id);
    expect(store.tenantJwts.get(video.id)).toBeUndefined();
    expect(() => jwt.status(video.id)).toThrow(expect.objectContaining({ code: "tenant_not_found" }));
  });

  it("refuses a label or expiry the portal cannot hold", async () => {
    await expect(jwt.mint({ clientId: "c", label: " " })).rejects.toMatchObject({ field: "label" });
    await expect(jwt.mint({ clientId: "c", label: "x", expiresAt: Number.NaN })).rejects.toMatchObject({
      field: "expiresAt",
    });
    expect(jwt.listTokens()).toEqual([]);
  });
});
