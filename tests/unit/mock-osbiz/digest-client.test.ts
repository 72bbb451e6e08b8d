import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DigestClient } from "../../../src/mock-osbiz/digest-client.js";
import { parseAuthParams, parseMessage, type SipResponse } from "../../../src/sip/message/index.js";

function challengeResponse(status: 401 | 407, challenges: string[]): SipResponse {
  const header = status === 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
  const text = [
    `SIP/2.0 ${status} ${status === 401 ? "Unauthorized" : "Proxy Authentication Required"}`,
    "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKx",
    "From: <sip:3919209257@phoneapp.unify.com>;tag=a",
    "To: <sip:3919209257@phoneapp.unify.com>;tag=b",
    "Call-ID: c1",
    "CSeq: 1 REGISTER",
    ...challenges.map((c) => `${header}: ${c}`),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  return parseMessage(Buffer.from(text)) as SipResponse;
}

/** What a registrar computes (RFC 7616 §3.4.1), written independently of the code under test. */
function expected(params: Record<string, string>, password: string, method: string): string {
  const h = (s: string) =>
    createHash(params.algorithm === "SHA-256" ? "sha256" : "md5")
      .update(s)
      .digest("hex");
  const ha1 = h(`${params.username}:${params.realm}:${password}`);
  const ha2 = h(`${method}:${params.uri}`);
  return params.qop
    ? h(`${ha1}:${params.nonce}:${params.nc}:${params.cnonce}:auth:${ha2}`)
    : h(`${ha1}:${params.nonce}:${ha2}`);
}

describe("DigestClient", () => {
  it("has nothing to send before a challenge", () => {
    expect(new DigestClient("u", "p").authorize("REGISTER", "sip:x")).toBeUndefined();
  });

  it("prefers SHA-256 over MD5 whatever the order, and computes a response a registrar accepts", () => {
    const client = new DigestClient("3919209257", "s3cret-Trunk-1");
    const accepted = client.accept(
      challengeResponse(401, [
        'Digest realm="phoneapp.unify.com", nonce="n1", algorithm=MD5, qop="auth"',
        'Digest realm="phoneapp.unify.com", nonce="n2", algorithm=SHA-256, qop="auth", opaque="op"',
      ]),
    );
    expect(accepted).toBe(true);
    expect(client.algorithm).toBe("SHA-256");
    const auth = client.authorize("REGISTER", "sip:phoneapp.unify.com")!;
    expect(auth.name).toBe("authorization");
    const { scheme, params } = parseAuthParams(auth.value);
    expect(scheme).toBe("Digest");
    expect(params).toMatchObject({
      username: "3919209257",
      nonce: "n2",
      opaque: "op",
      nc: "00000001",
      qop: "auth",
    });
    expect(params.response).toBe(expected(params, "s3cret-Trunk-1", "REGISTER"));
  });

  it("counts nc up on the same nonce and restarts it with a new challenge", () => {
    const client = new DigestClient("u", "p");
    client.accept(challengeResponse(401, ['Digest realm="r", nonce="n1", qop="auth"']));
    client.authorize("REGISTER", "sip:r");
    const second = parseAuthParams(client.authorize("REGISTER", "sip:r")!.value).params;
    expect(second.nc).toBe("00000002");
    expect(second.algorithm).toBe("MD5");
    expect(second.response).toBe(expected(second, "p", "REGISTER"));
    client.accept(challengeResponse(401, ['Digest realm="r", nonce="n2", qop="auth", stale=true']));
    expect(parseAuthParams(client.authorize("REGISTER", "sip:r")!.value).params).toMatchObject({
      nonce: "n2",
      nc: "00000001",
    });
  });

  it("answers a 407 with Proxy-Authorization, and an RFC 2069 challenge without qop", () => {
    const client = new DigestClient("u", "p");
    client.accept(challengeResponse(407, ['Digest realm="r", nonce="n"']));
    const auth = client.authorize("INVITE", "sip:2131@r")!;
    expect(auth.name).toBe("proxy-authorization");
    const { params } = parseAuthParams(auth.value);
    expect(params.qop).toBeUndefined();
    expect(params.nc).toBeUndefined();
    expect(params.response).toBe(expected(params, "p", "INVITE"));
  });

  it("refuses challenges it cannot answer", () => {
    const client = new DigestClient("u", "p");
    expect(
      client.accept(
        challengeResponse(401, ['Digest realm="r", nonce="n", algorithm=SHA-512-256', 'Basic realm="r"']),
      ),
    ).toBe(false);
    expect(client.authorize("REGISTER", "sip:r")).toBeUndefined();
  });
});
