import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CertificateSet,
  createCertificateAuthority,
  ensureCertificates,
  issueServerCertificate,
} from "../../src/certs/index.js";
import { startTestEmulator } from "../support/emulator.js";

const HOSTS = ["phoneapp.unify.com", "localhost", "127.0.0.1", "::1"];
const DAY = 86_400_000;
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

let root: string;
let set: CertificateSet;
const servers: tls.Server[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "upe-certs-tls-"));
  set = await ensureCertificates({ dir: join(root, "certs"), hosts: HOSTS });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  await rm(root, { recursive: true, force: true });
});

/** A TLS server on 127.0.0.1, port 0, that answers "hello" to every connection. */
async function serve(cert: string, key: string): Promise<number> {
  const server = tls.createServer({ cert, key }, (socket) => socket.end("hello"));
  server.on("tlsClientError", () => undefined);
  servers.push(server);
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  return (server.address() as AddressInfo).port;
}

/** "ok" after a verified handshake, otherwise the client's error code. */
function handshake(port: number, options: { servername?: string; ca?: string }): Promise<string> {
  return new Promise((settle) => {
    const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: true, ...options }, () => {
      settle(socket.authorized ? "ok" : `unauthorized: ${String(socket.authorizationError)}`);
      socket.end();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
  });
}

describe("the generated certificate set over real TLS", () => {
  it("is trusted through ca.pem for the DNS name phoneapp.unify.com", async () => {
    const port = await serve(set.certPem, set.keyPem);
    expect(await handshake(port, { ca: set.caCertPem, servername: "phoneapp.unify.com" })).toBe("ok");
    expect(await handshake(port, { ca: set.caCertPem, servername: "localhost" })).toBe("ok");
  });

  it("is trusted through ca.pem for the IP address 127.0.0.1 (no servername)", async () => {
    const port = await serve(set.certPem, set.keyPem);
    expect(await handshake(port, { ca: set.caCertPem })).toBe("ok");
  });

  it("fails for a host name that is not in the subjectAltName", async () => {
    const port = await serve(set.certPem, set.keyPem);
    expect(await handshake(port, { ca: set.caCertPem, servername: "wrong.example.test" })).toBe(
      "ERR_TLS_CERT_ALTNAME_INVALID",
    );
  });

  it("fails without the CA (the chain ends in an unknown self-signed root)", async () => {
    const port = await serve(set.certPem, set.keyPem);
    expect(await handshake(port, { servername: "phoneapp.unify.com" })).toBe("SELF_SIGNED_CERT_IN_CHAIN");
  });
});

describe("certificates minted for faults", () => {
  it("an expired server certificate is rejected by a client", async () => {
    const ca = { certPem: set.caCertPem, keyPem: await readFile(set.caKeyPath, "utf8") };
    const expired = issueServerCertificate(ca, {
      hosts: HOSTS,
      notBefore: new Date(Date.now() - 30 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const port = await serve(expired.certPem, expired.keyPem);
    expect(await handshake(port, { ca: set.caCertPem, servername: "phoneapp.unify.com" })).toBe(
      "CERT_HAS_EXPIRED",
    );
  });

  it("a certificate from an untrusted CA is rejected by a client that trusts ca.pem", async () => {
    const untrusted = issueServerCertificate(createCertificateAuthority({ commonName: "Untrusted CA" }), {
      hosts: HOSTS,
    });
    const port = await serve(untrusted.certPem, untrusted.keyPem);
    expect(await handshake(port, { ca: set.caCertPem, servername: "phoneapp.unify.com" })).toBe(
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    );
  });
});

describe.skipIf(!hasOpenssl)("openssl (skipped: openssl is not installed)", () => {
  it("verifies server.pem against ca.pem", () => {
    const out = execFileSync("openssl", ["verify", "-CAfile", set.caCertPath, set.certPath], {
      encoding: "utf8",
    });
    expect(out.trim()).toBe(`${set.certPath}: OK`);
  });

  it("rejects server.pem against a different CA", async () => {
    const dir = await mkdtemp(join(tmpdir(), "upe-certs-other-"));
    try {
      const other = await ensureCertificates({ dir, hosts: ["localhost"] });
      const result = spawnSync("openssl", ["verify", "-CAfile", other.caCertPath, set.certPath], {
        encoding: "utf8",
      });
      expect(result.status).not.toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the emulator's SIP and HTTPS ports serve RSA and ECDSA certificates", () => {
  /** The key type of the leaf a client gets when it offers only `sigalgs`, and whether it verified. */
  function leafFor(port: number, ca: string, sigalgs: string): Promise<string> {
    return new Promise((settle, fail) => {
      const socket = tls.connect(
        { host: "127.0.0.1", port, ca, servername: "phoneapp.unify.com", sigalgs, maxVersion: "TLSv1.3" },
        () => {
          const leaf = socket.getPeerX509Certificate();
          settle(`${leaf?.publicKey.asymmetricKeyType} ${socket.authorized ? "trusted" : "untrusted"}`);
          socket.end();
        },
      );
      socket.on("error", fail);
    });
  }

  it("gives ECDSA to clients that offer it and RSA to those that only do RSA, both trusted through ca.pem", async () => {
    const emulator = await startTestEmulator();
    try {
      const ca = emulator.certificates.caCertPem!;
      for (const port of [emulator.ports.sip, emulator.ports.https]) {
        expect(await leafFor(port, ca, "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256")).toBe("ec trusted");
        expect(await leafFor(port, ca, "rsa_pss_rsae_sha256:rsa_pkcs1_sha256")).toBe("rsa trusted");
      }
    } finally {
      await emulator.close();
    }
  });
});
