import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authHooks } from "../../src/api/auth-hooks.js";
import { installErrorHandler } from "../../src/api/error-handler.js";
import { clientCredentialRoutes } from "../../src/api/routes/client-credentials.js";
import { problemSchema } from "../../src/api/schemas/common.js";
import { AdminToken, AuthLockout } from "../../src/auth/index.js";
import { digestHa1 } from "../../src/registrar/digest.js";
import { ClientCredentialService } from "../../src/services/client-credential-service.js";
import { UserService } from "../../src/services/index.js";
import { ControllableClock } from "../../src/shared/clock.js";
import { SqliteClientCredentialRepository } from "../../src/store/client-credential-repository.js";
import { MIGRATIONS, migrate } from "../../src/store/migrate.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { StoreContext } from "../../src/store/store-context.js";

const ADMIN = "admin-token-for-client-passwords";
const REALM = "phoneapp.unify.com";
const PASSWORD = "Sesame-Client-42";

let dir: string;
let db: Database.Database;
let store: SqliteStore;
let credentials: SqliteClientCredentialRepository;
let app: FastifyInstance;
let logs: string[];
let dropped: Array<{ userId: string; reason: string }>;
let tenantId: string;
let userId: string;
let clock: ControllableClock;

/** The routes on their own fastify app over a file database with every migration applied. */
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "upe-client-cred-"));
  db = new Database(path.join(dir, "emulator.db"));
  db.pragma("foreign_keys = ON");
  migrate(db, MIGRATIONS);
  clock = new ControllableClock({ frozen: true, start: 1_700_000_000_000 });
  const now = () => clock.now();
  store = new SqliteStore(db, now);
  credentials = new SqliteClientCredentialRepository(new StoreContext(db, now));
  dropped = [];
  const service = new ClientCredentialService(
    new UserService(store),
    credentials,
    { realm: REALM, clock },
    { dropUser: (id, reason) => dropped.push({ userId: id, reason }) },
  );
  logs = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  app = Fastify({
    loggerInstance: pino({ level: "trace" }, sink) as FastifyBaseLogger,
    // As buildHttpApp configures AJV: no coercion, no silent removal.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, allowUnionTypes: true },
    },
  });
  app.addSchema(problemSchema);
  installErrorHandler(app);
  clientCredentialRoutes(app, {
    auth: authHooks({
      adminToken: AdminToken.init({ configured: ADMIN, settings: store.settings, dataDir: null }),
      findTenantByApiKey: () => undefined,
      lockout: new AuthLockout(clock, { maxFailures: 10, lockoutMs: 60_000 }),
    }),
    clientCredentials: service,
  });
  await app.ready();
  const tenant = store.tenants.create({ name: "Acme", apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX" });
  tenantId = tenant.id;
  userId = store.users.create({
    tenantId,
    emailAddress: "al@acme.test",
    firstName: "Al",
    lastName: "Ace",
    locale: "de-DE",
  }).id;
});

afterEach(async () => {
  await app.close();
  store.close();
  clock.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function put(body: unknown, user = userId, tenant = tenantId, token: string | null = ADMIN) {
  return app.inject({
    method: "PUT",
    url: `/api/admin/tenants/${tenant}/users/${user}/client-password`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    payload: body as object,
  });
}

function del(user = userId, tenant = tenantId) {
  return app.inject({
    method: "DELETE",
    url: `/api/admin/tenants/${tenant}/users/${user}/client-password`,
    headers: { authorization: `Bearer ${ADMIN}` },
  });
}

describe("PUT …/users/{userId}/client-password", () => {
  it("stores the HA1s for the user id and the realm, answers 204 without a body", async () => {
    const res = await put({ password: PASSWORD });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect(credentials.get(userId)).toEqual({
      userId,
      tenantId,
      realm: REALM,
      ha1Md5: digestHa1("MD5", userId, REALM, PASSWORD),
      ha1Sha256: digestHa1("SHA-256", userId, REALM, PASSWORD),
      setAt: clock.now(),
    });
  });

  it("never writes the password to the database file or the log", async () => {
    expect((await put({ password: PASSWORD })).statusCode).toBe(204);
    expect((await put({ password: "short" })).statusCode).toBe(400);
    db.pragma("wal_checkpoint(TRUNCATE)");
    const files = readdirSync(dir).map((f) => readFileSync(path.join(dir, f)));
    const all = Buffer.concat(files);
    // The HA1 is there (the grep reads the right bytes), the password is not.
    expect(all.includes(digestHa1("SHA-256", userId, REALM, PASSWORD))).toBe(true);
    expect(all.includes(PASSWORD)).toBe(false);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join("\n")).not.toContain(PASSWORD);
    expect(logs.join("\n")).not.toContain("short");
  });

  it("replaces an earlier password", async () => {
    await put({ password: PASSWORD });
    await put({ password: "another-password" });
    expect(credentials.get(userId)?.ha1Md5).toBe(digestHa1("MD5", userId, REALM, "another-password"));
  });

  it.each([
    ["too short", { password: "seven77" }],
    ["not a string", { password: 12345678 }],
    ["missing", {}],
    ["with a control character", { password: "tab\there-ok" }],
    ["with another field", { password: PASSWORD, user: "x" }],
  ])("answers 400 problem+json for a password %s", async (_name, body) => {
    const res = await put(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 400, code: "validation_failed" });
    expect(credentials.get(userId)).toBeUndefined();
  });

  it("answers 404 for an unknown user, a user of another tenant and an unknown tenant", async () => {
    expect((await put({ password: PASSWORD }, "us_unknown")).json()).toMatchObject({
      status: 404,
      code: "user_not_found",
    });
    const other = store.tenants.create({ name: "Other", apiKey: "other-key-0001-8wj3QYQt1aXpvVKHaddO" });
    expect((await put({ password: PASSWORD }, userId, other.id)).json()).toMatchObject({
      code: "user_not_found",
    });
    expect((await put({ password: PASSWORD }, userId, "tn_unknown")).json()).toMatchObject({
      code: "tenant_not_found",
    });
  });

  it("needs the admin token", async () => {
    const res = await put({ password: PASSWORD }, userId, tenantId, null);
    expect(res.statusCode).toBe(401);
    expect(credentials.get(userId)).toBeUndefined();
  });
});

describe("DELETE …/users/{userId}/client-password", () => {
  it("removes the credential and logs the user's clients out; repeating it is a no-op", async () => {
    await put({ password: PASSWORD });
    const res = await del();
    expect(res.statusCode).toBe(204);
    expect(credentials.get(userId)).toBeUndefined();
    expect(dropped).toEqual([{ userId, reason: "client password deleted" }]);
    expect((await del()).statusCode).toBe(204);
    expect(dropped).toHaveLength(1);
  });

  it("answers 404 for an unknown user", async () => {
    expect((await del("us_unknown")).json()).toMatchObject({ status: 404, code: "user_not_found" });
  });

  it("goes with the user when the user is deleted", async () => {
    await put({ password: PASSWORD });
    store.users.delete(userId);
    expect(credentials.get(userId)).toBeUndefined();
  });
});
