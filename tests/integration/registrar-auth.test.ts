import { createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { DEFAULT_SEED, startTestEmulator, TRUNK } from "../support/emulator.js";
import { authorizationFor, parseChallenge, registerText, SipTestClient } from "../support/sip-test-client.js";

// Issue 9 (3, 4, 5): qop-less digest, lockouts per target and with back-off, trunk-user enumeration.

const URI = "sip:phoneapp.unify.com";
let emulator: EmulatorHandle;
const clients: SipTestClient[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({ seedText: DEFAULT_SEED });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await emulator.close();
});

/** A TLS connection to the SIP port from a loopback source address (127.0.0.x). */
async function connect(localAddress = "127.0.0.1"): Promise<SipTestClient> {
  const c = await SipTestClient.connectTls(emulator.ports.sip, {
    ca: emulator.certificates.caCertPem!,
    localAddress,
  });
  clients.push(c);
  return c;
}

/** REGISTER → 401 → REGISTER with credentials; the final response. */
async function register(c: SipTestClient, options: { user?: string; password?: string } = {}) {
  const user = options.user ?? TRUNK.username;
  const callId = randomBytes(6).toString("hex");
  const first = await c.request(registerText({ user, localPort: c.localPort, callId, cseq: 1 }));
  expect(first.status).toBe(401);
  const challenge = parseChallenge(first.headers.getAll("www-authenticate")[0]!);
  const authorization = authorizationFor({
    challenge,
    user,
    password: options.password ?? TRUNK.password,
    uri: URI,
  });
  return c.request(registerText({ user, localPort: c.localPort, callId, cseq: 2, authorization }));
}

/** An RFC 2069 response: no qop, no nc, no cnonce — nothing ties it to one use. */
function qopLessAuthorization(challenge: Record<string, string>): string {
  const md5 = (s: string) => createHash("md5").update(s).digest("hex");
  const ha1 = md5(`${TRUNK.username}:${challenge.realm}:${TRUNK.password}`);
  const response = md5(`${ha1}:${challenge.nonce}:${md5(`REGISTER:${URI}`)}`);
  return `Digest username="${TRUNK.username}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${URI}", response="${response}", algorithm=MD5`;
}

describe("digest requires qop=auth (issue 9.3)", () => {
  it("refuses a qop-less response, so a captured one cannot be replayed from another address", async () => {
    const pbx = await connect("127.0.0.1");
    const first = await pbx.request(registerText({ user: TRUNK.username, localPort: pbx.localPort }));
    const challenge = parseChallenge(first.headers.getAll("www-authenticate")[0]!);
    expect(challenge.qop).toBe("auth");
    const authorization = qopLessAuthorization(challenge);
    const own = await pbx.request(
      registerText({ user: TRUNK.username, localPort: pbx.localPort, cseq: 2, authorization }),
    );
    expect([own.status, own.reason]).toEqual([
      400,
      "Bad Request: digest credentials without qop=auth are not accepted",
    ]);
    // The same Authorization replayed by someone else (last-wins would hand them the trunk).
    const thief = await connect("127.0.0.2");
    const replay = await thief.request(
      registerText({ user: TRUNK.username, localPort: thief.localPort, cseq: 2, authorization }),
    );
    expect(replay.status).toBe(400);
    expect(emulator.bindings()).toHaveLength(0);
  });
});

