import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle, TrunkStatusEvent } from "../../src/index.js";
import { DEFAULT_SEED, OPEN_TRUNK, startTestEmulator, TRUNK } from "../support/emulator.js";
import { authorizationFor, parseChallenge, registerText, SipTestClient } from "../support/sip-test-client.js";
import { until } from "../support/until.js";

let emulator: EmulatorHandle;
let client: SipTestClient;
let events: TrunkStatusEvent[];

beforeEach(async () => {
  // Both algorithms offered, SHA-256 preferred (the default offers MD5 only).
  emulator = await startTestEmulator({
    seedText: DEFAULT_SEED,
    registrar: { digestAlgorithms: ["SHA-256", "MD5"] },
  });
  events = [];
  emulator.onTrunkStatus((e) => events.push(e));
  client = await SipTestClient.connectTls(emulator.ports.sip, { ca: emulator.certificates.caCertPem! });
});

afterEach(async () => {
  client.close();
  await emulator.close();
});

/** REGISTER, answer the 401 with the given algorithm, return the final response. */
async function register(options: {
  algorithm?: "MD5" | "SHA-256";
  password?: string;
  expires?: number | null;
  callId?: string;
  cseq?: number;
  contact?: string;
  contactParams?: string;
  via?: SipTestClient;
}) {
  const c = options.via ?? client;
  const callId = options.callId ?? `call-${Math.random()}`;
  const cseq = options.cseq ?? 1;
  const base = { user: TRUNK.username, localPort: c.localPort, callId, expires: options.expires ?? null };
  const first = await c.request(registerText({ ...base, cseq, ...pick(options) }));
  expect(first.status).toBe(401);
  const offered = first.headers.getAll("www-authenticate").map(parseChallenge);
  const challenge = offered.find((ch) => ch.algorithm === (options.algorithm ?? "SHA-256"))!;
  expect(challenge).toBeDefined();
  const authorization = authorizationFor({
    challenge,
    user: TRUNK.username,
    password: options.password ?? TRUNK.password,
    uri: "sip:phoneapp.unify.com",
  });
  const final = await c.request(registerText({ ...base, cseq: cseq + 1, authorization, ...pick(options) }));
  return { final, challenge, callId, cseq: cseq + 1 };
}

function pick(o: { contact?: string; contactParams?: string }) {
  return {
    ...(o.contact ? { contact: o.contact } : {}),
    ...(o.contactParams ? { contactParams: o.contactParams } : {}),
  };
}

