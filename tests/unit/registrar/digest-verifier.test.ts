import { afterEach, describe, expect, it } from "vitest";
import { type CountedResponse, digestHa1, digestResponse } from "../../../src/registrar/digest.js";
import { DigestVerifier } from "../../../src/registrar/digest-verifier.js";
import { NonceService } from "../../../src/registrar/nonce-service.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { parseMessage, readDigestCredentials, type SipRequest } from "../../../src/sip/message/index.js";

const REALM = "phoneapp.unify.com";
const URI = `sip:${REALM}`;
const USER = "3919209257";
const PASSWORD = "s3cret";

const clock = new ControllableClock({ start: 1_700_000_000_000, frozen: true });
afterEach(() => clock.set(1_700_000_000_000));

function setup(algorithms: ("MD5" | "SHA-256")[] = ["MD5"]) {
  const verifier = new DigestVerifier(REALM, new NonceService(clock, 60_000), algorithms);
  const nonce = /nonce="([^"]+)"/.exec(verifier.challenges(false)[0]!)![1]!;
  return { verifier, nonce };
}

function register(...authorizations: string[]): SipRequest {
  const lines = [
    `REGISTER ${URI} SIP/2.0`,
    "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1",
    `From: <sip:${USER}@${REALM}>;tag=1`,
    `To: <sip:${USER}@${REALM}>`,
    "Call-ID: c1",
    "CSeq: 1 REGISTER",
    ...authorizations.map((a) => `Authorization: ${a}`),
    "Content-Length: 0",
  ];
  return parseMessage(Buffer.from(`${lines.join("\r\n")}\r\n\r\n`)) as SipRequest;
}

function credentials(
  nonce: string,
  o: {
    nc?: string;
    algorithm?: "MD5" | "SHA-256";
    password?: string;
    realm?: string;
    response?: string;
  } = {},
) {
  const nc = o.nc ?? "00000001";
  const algorithm = o.algorithm ?? "MD5";
  const response =
    o.response ??
    digestResponse({
      algorithm,
      username: USER,
      realm: REALM,
      password: o.password ?? PASSWORD,
      method: "REGISTER",
      uri: URI,
      nonce,
      qop: { nc, cnonce: "c0ffee" },
    });
  return (
    `Digest username="${USER}", realm="${o.realm ?? REALM}", nonce="${nonce}", uri="${URI}", ` +
    `response="${response}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="c0ffee"`
  );
}

