import { describe, expect, it } from "vitest";
import { digestHa1, digestResponse, digestResponseFromHa1 } from "../../../src/registrar/digest.js";

/** RFC 7616 §3.9.1: the worked example, with both algorithms. */
const EXAMPLE = {
  username: "Mufasa",
  realm: "http-auth@example.org",
  password: "Circle of Life",
  method: "GET",
  uri: "/dir/index.html",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  qop: { nc: "00000001", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ" },
};

describe("digest from HA1 (RFC 7616 §3.4.2)", () => {
  it("computes HA1 as H(username:realm:password) (RFC 2617 §3.5 vector)", () => {
    expect(digestHa1("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life")).toBe(
      "939e7578ed9e3c518a452acee763bce9",
    );
  });

  it.each([
    ["MD5", "8ca523f5e9506fed4657c9700eebdbec"],
    ["SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"],
  ] as const)("%s: the response from the stored HA1 matches RFC 7616's example", (algorithm, expected) => {
    const ha1 = digestHa1(algorithm, EXAMPLE.username, EXAMPLE.realm, EXAMPLE.password);
    const { username: _u, password: _p, ...rest } = EXAMPLE;
    expect(digestResponseFromHa1({ ...rest, algorithm, ha1 })).toBe(expected);
    expect(digestResponse({ ...EXAMPLE, algorithm })).toBe(expected);
  });

  it("without qop (RFC 2069 style) both forms agree too", () => {
    const { qop: _q, ...plain } = EXAMPLE;
    const ha1 = digestHa1("MD5", plain.username, plain.realm, plain.password);
    const { username: _u, password: _p, ...rest } = plain;
    expect(digestResponseFromHa1({ ...rest, algorithm: "MD5", ha1 })).toBe(
      digestResponse({ ...plain, algorithm: "MD5" }),
    );
  });
});
