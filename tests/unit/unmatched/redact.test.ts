import { describe, expect, it } from "vitest";
import {
  isSecretName,
  redactBody,
  redactHeaders,
  redactQuery,
  redactValue,
} from "../../../src/services/index.js";

describe("redaction of captured requests", () => {
  it("names secrets by header name or by the words password, secret, token, key", () => {
    for (const name of [
      "Authorization",
      "proxy-authorization",
      "X-API-Key",
      "Cookie",
      "userPassword",
      "client_secret",
      "accessToken",
      "apiKey",
      "passwd",
    ])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ["Content-Type", "userName", "site", "Via", "Event"])
      expect(isSecretName(name), name).toBe(false);
  });

  it("keeps an auth scheme and the secret's length, never the secret", () => {
    expect(redactValue("Bearer abc.def.ghi")).toBe("Bearer …(redacted, 11 chars)");
    expect(redactValue('Digest username="u", response="r"')).toBe("Digest …(redacted, 26 chars)");
    expect(redactValue("plain")).toBe("…(redacted, 5 chars)");
  });

  it("redacts header values by name, in order, leaving the others", () => {
    expect(
      redactHeaders([
        ["Host", "a"],
        ["Authorization", "Basic dXNlcjpwYXNz"],
        ["X-Trace-Token", "t1"],
      ]),
    ).toEqual([
      ["Host", "a"],
      ["Authorization", "Basic …(redacted, 12 chars)"],
      ["X-Trace-Token", "…(redacted, 2 chars)"],
    ]);
  });

  it("redacts query parameters, arrays included", () => {
    expect(redactQuery({ token: ["a", "bcd"], site: "x" })).toEqual({
      token: ["…(redacted, 1 chars)", "…(redacted, 3 chars)"],
      site: "x",
    });
  });

  it("redacts every value under a secret-named JSON field, at any depth, arrays included", () => {
    const body = JSON.stringify({
      user: "u",
      password: "p4ss",
      pin: 1,
      creds: [{ apiKey: 12345 }],
      secret: { a: "kept-structure" },
    });
    expect(JSON.parse(redactBody(body, "application/json"))).toEqual({
      user: "u",
      password: "…(redacted, 4 chars)",
      pin: 1,
      creds: [{ apiKey: "…(redacted, 5 chars)" }],
      secret: { a: "…(redacted, 14 chars)" },
    });
  });

  it("redacts JSON that does not parse (cut or malformed) by its name/value pairs", () => {
    const cut = '{"user":"u","password":"hunter2","token":"abcdef';
    const out = redactBody(cut, "application/json");
    expect(out).toBe('{"user":"u","password":"…(redacted, 7 chars)","token":"…(redacted, 6 chars)"');
    expect(redactBody('{"a": 1, "pinCode": 1234, "password" : 99', undefined)).toBe(
      '{"a": 1, "pinCode": 1234, "password" : "…(redacted, 2 chars)"',
    );
  });

  it("redacts form fields, and leaves other bodies as they are", () => {
    expect(redactBody("user=a&password=b%20c", "application/x-www-form-urlencoded")).toBe(
      "user=a&password=%E2%80%A6%28redacted%2C+3+chars%29",
    );
    expect(redactBody("<password>x</password>", "application/xml")).toBe("<password>x</password>");
  });
});
