import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthLockout } from "../../../src/auth/index.js";
import { ApiError } from "../../../src/errors/index.js";
import { digestHa1 } from "../../../src/registrar/index.js";
import { CLIENT_SESSION_IDLE_MS, ClientSessionService } from "../../../src/services/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { openStore, type SqliteStore } from "../../../src/store/index.js";

const REALM = "phoneapp.unify.com";
const PASSWORD = "al-client-pass-1";

let clock: ControllableClock;
let store: SqliteStore;
let sessions: ClientSessionService;
let userId: string;

function setPassword(password: string): void {
  store.clientCredentials.set({
    userId,
    realm: REALM,
    ha1Md5: digestHa1("MD5", userId, REALM, password),
    ha1Sha256: digestHa1("SHA-256", userId, REALM, password),
    setAt: clock.now(),
  });
}

beforeEach(() => {
  clock = new ControllableClock({ start: 1_700_000_000_000, frozen: true });
  store = openStore({ ephemeral: true, clock });
  const tenant = store.tenants.create({ name: "Acme" });
  userId = store.users.create({
    tenantId: tenant.id,
    emailAddress: "al@acme.test",
    firstName: "Al",
    lastName: "Ace",
    locale: "de-DE",
  }).id;
  setPassword(PASSWORD);
  const lockout = new AuthLockout(clock, { maxFailures: 10, lockoutMs: 60_000 });
  sessions = new ClientSessionService(store, { realm: REALM, clock, lockout });
});

afterEach(() => store.close());

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return "no error";
}

const signIn = (password = PASSWORD) =>
  sessions.signIn("127.0.0.1", { tenant: "acme", user: "al@acme.test", password });

describe("ClientSessionService", () => {
  it("keeps a session while it is used, and ends it after an hour unused", () => {
    const { token } = signIn();
    clock.advance(CLIENT_SESSION_IDLE_MS - 1);
    expect(sessions.authenticate(token).user.id).toBe(userId);
    // Each use restarts the idle time.
    clock.advance(CLIENT_SESSION_IDLE_MS - 1);
    expect(sessions.authenticate(token).user.id).toBe(userId);
    clock.advance(CLIENT_SESSION_IDLE_MS);
    expect(code(() => sessions.authenticate(token))).toBe("client_session_invalid");
  });

  it("ends the sessions opened with a password once it is set again, even to the same value", () => {
    const { token } = signIn();
    clock.advance(1);
    setPassword(PASSWORD);
    expect(code(() => sessions.authenticate(token))).toBe("client_session_invalid");
    expect(sessions.authenticate(signIn().token).user.id).toBe(userId);
  });

  it("ends them when the password is deleted", () => {
    const { token } = signIn();
    store.clientCredentials.delete(userId);
    expect(code(() => sessions.authenticate(token))).toBe("client_session_invalid");
    expect(code(() => signIn())).toBe("client_sign_in_failed");
  });

  it("hands out distinct tokens and keeps each one's session apart", () => {
    const a = signIn().token;
    const b = signIn().token;
    expect(a).not.toBe(b);
    sessions.signOut(a);
    expect(code(() => sessions.authenticate(a))).toBe("client_session_invalid");
    expect(sessions.authenticate(b).user.id).toBe(userId);
  });

  it("locks the user after 10 failures, for the lockout period", () => {
    for (let i = 0; i < 10; i++) expect(code(() => signIn(`wrong-${i}-xxxx`))).toBe("client_sign_in_failed");
    expect(code(() => signIn())).toBe("rate_limited");
    clock.advance(60_000);
    expect(sessions.authenticate(signIn().token).user.id).toBe(userId);
  });
});
