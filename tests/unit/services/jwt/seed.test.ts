import { beforeEach, describe, expect, it } from "vitest";
import { applySeed, parseSeed, type SeedError } from "../../../../src/seed/index.js";
import { applySeedJwt } from "../../../../src/services/jwt/seed.js";
import { JwtService } from "../../../../src/services/jwt/service.js";
import { ControllableClock } from "../../../../src/shared/clock.js";
import { openStore, type SqliteStore } from "../../../../src/store/index.js";

const DAY = 86_400_000;
const NOW = Date.parse("2030-06-01T00:00:00Z");

let clock: ControllableClock;
let store: SqliteStore;
let jwt: JwtService;

beforeEach(() => {
  clock = new ControllableClock({ start: NOW, frozen: true });
  store = openStore({ ephemeral: true, clock });
  jwt = new JwtService(store, clock);
});

const tenantYaml = (name: string, jwtYaml: string) => `
  - name: ${name}
    flavour: video
    clientId: ${name.toLowerCase()}-client
    jwt: ${jwtYaml}`;

async function seed(text: string) {
  const document = parseSeed(text, "seed.yaml");
  applySeed(store, document, { clock });
  return applySeedJwt(jwt, store, document);
}

const statusOf = (name: string) => jwt.status(store.tenants.getByName(name)!.id);

async function seedError(text: string): Promise<SeedError> {
  try {
    await seed(text);
  } catch (error) {
    return error as SeedError;
  }
  throw new Error("the seed was accepted");
}

describe("applySeedJwt with a status", () => {
  it("mints tokens that give each status at the emulator clock's now", async () => {
    const summary = await seed(
      `tenants:${[
        tenantYaml("Active", "{ status: active, label: Lab }"),
        tenantYaml("Expiring", "{ status: expiring }"),
        tenantYaml("Expired", "{ status: expired }"),
        tenantYaml("Invalid", "{ status: invalid }"),
        tenantYaml("NotSet", "{ status: not_set }"),
        tenantYaml("Forever", "{ status: active, expiresAt: null }"),
        tenantYaml("Fixed", '{ status: expiring, expiresAt: "2030-06-20T12:00:00Z" }'),
      ].join("")}`,
    );
    expect(summary).toEqual({ changed: 6, unchanged: 1 });
    expect(statusOf("Active")).toEqual({
      status: "active",
      expiresAt: NOW + 365 * DAY,
      label: "Lab",
      setAt: NOW,
    });
    expect(statusOf("Expiring")).toMatchObject({
      status: "expiring",
      expiresAt: NOW + 10 * DAY,
      label: "seed",
    });
    expect(statusOf("Expired")).toMatchObject({ status: "expired", expiresAt: NOW - DAY });
    expect(statusOf("Invalid")).toMatchObject({ status: "invalid" });
    expect(statusOf("NotSet").status).toBe("not_set");
    expect(statusOf("Forever")).toMatchObject({ status: "active", expiresAt: null });
    expect(statusOf("Fixed")).toMatchObject({ expiresAt: Date.parse("2030-06-20T12:00:00Z") });
    // Each minted token is a portal token for the tenant's client ID.
    expect(jwt.listTokens("active-client")).toHaveLength(1);
    expect(jwt.listTokens("invalid-client")[0]!.revokedAt).toBe(NOW);
  });

  it("is idempotent: a second start changes nothing and mints nothing", async () => {
    const text = `tenants:${tenantYaml("A", "{ status: active }")}${tenantYaml("B", "{ status: invalid }")}`;
    await seed(text);
    clock.advance(DAY);
    expect(await seed(text)).toEqual({ changed: 0, unchanged: 2 });
    expect(jwt.listTokens()).toHaveLength(2);
  });

  it("replaces a JWT whose status no longer matches the seed, and clears one for not_set", async () => {
    await seed(`tenants:${tenantYaml("A", "{ status: active }")}`);
    clock.advance(400 * DAY);
    expect(statusOf("A").status).toBe("expired");
    expect(await seed(`tenants:${tenantYaml("A", "{ status: active }")}`)).toEqual({
      changed: 1,
      unchanged: 0,
    });
    expect(statusOf("A")).toMatchObject({ status: "active", setAt: NOW + 400 * DAY });
    await seed(`tenants:${tenantYaml("A", "{ status: not_set }")}`);
    expect(statusOf("A").status).toBe("not_set");
  });
});

describe("applySeedJwt with a token", () => {
  it("verifies it like PUT and sets it; an already set token that expired since is no error", async () => {
    const minted = await jwt.mint({ clientId: "a-client", label: "pasted", expiresAt: NOW + 2 * DAY });
    const text = `tenants:${tenantYaml("A", `{ token: "${minted.token}" }`)}`;
    expect(await seed(text)).toEqual({ changed: 1, unchanged: 0 });
    expect(statusOf("A")).toMatchObject({ status: "expiring", label: "pasted" });
    clock.advance(3 * DAY);
    expect(await seed(text)).toEqual({ changed: 0, unchanged: 1 });
    expect(statusOf("A").status).toBe("expired");
  });

  it("names the seed path and the JWT code of a refused token; nothing is written", async () => {
    const foreign = await jwt.mint({ clientId: "someone-else", label: "x" });
    const good = await jwt.mint({ clientId: "b-client", label: "good" });
    const error = await seedError(
      `tenants:${tenantYaml("A", `{ token: "${foreign.token}" }`)}${tenantYaml("B", `{ token: "${good.token}" }`)}`,
    );
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: "tenants[0].jwt.token",
        message: expect.stringContaining("(jwt_wrong_client)"),
        line: 5,
        column: 19,
      }),
    ]);
    expect(error.message).toContain("seed.yaml:5:19: tenants[0].jwt.token");
    expect(statusOf("B").status).toBe("not_set");
  });

  it("reports a malformed token", async () => {
    const error = await seedError(`tenants:${tenantYaml("A", '{ token: "garbage" }')}`);
    expect(error.issues[0]).toMatchObject({
      path: "tenants[0].jwt.token",
      message: expect.stringContaining("jwt_malformed"),
    });
  });
});

describe("applySeedJwt shape errors", () => {
  it.each([
    ["a scalar", "yes", "tenants[0].jwt", "must be a mapping"],
    ["an unknown status", "{ status: valid }", "tenants[0].jwt.status", "must be one of not_set, active"],
    ["an unknown key", "{ status: active, lable: x }", "tenants[0].jwt.lable", 'unknown key "lable"'],
    ["token with status", '{ token: "a.b.c", status: active }', "tenants[0].jwt.status", "token excludes"],
    ["a bad time", "{ status: active, expiresAt: soon }", "tenants[0].jwt.expiresAt", "ISO 8601"],
    [
      "an expiry that gives another status",
      '{ status: active, expiresAt: "2030-06-05T00:00:00Z" }',
      "tenants[0].jwt.expiresAt",
      "gives status expiring, not active",
    ],
    ["not_set with a label", "{ status: not_set, label: x }", "tenants[0].jwt", "takes no label"],
  ])("%s", async (_what, jwtYaml, path, message) => {
    const error = await seedError(`tenants:${tenantYaml("A", jwtYaml)}`);
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path, message: expect.stringContaining(message), line: expect.any(Number) }),
    );
    expect(statusOf("A").status).toBe("not_set");
    expect(jwt.listTokens()).toEqual([]);
  });
});