describe("REGISTER with digest authentication", () => {
  it("challenges with every configured algorithm in order, qop=auth, realm = the connector domain", async () => {
    const res = await client.request(registerText({ user: TRUNK.username, localPort: client.localPort }));
    expect(res.status).toBe(401);
    const challenges = res.headers.getAll("www-authenticate").map(parseChallenge);
    expect(challenges.map((c) => c.algorithm)).toEqual(["SHA-256", "MD5"]);
    for (const c of challenges) {
      expect(c.realm).toBe("phoneapp.unify.com");
      expect(c.qop).toBe("auth");
      expect(c.nonce.length).toBeGreaterThan(16);
    }
    expect(res.to.params.tag).toBeTruthy();
    expect(emulator.bindings()).toHaveLength(0);
  });

  it.each(["SHA-256", "MD5"] as const)("registers with %s and binds the contact", async (algorithm) => {
    const { final } = await register({ algorithm });
    expect(final.status).toBe(200);
    const contacts = final.headers.getAll("contact");
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toContain(`sip:${TRUNK.username}@127.0.0.1:${client.localPort}`);
    expect(contacts[0]).toMatch(/;expires=600$/);
    expect(final.headers.get("date")).toMatch(/GMT$/);
    const [binding] = emulator.bindings();
    expect(binding).toMatchObject({ aor: TRUNK.username, transport: "TLS" });
    expect(events.map((e) => e.status)).toEqual(["available"]);
  });

  it("refuses a wrong password with 403 and binds nothing", async () => {
    const { final } = await register({ password: "wrong-password" });
    expect(final.status).toBe(403);
    expect(final.reason).toMatch(/Forbidden/);
    expect(emulator.bindings()).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it("answers an expired nonce with a new challenge marked stale=true", async () => {
    const first = await client.request(
      registerText({ user: TRUNK.username, localPort: client.localPort, cseq: 1, callId: "st" }),
    );
    const challenge = first.headers.getAll("www-authenticate").map(parseChallenge)[0]!;
    emulator.clock.advance(301_000);
    const authorization = authorizationFor({
      challenge,
      user: TRUNK.username,
      password: TRUNK.password,
      uri: "sip:phoneapp.unify.com",
    });
    const res = await client.request(
      registerText({
        user: TRUNK.username,
        localPort: client.localPort,
        cseq: 2,
        callId: "st",
        authorization,
      }),
    );
    expect(res.status).toBe(401);
    const fresh = res.headers.getAll("www-authenticate").map(parseChallenge);
    expect(fresh[0]!.stale).toBe("true");
    expect(fresh[0]!.nonce).not.toBe(challenge.nonce);
  });

  it("refuses a replayed nonce count and accepts a higher one", async () => {
    const first = await client.request(
      registerText({ user: TRUNK.username, localPort: client.localPort, cseq: 1, callId: "nc" }),
    );
    const challenge = first.headers.getAll("www-authenticate").map(parseChallenge)[0]!;
    const auth = (nc: number) =>
      authorizationFor({
        challenge,
        user: TRUNK.username,
        password: TRUNK.password,
        uri: "sip:phoneapp.unify.com",
        nc,
      });
    const ok = await client.request(
      registerText({
        user: TRUNK.username,
        localPort: client.localPort,
        cseq: 2,
        callId: "nc",
        authorization: auth(1),
      }),
    );
    expect(ok.status).toBe(200);
    const replay = await client.request(
      registerText({
        user: TRUNK.username,
        localPort: client.localPort,
        cseq: 3,
        callId: "nc",
        authorization: auth(1),
      }),
    );
    expect(replay.status).toBe(401);
    const next = await client.request(
      registerText({
        user: TRUNK.username,
        localPort: client.localPort,
        cseq: 4,
        callId: "nc",
        authorization: auth(2),
      }),
    );
    expect(next.status).toBe(200);
  });

  it("locks a source out after repeated wrong passwords", async () => {
    for (let i = 0; i < 10; i++) {
      expect((await register({ password: `nope-${i}`, callId: `lock-${i}` })).final.status).toBe(403);
    }
    const locked = await client.request(registerText({ user: TRUNK.username, localPort: client.localPort }));
    expect(locked.status).toBe(403);
    expect(locked.reason).toMatch(/too many failed/);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    emulator.clock.advance(61_000);
    expect((await register({ callId: "after-lockout" })).final.status).toBe(200);
  });

  it("challenges an unknown trunk user like a known one (no enumeration; registrar-auth.test.ts)", async () => {
    const res = await client.request(registerText({ user: "9999999999", localPort: client.localPort }));
    expect(res.status).toBe(401);
    expect(res.reason).not.toContain("9999999999");
  });

  it("by default offers MD5 only and refuses SHA-256 credentials it did not offer", async () => {
    const plain = await startTestEmulator({ seedText: DEFAULT_SEED });
    const c = await SipTestClient.connectTls(plain.ports.sip, { ca: plain.certificates.caCertPem! });
    try {
      const res = await c.request(
        registerText({ user: TRUNK.username, localPort: c.localPort, callId: "alg" }),
      );
      const challenges = res.headers.getAll("www-authenticate").map(parseChallenge);
      expect(challenges.map((ch) => ch.algorithm)).toEqual(["MD5"]);
      const sha = { ...challenges[0]!, algorithm: "SHA-256" };
      const uri = "sip:phoneapp.unify.com";
      const refused = await c.request(
        registerText({
          user: TRUNK.username,
          localPort: c.localPort,
          callId: "alg",
          cseq: 2,
          authorization: authorizationFor({
            challenge: sha,
            user: TRUNK.username,
            password: TRUNK.password,
            uri,
          }),
        }),
      );
      expect(refused.status).toBe(401);
      const accepted = await c.request(
        registerText({
          user: TRUNK.username,
          localPort: c.localPort,
          callId: "alg",
          cseq: 3,
          authorization: authorizationFor({
            challenge: challenges[0]!,
            user: TRUNK.username,
            password: TRUNK.password,
            uri,
          }),
        }),
      );
      expect(accepted.status).toBe(200);
    } finally {
      c.close();
      await plain.close();
    }
  });

  it("registers a trunk whose authentication is disabled without a challenge", async () => {
    const res = await client.request(
      registerText({ user: OPEN_TRUNK.username, localPort: client.localPort }),
    );
    expect(res.status).toBe(200);
  });
});

describe("expiry", () => {
  it("answers an interval below 60 s with 423 and Min-Expires", async () => {
    const { final } = await register({ expires: 30 });
    expect(final.status).toBe(423);
    expect(final.headers.get("min-expires")).toBe("60");
  });

  it("caps expiry at 3600 s and honours the contact's own expires parameter", async () => {
    const capped = await register({ expires: 100_000 });
    expect(capped.final.headers.get("contact")).toMatch(/;expires=3600$/);
    const own = await register({
      expires: 3000,
      contactParams: ";expires=120",
      callId: capped.callId,
      cseq: 10,
    });
    expect(own.final.headers.get("contact")).toMatch(/;expires=120$/);
  });

  it("expires a binding on the emulator clock and reports the connector unavailable", async () => {
    await register({ expires: 120 });
    expect(emulator.bindings()).toHaveLength(1);
    emulator.clock.advance(119_000);
    expect(emulator.bindings()).toHaveLength(1);
    emulator.clock.advance(2_000);
    expect(emulator.bindings()).toHaveLength(0);
    expect(events.map((e) => [e.status, e.reason])).toEqual([
      ["available", "registered"],
      ["unavailable", "expired"],
    ]);
  });

  it("a refresh extends the binding", async () => {
    const first = await register({ expires: 120 });
    emulator.clock.advance(100_000);
    await register({ expires: 120, callId: first.callId, cseq: 10 });
    emulator.clock.advance(100_000);
    expect(emulator.bindings()).toHaveLength(1);
    emulator.clock.advance(30_000);
    expect(emulator.bindings()).toHaveLength(0);
  });
});

describe("unregister and several contacts", () => {
  it("keeps several contacts and removes one with expires=0", async () => {
    const a = await register({ contact: `<sip:${TRUNK.username}@127.0.0.1:5001;transport=tls>` });
    const b = await register({
      contact: `<sip:${TRUNK.username}@127.0.0.1:5002;transport=tls>`,
      callId: a.callId,
      cseq: 10,
    });
    expect(b.final.headers.getAll("contact")).toHaveLength(2);
    const c = await register({
      contact: `<sip:${TRUNK.username}@127.0.0.1:5001;transport=tls>`,
      expires: 0,
      callId: a.callId,
      cseq: 20,
    });
    expect(c.final.status).toBe(200);
    expect(c.final.headers.getAll("contact")).toHaveLength(1);
    expect(events.map((e) => e.status)).toEqual(["available"]);
  });

  it("Contact: * with Expires: 0 removes every binding", async () => {
    await register({});
    const { final } = await register({ contact: "*", expires: 0, callId: "star" });
    expect(final.status).toBe(200);
    expect(final.headers.has("contact")).toBe(false);
    expect(emulator.bindings()).toHaveLength(0);
    expect(events.map((e) => [e.status, e.reason])).toEqual([
      ["available", "registered"],
      ["unavailable", "unregistered"],
    ]);
  });

  it("Contact: * without Expires: 0 is a 400", async () => {
    const { final } = await register({ contact: "*", expires: 60 });
    expect(final.status).toBe(400);
  });

  it("refuses an out-of-order CSeq for the same Call-ID with 500", async () => {
    const first = await register({ callId: "order", cseq: 10 });
    expect(first.final.status).toBe(200);
    const stale = await register({ callId: "order", cseq: 3 });
    expect(stale.final.status).toBe(500);
  });
});

describe("bindings and connections", () => {
  it("drops the binding when its TLS connection closes", async () => {
    await register({});
    expect(emulator.bindings()).toHaveLength(1);
    client.close();
    await until(() => emulator.bindings().length === 0);
    expect(events.at(-1)).toMatchObject({ status: "unavailable" });
    expect(events.at(-1)!.reason).toMatch(/^connection closed/);
  });

  it("a binding moves to the connection of the latest REGISTER", async () => {
    const contact = `<sip:${TRUNK.username}@10.0.0.1:5061;transport=tls>`;
    const first = await register({ contact });
    const other = await SipTestClient.connectTls(emulator.ports.sip, {
      ca: emulator.certificates.caCertPem!,
    });
    await register({ contact, via: other, callId: first.callId, cseq: 10 });
    client.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(emulator.bindings()).toHaveLength(1);
    other.close();
    await until(() => emulator.bindings().length === 0);
  });
});
