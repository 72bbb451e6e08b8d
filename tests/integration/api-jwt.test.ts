import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { httpClient } from "../support/http.js";

const ISSUER = "unify-phone-emulator/jwt-portal";
const DAY = 24 * 60 * 60 * 1000;
const START = "2030-01-01T00:00:00.000Z";

let emulator: EmulatorHandle;
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  emulator = await startTestEmulator({ adminToken: "test-admin-token" });
  http = httpClient(emulator);
  // A frozen clock makes every boundary exact.
  expect((await http.admin("PUT", "/api/admin/clock", { now: START, frozen: true })).status).toBe(200);
});

afterAll(async () => {
  await emulator.close();
});

let tenantCount = 0;
async function newTenant(flavour = "video"): Promise<{ id: string; clientId: string; name: string }> {
  const res = await http.admin("POST", "/api/admin/tenants", {
    name: `JWT tenant ${++tenantCount}`,
    flavour,
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function now(): Promise<number> {
  return (await http.admin("GET", "/api/admin/clock")).body.epochMs;
}

async function advance(by: string): Promise<void> {
  expect((await http.admin("POST", "/api/admin/clock/advance", { by })).status).toBe(200);
}

async function mint(clientId: string, label: string, expiresAt?: number | null) {
  const body: Record<string, unknown> = { clientId, label };
  if (expiresAt !== undefined) body.expiresAt = expiresAt === null ? null : new Date(expiresAt).toISOString();
  const res = await http.admin("POST", "/api/jwt-portal/tokens", body);
  expect(res.status).toBe(201);
  return res.body as { id: string; token: string; expiresAt: string | null; label: string };
}

const jwtOf = (tenantId: string) => `/api/admin/tenants/${tenantId}/jwt`;
const getJwt = async (tenantId: string) => (await http.admin("GET", jwtOf(tenantId))).body;
const putJwt = (tenantId: string, token: string) => http.admin("PUT", jwtOf(tenantId), { token });

describe("JWT creation portal", () => {
  it("mints a real ES256 JWT with the portal's claims, times from the emulator clock", async () => {
    const t = await now();
    const expiresAt = t + 90 * DAY;
    const res = await http.admin("POST", "/api/jwt-portal/tokens", {
      clientId: "client-portal-1",
      label: "Lab PBX",
      expiresAt: new Date(expiresAt).toISOString(),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      clientId: "client-portal-1",
      label: "Lab PBX",
      expiresAt: new Date(expiresAt).toISOString(),
      createdAt: START,
      revokedAt: null,
    });
    expect(decodeProtectedHeader(res.body.token)).toMatchObject({ alg: "ES256", typ: "JWT" });
    expect(decodeJwt(res.body.token)).toEqual({
      iss: ISSUER,
      aud: "client-portal-1",
      sub: "client-portal-1",
      jti: res.body.id,
      iat: t / 1000,
      exp: expiresAt / 1000,
    });
  });

  it("mints a token without expiry, cuts a given expiry to whole seconds", async () => {
    const forever = await mint("client-portal-2", "forever");
    expect(forever.expiresAt).toBeNull();
    expect(decodeJwt(forever.token).exp).toBeUndefined();
    const t = await now();
    const cut = await mint("client-portal-2", "cut", t + DAY + 999);
    expect(cut.expiresAt).toBe(new Date(t + DAY).toISOString());
    expect(decodeJwt(cut.token).exp).toBe((t + DAY) / 1000);
  });

  it("lists tokens newest first without their text, filtered by client ID", async () => {
    const a = await mint("client-list", "first");
    await advance("1s");
    const b = await mint("client-list", "second");
    await mint("client-list-other", "other");
    const res = await http.admin("GET", "/api/jwt-portal/tokens?clientId=client-list");
    expect(res.status).toBe(200);
    expect(res.body.map((x: { id: string }) => x.id)).toEqual([b.id, a.id]);
    expect(res.body[0]).not.toHaveProperty("token");
    const all = await http.admin("GET", "/api/jwt-portal/tokens");
    expect(all.body.length).toBeGreaterThanOrEqual(3);
  });

  it("revokes a token idempotently and answers 404 for an unknown one", async () => {
    const token = await mint("client-revoke", "to revoke");
    const first = await http.admin("POST", `/api/jwt-portal/tokens/${token.id}/revoke`);
    expect(first.status).toBe(200);
    expect(first.body.revokedAt).toBe(new Date(await now()).toISOString());
    await advance("1m");
    const again = await http.admin("POST", `/api/jwt-portal/tokens/${token.id}/revoke`);
    expect(again.body.revokedAt).toBe(first.body.revokedAt);
    const unknown = await http.admin("POST", "/api/jwt-portal/tokens/no-such-token/revoke");
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("jwt_token_not_found");
  });

  it("refuses invalid requests and callers without the admin token", async () => {
    const noLabel = await http.admin("POST", "/api/jwt-portal/tokens", { clientId: "c" });
    expect(noLabel.status).toBe(400);
    expect(noLabel.body.errors).toContainEqual(expect.objectContaining({ field: "body.label" }));
    const badTime = await http.admin("POST", "/api/jwt-portal/tokens", {
      clientId: "c",
      label: "x",
      expiresAt: "tomorrow",
    });
    expect(badTime.status).toBe(400);
    expect(badTime.body.errors).toContainEqual(expect.objectContaining({ field: "body.expiresAt" }));
    const blankLabel = await http.admin("POST", "/api/jwt-portal/tokens", { clientId: "c", label: "   " });
    expect(blankLabel.status).toBe(422);
    expect(blankLabel.body.errors).toContainEqual(expect.objectContaining({ field: "label" }));
    const anonymous = await http.call("POST", "/api/jwt-portal/tokens", {
      body: { clientId: "c", label: "x" },
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe("admin_token_missing");
  });
});

describe("tenant JWT lifecycle", () => {
  it("starts not_set, becomes active on PUT and shows the token's label and expiry", async () => {
    const tenant = await newTenant();
    expect(await getJwt(tenant.id)).toEqual({
      status: "not_set",
      expiresAt: null,
      label: null,
      setAt: null,
      functional: false,
      cause: expect.stringMatching(
        /^Unify Phone not functional: JWT not set — tenant JWT tenant \d+ \(Unify Video\) has no JWT/,
      ),
      warnings: [],
    });
    const t = await now();
    const token = await mint(tenant.clientId, "Acme video", t + 365 * DAY);
    const res = await putJwt(tenant.id, token.token);
    expect(res.status).toBe(200);
    const expected = {
      status: "active",
      expiresAt: new Date(t + 365 * DAY).toISOString(),
      label: "Acme video",
      setAt: new Date(t).toISOString(),
      functional: true,
      cause: null,
      warnings: [],
    };
    expect(res.body).toEqual(expected);
    expect(await getJwt(tenant.id)).toEqual(expected);
  });

  it("moves active → expiring (one calendar month before: 31 Mar → 28 Feb) → expired, to the minute", async () => {
    const setClock = async (iso: string) =>
      expect((await http.admin("PUT", "/api/admin/clock", { now: iso, frozen: true })).status).toBe(200);
    await setClock("2041-01-31T12:00:00.000Z");
    const tenant = await newTenant();
    const token = await mint(tenant.clientId, "boundaries", Date.parse("2041-03-31T12:00:00.000Z"));
    expect((await putJwt(tenant.id, token.token)).body).toMatchObject({ status: "active", warnings: [] });
    await setClock("2041-02-28T11:59:00.000Z"); // a minute before the month starts
    expect(await getJwt(tenant.id)).toMatchObject({ status: "active", functional: true, warnings: [] });
    await advance("1m"); // 28 Feb 12:00: exactly one calendar month left
    const expiring = await getJwt(tenant.id);
    expect(expiring).toMatchObject({ status: "expiring", functional: true, cause: null });
    expect(expiring.warnings).toEqual([expect.stringContaining("expires at 2041-03-31T12:00:00.000Z")]);
    await advance("1m");
    expect((await getJwt(tenant.id)).status).toBe("expiring");
    await setClock("2041-03-31T11:59:00.000Z"); // the last minute
    expect((await getJwt(tenant.id)).status).toBe("expiring");
    await advance("1m");
    const expired = await getJwt(tenant.id);
    expect(expired).toMatchObject({
      status: "expired",
      label: "boundaries",
      expiresAt: token.expiresAt,
      functional: false,
      cause: expect.stringMatching(/^Unify Phone not functional: JWT expired — /),
      warnings: [],
    });
  });

  it("keeps a token without expiry active however far the clock moves", async () => {
    const tenant = await newTenant();
    const token = await mint(tenant.clientId, "forever", null);
    expect((await putJwt(tenant.id, token.token)).status).toBe(200);
    await advance("3650d");
    expect(await getJwt(tenant.id)).toMatchObject({ status: "active", expiresAt: null, label: "forever" });
  });

  it("turns invalid when the token is revoked in the portal after being set", async () => {
    const tenant = await newTenant();
    const token = await mint(tenant.clientId, "revoked later", (await now()) + 365 * DAY);
    await putJwt(tenant.id, token.token);
    await http.admin("POST", `/api/jwt-portal/tokens/${token.id}/revoke`);
    expect(await getJwt(tenant.id)).toMatchObject({ status: "invalid", label: "revoked later" });
  });

  it("DELETE returns to not_set (and is idempotent); a new PUT replaces the JWT", async () => {
    const tenant = await newTenant();
    const first = await mint(tenant.clientId, "first", null);
    const second = await mint(tenant.clientId, "second", null);
    await putJwt(tenant.id, first.token);
    expect((await putJwt(tenant.id, second.token)).body.label).toBe("second");
    const del = await http.admin("DELETE", jwtOf(tenant.id));
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expect((await getJwt(tenant.id)).status).toBe("not_set");
    expect((await http.admin("DELETE", jwtOf(tenant.id))).status).toBe(204);
  });

  it("answers 404 tenant_not_found for an unknown tenant", async () => {
    const token = await mint("whoever", "x", null);
    for (const res of [
      await http.admin("GET", jwtOf("tn_nosuchtenant")),
      await putJwt("tn_nosuchtenant", token.token),
      await http.admin("DELETE", jwtOf("tn_nosuchtenant")),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe("tenant_not_found");
    }
  });

  it("requires the admin token", async () => {
    const tenant = await newTenant();
    const res = await http.admin("GET", jwtOf(tenant.id), undefined, "wrong-token");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("admin_token_invalid");
  });
});

describe("PUT …/jwt refuses bad tokens with 422 and stores nothing", () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  async function expectRefused(tenantId: string, token: string, code: string): Promise<void> {
    const before = await getJwt(tenantId);
    const res = await putJwt(tenantId, token);
    expect(res.status).toBe(422);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    expect(res.body.detail).toEqual(expect.any(String));
    expect(await getJwt(tenantId)).toEqual(before);
  }

  it("jwt_malformed: garbage, broken base64/JSON, missing claims", async () => {
    const tenant = await newTenant();
    await expectRefused(tenant.id, "not-a-jwt", "jwt_malformed");
    await expectRefused(tenant.id, "a.b.c", "jwt_malformed");
    await expectRefused(tenant.id, `${b64({ alg: "ES256" })}.bm90IGpzb24.sig`, "jwt_malformed");
    const { privateKey } = await generateKeyPair("ES256");
    const noJti = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).sign(privateKey);
    // Signature is checked before claims: a foreign token without claims is a signature problem.
    await expectRefused(tenant.id, noJti, "jwt_signature_invalid");
  });

  it("jwt_signature_invalid: another key, HS256, alg none, a tampered payload", async () => {
    const tenant = await newTenant();
    const genuine = await mint(tenant.clientId, "genuine", null);
    const { privateKey } = await generateKeyPair("ES256");
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", typ: "JWT" })
      .setIssuer(ISSUER)
      .setAudience(tenant.clientId)
      .setSubject(tenant.clientId)
      .setJti(genuine.id)
      .setIssuedAt()
      .sign(privateKey);
    await expectRefused(tenant.id, foreign, "jwt_signature_invalid");
    const hs256 = await new SignJWT({ jti: genuine.id, aud: tenant.clientId, iss: ISSUER })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("a-shared-secret-of-32-characters"));
    await expectRefused(tenant.id, hs256, "jwt_signature_invalid");
    const none = `${b64({ alg: "none" })}.${b64({ jti: genuine.id, aud: tenant.clientId, iss: ISSUER })}.`;
    await expectRefused(tenant.id, none, "jwt_signature_invalid");
    const [header, , signature] = genuine.token.split(".");
    const other = await newTenant();
    const retargeted = `${header}.${b64({ ...decodeJwt(genuine.token), aud: other.clientId })}.${signature}`;
    await expectRefused(other.id, retargeted, "jwt_signature_invalid");
  });

  it("jwt_wrong_client: a genuine token for another client ID", async () => {
    const tenant = await newTenant();
    const other = await mint("some-other-client", "not yours", null);
    await expectRefused(tenant.id, other.token, "jwt_wrong_client");
  });

  it("jwt_revoked: a token revoked before it was set", async () => {
    const tenant = await newTenant();
    const token = await mint(tenant.clientId, "revoked first", null);
    await http.admin("POST", `/api/jwt-portal/tokens/${token.id}/revoke`);
    await expectRefused(tenant.id, token.token, "jwt_revoked");
  });

  it("jwt_already_expired: expiry in the past or exactly now (emulator time decides)", async () => {
    const tenant = await newTenant();
    const t = await now();
    await expectRefused(
      tenant.id,
      (await mint(tenant.clientId, "past", t - DAY)).token,
      "jwt_already_expired",
    );
    await expectRefused(tenant.id, (await mint(tenant.clientId, "now", t)).token, "jwt_already_expired");
    const soon = await mint(tenant.clientId, "soon", t + 2000);
    await advance("2s");
    await expectRefused(tenant.id, soon.token, "jwt_already_expired");
  });

  it("a refused token leaves an already set JWT in place", async () => {
    const tenant = await newTenant();
    const good = await mint(tenant.clientId, "kept", null);
    await putJwt(tenant.id, good.token);
    await expectRefused(tenant.id, "garbage", "jwt_malformed");
    await expectRefused(tenant.id, (await mint("elsewhere", "x", null)).token, "jwt_wrong_client");
    expect(await getJwt(tenant.id)).toMatchObject({ status: "active", label: "kept" });
  });

  it("an empty token is a 400 request error", async () => {
    const tenant = await newTenant();
    const res = await putJwt(tenant.id, "");
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("validation_failed");
  });
});

describe("portal key persistence", () => {
  it("a token minted before a restart still verifies after it (persistent data dir)", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "upe-jwt-"));
    try {
      const options = { adminToken: "test-admin-token", ephemeral: false, dataDir };
      const first = await startTestEmulator(options);
      const client1 = httpClient(first);
      const tenant = (
        await client1.admin("POST", "/api/admin/tenants", { name: "Persist", flavour: "video" })
      ).body;
      const token = (
        await client1.admin("POST", "/api/jwt-portal/tokens", {
          clientId: tenant.clientId,
          label: "survivor",
        })
      ).body;
      await first.close();

      const second = await startTestEmulator(options);
      try {
        const client2 = httpClient(second);
        const listed = await client2.admin("GET", `/api/jwt-portal/tokens?clientId=${tenant.clientId}`);
        expect(listed.body.map((x: { id: string }) => x.id)).toEqual([token.id]);
        const put = await client2.admin("PUT", jwtOf(tenant.id), { token: token.token });
        expect(put.status).toBe(200);
        expect(put.body).toMatchObject({ status: "active", label: "survivor" });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("API description", () => {
  it("lists the portal and tenant JWT routes and defines 'expiring' in the schema", async () => {
    const doc = (await http.call("GET", "/openapi.json")).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/jwt-portal/tokens",
        "/api/jwt-portal/tokens/{tokenId}/revoke",
        "/api/admin/tenants/{tenantId}/jwt",
      ]),
    );
    const jwtPath = doc.paths["/api/admin/tenants/{tenantId}/jwt"];
    expect(Object.keys(jwtPath)).toEqual(expect.arrayContaining(["get", "put", "delete"]));
    const status = jwtPath.get.responses["200"].content["application/json"].schema.properties.status;
    expect(status.description).toContain("one calendar month");
    expect(doc.paths["/api/jwt-portal/tokens"].post.summary).toContain("portal login");
  });
});