describe("unknown trunk users look like known ones (issue 9.5)", () => {
  it("challenges an unknown user with 401 and refuses its credentials as a wrong password", async () => {
    const c = await connect();
    const known = await c.request(registerText({ user: TRUNK.username, localPort: c.localPort }));
    const unknown = await c.request(registerText({ user: "9999999999", localPort: c.localPort }));
    expect([unknown.status, unknown.reason]).toEqual([known.status, known.reason]);
    const shape = (r: typeof known) =>
      r.headers.getAll("www-authenticate").map((v) => v.replace(/nonce="[^"]*"/, 'nonce="…"'));
    expect(shape(unknown)).toEqual(shape(known));

    const wrongPassword = await register(c, { password: "not-the-password" });
    const unknownUser = await register(c, { user: "9999999999", password: TRUNK.password });
    expect([unknownUser.status, unknownUser.reason]).toEqual([403, "Forbidden: wrong password"]);
    expect([unknownUser.status, unknownUser.reason]).toEqual([wrongPassword.status, wrongPassword.reason]);
    expect(unknownUser.headers.has("warning")).toBe(false);
  });
});

describe("lockouts (issue 9.4)", () => {
  it("counts failures per trunk user across sources: guesses spread over addresses lock new sources", async () => {
    const pbx = await connect("127.0.0.1");
    expect((await register(pbx)).status).toBe(200);
    for (let i = 2; i <= 11; i++) {
      const guesser = await connect(`127.0.0.${i}`);
      expect((await register(guesser, { password: `guess-${i}` })).status).toBe(403);
    }
    const stranger = await connect("127.0.0.12");
    const locked = await stranger.request(
      registerText({ user: TRUNK.username, localPort: stranger.localPort }),
    );
    expect([locked.status, locked.reason]).toEqual([
      403,
      "Forbidden: too many failed authentication attempts",
    ]);
    expect(Number(locked.headers.get("retry-after"))).toBe(60);
    // Someone else's failures lock out neither the PBX's connection nor its address.
    expect((await register(pbx)).status).toBe(200);
    expect((await register(await connect("127.0.0.1"))).status).toBe(200);
  });

  it("keeps the PBX's registered connection working while others at its address are locked out", async () => {
    const pbx = await connect();
    expect((await register(pbx)).status).toBe(200);
    const neighbour = await connect();
    for (let i = 0; i < 10; i++) expect((await register(neighbour, { password: `n-${i}` })).status).toBe(403);
    const locked = await neighbour.request(
      registerText({ user: TRUNK.username, localPort: neighbour.localPort }),
    );
    expect(locked.reason).toBe("Forbidden: too many failed authentication attempts");
    expect((await register(pbx)).status).toBe(200);
  });

  it("a success halves the count rather than clearing it: valid attempts between guesses do not help", async () => {
    const guesser = await connect();
    for (let i = 0; i < 9; i++) expect((await register(guesser, { password: `a-${i}` })).status).toBe(403);
    const valid = await connect();
    expect((await register(valid)).status).toBe(200);
    valid.close();
    const statuses: string[] = [];
    for (let i = 0; i < 9; i++) {
      const first = await guesser.request(
        registerText({ user: TRUNK.username, localPort: guesser.localPort, callId: `b-${i}` }),
      );
      if (first.status !== 401) {
        statuses.push(`${first.status} ${first.reason}`);
        break;
      }
      statuses.push(String((await register(guesser, { password: `b-${i}` })).status));
    }
    // 9 failures, halved to 4 by the success, lock at the 10th: after 6 more.
    expect(statuses).toEqual([
      ...Array(6).fill("403"),
      "403 Forbidden: too many failed authentication attempts",
    ]);
  });

  it("backs off exponentially: each further lock of the same source lasts twice as long", async () => {
    const guesser = await connect();
    const lockAfterGuesses = async () => {
      for (let i = 0; i < 10; i++) expect((await register(guesser, { password: `g-${i}` })).status).toBe(403);
      const locked = await guesser.request(
        registerText({ user: TRUNK.username, localPort: guesser.localPort }),
      );
      expect(locked.status).toBe(403);
      return Number(locked.headers.get("retry-after"));
    };
    expect(await lockAfterGuesses()).toBe(60);
    emulator.clock.advance(61_000);
    expect(await lockAfterGuesses()).toBe(120);
    emulator.clock.advance(121_000);
    expect(await lockAfterGuesses()).toBe(240);
  });

  it("counts failures per source across trunk users: spraying many users locks the address", async () => {
    const sprayer = await connect("127.0.0.2");
    for (let i = 0; i < 10; i++) {
      const user = `50000000${String(i).padStart(2, "0")}`;
      expect((await register(sprayer, { user, password: "Passw0rd" })).status).toBe(403);
    }
    const locked = await sprayer.request(
      registerText({ user: TRUNK.username, localPort: sprayer.localPort }),
    );
    expect(locked.reason).toBe("Forbidden: too many failed authentication attempts");
    expect((await register(await connect("127.0.0.1"))).status).toBe(200);
  });
});
