/**
 * readDigestCredentials: the registrar's one-pass reader of Digest credentials must accept
 * and refuse exactly what parseAuthParams does (checked on generated near-valid headers).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAuthParams, readDigestCredentials } from "../../../../src/sip/message/index.js";

const FIELDS = ["username", "realm", "nonce", "uri", "response", "algorithm", "qop", "nc", "cnonce"] as const;

const HEADER =
  'Digest username="3919209257", realm="phoneapp.unify.com", nonce="AAABjK3mZxQ1r2b3c4d5e6f7g8h9i0jk", ' +
  'uri="sip:phoneapp.unify.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, qop=auth, ' +
  'nc=00000001, cnonce="0a4f113b"';

/** What parseAuthParams says about `text`, in readDigestCredentials' terms. */
function reference(text: string): Record<string, string | undefined> | undefined {
  let parsed: ReturnType<typeof parseAuthParams>;
  try {
    parsed = parseAuthParams(text);
  } catch {
    return undefined;
  }
  if (parsed.scheme.toLowerCase() !== "digest") return undefined;
  return Object.fromEntries(FIELDS.map((f) => [f, parsed.params[f]]));
}

function read(text: string): Record<string, string | undefined> | undefined {
  const c = readDigestCredentials(text);
  return c && Object.fromEntries(FIELDS.map((f) => [f, c[f]]));
}

describe("readDigestCredentials", () => {
  it("reads the fields of a client's Authorization, quoted and token values", () => {
    expect(read(HEADER)).toEqual({
      username: "3919209257",
      realm: "phoneapp.unify.com",
      nonce: "AAABjK3mZxQ1r2b3c4d5e6f7g8h9i0jk",
      uri: "sip:phoneapp.unify.com",
      response: "6629fae49393a05397450978507c4ef1",
      algorithm: "MD5",
      qop: "auth",
      nc: "00000001",
      cnonce: "0a4f113b",
    });
  });

  it("takes scheme and names in any case, LWS around '=' and ',', empty elements, other parameters", () => {
    const c = readDigestCredentials(
      '  DIGEST  UserName = "a" ,, Realm="r",opaque=x ,NONCE=n, nonces="other" ,',
    );
    expect(c).toMatchObject({ username: "a", realm: "r", nonce: "n" });
    expect(c?.cnonce).toBeUndefined();
    expect(readDigestCredentials("Digest")).toMatchObject({ realm: undefined });
  });

  it("decodes quoted-pairs and keeps commas and quotes inside quoted values", () => {
    expect(readDigestCredentials('Digest username="a\\"b,c", realm="x\\\\y"')).toMatchObject({
      username: 'a"b,c',
      realm: "x\\y",
    });
  });

  it.each([
    ["another scheme", 'Basic realm="r"'],
    ["token68", "Basic dXNlcjpwYXNz"],
    ["empty", ""],
    ["a repeated field", 'Digest realm="a", realm="b"'],
    ["a repeated field in another case", 'Digest realm="a", REALM="a"'],
    ["a repeated other parameter", 'Digest realm="a", opaque=x, Opaque="x"'],
    ["a missing comma", 'Digest realm="a" nonce="b"'],
    ["an empty token value", "Digest realm=, nonce=x"],
    ["an unterminated quote", 'Digest realm="a'],
    ["an unterminated quote after a quoted-pair", 'Digest realm="a\\"'],
    ["no space after the scheme", 'Digest,realm="a"'],
    ["a name without value", "Digest realm"],
    ["garbage", 'Digest realm="a", @@@'],
  ])("refuses %s", (_name, text) => {
    expect(readDigestCredentials(text)).toBeUndefined();
    expect(reference(text)).toBeUndefined();
  });

  it("agrees with parseAuthParams on generated headers, valid or slightly broken", () => {
    /** Mostly well-formed pieces, now and then a broken one. */
    const mostly = (good: fc.Arbitrary<string>, bad: fc.Arbitrary<string>) =>
      fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });
    const name = mostly(
      fc.oneof(
        fc.constantFrom(...FIELDS, "opaque", "nonces", "NC", "Realm", "uri2"),
        fc.stringMatching(/^[A-Za-z!%*_+`'~.-]{1,6}$/),
      ),
      fc.constantFrom("", "@", "a b"),
    );
    const value = mostly(
      fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,8}$/),
        fc.stringMatching(/^[a-z, =]{0,8}$/).map((s) => `"${s}"`),
        fc.stringMatching(/^[a-z"\\]{0,6}$/).map((s) => `"${s.replaceAll(/\\|"/g, (m) => `\\${m}`)}"`),
      ),
      fc.oneof(
        fc.constant(""),
        fc.string({ maxLength: 6 }).map((s) => `"${s}"`),
      ),
    );
    const eq = mostly(fc.constantFrom("=", " = ", "\t="), fc.constantFrom("", "=="));
    const sep = mostly(fc.constantFrom(",", ", ", " , ", ",,", ",\t"), fc.constantFrom(" ", ""));
    const header = fc
      .tuple(
        mostly(fc.constantFrom("Digest", "digest", "DiGeSt"), fc.constantFrom("Basic", "Digestx", "")),
        mostly(fc.constantFrom(" ", "  ", "\t"), fc.constant("")),
        fc.array(fc.tuple(name, eq, value, sep), { maxLength: 6 }),
      )
      .map(([scheme, gap, params]) => scheme + gap + params.map((p) => p.join("")).join(""));
    fc.assert(
      fc.property(header, (text) => {
        expect(read(text)).toEqual(reference(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("parseAuthParams", () => {
  it("treats __proto__ as an ordinary parameter, refused when repeated", () => {
    expect(Object.entries(parseAuthParams('Digest __proto__="a"').params)).toEqual([["__proto__", "a"]]);
    expect(() => parseAuthParams('Digest __proto__="a", __proto__="b"')).toThrow();
    expect(readDigestCredentials('Digest __proto__="a", __proto__="b"')).toBeUndefined();
  });
});