describe("DigestVerifier", () => {
  it("fills and uses the caller's H(A1) cache when one is given", () => {
    const { verifier, nonce } = setup(["MD5"]);
    const cache: { MD5?: string } = {};
    expect(verifier.verify(register(credentials(nonce)), USER, PASSWORD, cache)).toEqual({ kind: "ok" });
    expect(cache.MD5).toBe(digestHa1("MD5", USER, REALM, PASSWORD));
    // What the cache holds is what counts: a stale entry makes the right password fail.
    const stale = { MD5: digestHa1("MD5", USER, REALM, "old-password") };
    expect(
      verifier.verify(register(credentials(nonce, { nc: "00000002" })), USER, PASSWORD, stale).kind,
    ).toBe("wrong");
  });

  it.each(["MD5", "SHA-256"] as const)(
    "accepts the right %s response, from the password or H(A1)",
    (algorithm) => {
      const { verifier, nonce } = setup([algorithm]);
      expect(verifier.verify(register(credentials(nonce, { algorithm })), USER, PASSWORD, {})).toEqual({
        kind: "ok",
      });
      const ha1 = digestHa1(algorithm, USER, REALM, PASSWORD);
      const refresh = register(credentials(nonce, { algorithm, nc: "00000002" }));
      expect(verifier.verifyHa1(refresh, USER, { [algorithm]: ha1 })).toEqual({ kind: "ok" });
    },
  );

  it("compares the response case-insensitively", () => {
    const { verifier, nonce } = setup();
    const upper = /response="([^"]+)"/.exec(credentials(nonce))![1]!.toUpperCase();
    expect(verifier.verify(register(credentials(nonce, { response: upper })), USER, PASSWORD, {}).kind).toBe(
      "ok",
    );
  });

  it.each([
    ["a wrong password", { password: "guess" }],
    ["a response that is not hex", { response: "z".repeat(32) }],
    ["a response one digit short", { response: "0".repeat(31) }],
    ["a response one digit long", { response: "0".repeat(33) }],
    ["an empty-looking response", { response: " ".repeat(32) }],
  ])("says wrong for %s", (_name, o) => {
    const { verifier, nonce } = setup();
    expect(verifier.verify(register(credentials(nonce, o)), USER, PASSWORD, {})).toEqual({
      kind: "wrong",
      why: "wrong password",
    });
  });

  it("finds our realm's credentials among several Authorization headers, skipping malformed ones", () => {
    const { verifier, nonce } = setup();
    const other = credentials(nonce, { realm: "elsewhere.example" });
    const malformed = `${credentials(nonce)}, realm="${REALM}"`;
    const request = register(other, malformed, credentials(nonce));
    expect(verifier.verify(request, USER, PASSWORD, {})).toEqual({ kind: "ok" });
  });

  it("challenges when no credentials are for our realm or all are malformed", () => {
    const { verifier, nonce } = setup();
    const none = { kind: "challenge", stale: false, why: "no credentials for our realm" };
    expect(verifier.verify(register(), USER, PASSWORD, {})).toEqual(none);
    expect(verifier.verify(register(credentials(nonce, { realm: "x" })), USER, PASSWORD, {})).toEqual(none);
    expect(verifier.verify(register(`${credentials(nonce)} nc=1`), USER, PASSWORD, {})).toEqual(none);
    expect(
      verifier.verify(register(`Basic ${Buffer.from("u:p").toString("base64")}`), USER, PASSWORD, {}),
    ).toEqual(none);
  });

  it("re-challenges a replayed nonce-count and a stale nonce", () => {
    const { verifier, nonce } = setup();
    expect(verifier.verify(register(credentials(nonce)), USER, PASSWORD, {}).kind).toBe("ok");
    expect(verifier.verify(register(credentials(nonce)), USER, PASSWORD, {})).toMatchObject({
      kind: "challenge",
      why: "nonce count replayed",
    });
    clock.advance(60_001);
    expect(
      verifier.verify(register(credentials(nonce, { nc: "00000002" })), USER, PASSWORD, {}),
    ).toMatchObject({
      kind: "challenge",
      stale: true,
    });
  });

  describe("confirm: a refresh's nonce, nc, cnonce and response read from its bytes", () => {
    /** The bytes of a request with these credentials, and where its counted values are in them. */
    function counted(authorization: string): { bytes: Buffer; counted: CountedResponse } {
      const text = `REGISTER ${URI} SIP/2.0\r\nAuthorization: ${authorization}\r\n\r\n`;
      const span = (pattern: RegExp) => {
        const m = pattern.exec(text)!;
        const start = m.index + m[0].indexOf(m[1]!);
        return [start, start + m[1]!.length] as const;
      };
      const [ncStart, ncEnd] = span(/ nc=([^,\s]+)/);
      const [cnonceStart, cnonceEnd] = span(/cnonce="([^"]+)"/);
      const [responseStart, responseEnd] = span(/response="([^"]*)"/);
      const nonce = / nonce="([^"]+)"/.exec(text)![1]!;
      return {
        bytes: Buffer.from(text, "latin1"),
        counted: { nonce, ncStart, ncEnd, cnonceStart, cnonceEnd, responseStart, responseEnd },
      };
    }
    const first = (nonce: string, o: Parameters<typeof credentials>[1] = {}) =>
      readDigestCredentials(credentials(nonce, o))!;

    it.each(["MD5", "SHA-256"] as const)(
      "accepts the right %s refresh, from the password or H(A1), and uses its nonce count up",
      (algorithm) => {
        const { verifier, nonce } = setup([algorithm]);
        const p = first(nonce, { algorithm });
        const two = counted(credentials(nonce, { algorithm, nc: "00000002" }));
        expect(verifier.confirm(p, two.bytes, two.counted, "REGISTER", USER, PASSWORD, {})).toBe(true);
        expect(verifier.confirm(p, two.bytes, two.counted, "REGISTER", USER, PASSWORD, {})).toBe(false);
        const ha1 = { [algorithm]: digestHa1(algorithm, USER, REALM, PASSWORD) };
        const three = counted(credentials(nonce, { algorithm, nc: "00000003" }));
        expect(verifier.confirmHa1(p, three.bytes, three.counted, "REGISTER", ha1)).toBe(true);
        // The general path agrees that 3 is used.
        const again = register(credentials(nonce, { algorithm, nc: "00000003" }));
        expect(verifier.verify(again, USER, PASSWORD, {})).toMatchObject({ why: "nonce count replayed" });
      },
    );

    it("compares the response case-insensitively", () => {
      const { verifier, nonce } = setup();
      const upper = /response="([^"]+)"/.exec(credentials(nonce))![1]!.toUpperCase();
      const refresh = counted(credentials(nonce, { response: upper }));
      expect(
        verifier.confirm(first(nonce), refresh.bytes, refresh.counted, "REGISTER", USER, PASSWORD, {}),
      ).toBe(true);
    });

    it.each([
      ["a wrong password", { password: "guess" }],
      ["a response that is not hex", { response: "z".repeat(32) }],
      ["a response one digit short", { response: "0".repeat(31) }],
      ["a response one digit long", { response: "0".repeat(33) }],
      ["a nonce count that is not 8 hex digits", { nc: "0000001" }],
    ])("refuses %s and leaves the nonce count unused", (_name, o) => {
      const { verifier, nonce } = setup();
      const wrong = counted(credentials(nonce, o));
      expect(verifier.confirm(first(nonce), wrong.bytes, wrong.counted, "REGISTER", USER, PASSWORD, {})).toBe(
        false,
      );
      expect(verifier.verify(register(credentials(nonce)), USER, PASSWORD, {})).toEqual({ kind: "ok" });
    });

    it("refuses a stale nonce, an algorithm not offered, and a text too long to assemble", () => {
      const { verifier, nonce } = setup(["SHA-256"]);
      const md5 = counted(credentials(nonce));
      expect(verifier.confirm(first(nonce), md5.bytes, md5.counted, "REGISTER", USER, PASSWORD, {})).toBe(
        false,
      );
      const sha = setup(["MD5"]);
      // Right, but its cnonce too long for the scratch: declined, and the general path accepts it.
      const cnonce = "c".repeat(600);
      const response = digestResponse({
        ...{ algorithm: "MD5", username: USER, realm: REALM, password: PASSWORD },
        ...{ method: "REGISTER", uri: URI, nonce: sha.nonce, qop: { nc: "00000001", cnonce } },
      });
      const long = credentials(sha.nonce, { response }).replace('cnonce="c0ffee"', `cnonce="${cnonce}"`);
      const longRefresh = counted(long);
      const p = first(sha.nonce);
      expect(
        sha.verifier.confirm(p, longRefresh.bytes, longRefresh.counted, "REGISTER", USER, PASSWORD, {}),
      ).toBe(false);
      expect(sha.verifier.verify(register(long), USER, PASSWORD, {})).toEqual({ kind: "ok" });
      clock.advance(60_001);
      const late = counted(credentials(sha.nonce, { nc: "00000002" }));
      expect(sha.verifier.confirm(p, late.bytes, late.counted, "REGISTER", USER, PASSWORD, {})).toBe(false);
    });
  });
});
