import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  certificateFingerprint,
  ensureCertificates,
  issueServerCertificate,
} from "../../../src/certs/index.js";

const HOSTS = ["phoneapp.unify.com", "localhost", "127.0.0.1", "::1"];
const DAY = 86_400_000;

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "upe-certs-"));
  dir = join(root, "certs");
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function leafOf(chainPem: string): X509Certificate {
  return new X509Certificate(chainPem);
}

describe("ensureCertificates", () => {
  it("creates the directory 0700 and the six files with key 0600 and cert 0644 modes", async () => {
    const set = await ensureCertificates({ dir, hosts: HOSTS });
    expect(set.created).toBe(true);
    expect(set.serverIssued).toBe(true);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, "ca.pem"))).mode & 0o777).toBe(0o644);
    expect((await stat(join(dir, "server.pem"))).mode & 0o777).toBe(0o644);
    expect((await stat(join(dir, "ca-key.pem"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "server-key.pem"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "server-ec.pem"))).mode & 0o777).toBe(0o644);
    expect((await stat(join(dir, "server-ec-key.pem"))).mode & 0o777).toBe(0o600);
    expect(set.caCertPath).toBe(join(dir, "ca.pem"));
    expect(set.caKeyPath).toBe(join(dir, "ca-key.pem"));
    expect(set.certPath).toBe(join(dir, "server.pem"));
    expect(set.keyPath).toBe(join(dir, "server-key.pem"));
  });

  it("writes server.pem as the full chain (server certificate then CA) and reports the set", async () => {
    const set = await ensureCertificates({ dir, hosts: HOSTS });
    expect(await readFile(set.certPath, "utf8")).toBe(set.certPem);
    expect(await readFile(set.caCertPath, "utf8")).toBe(set.caCertPem);
    expect(await readFile(set.keyPath, "utf8")).toBe(set.keyPem);
    expect(set.certPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(set.certPem.endsWith(set.caCertPem)).toBe(true);
    const leaf = leafOf(set.certPem);
    const ca = new X509Certificate(set.caCertPem);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subject).toBe("CN=phoneapp.unify.com");
    expect(ca.subject).toBe("CN=Unify Phone Emulator CA");
    expect(set.caFingerprintSha256).toBe(ca.fingerprint256);
    expect(set.caFingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(set.hosts).toEqual(HOSTS);
    expect(set.notAfter.getTime()).toBe(new Date(leaf.validTo).getTime());
  });

  it("reuses a valid set on the next call", async () => {
    const first = await ensureCertificates({ dir, hosts: HOSTS });
    const second = await ensureCertificates({ dir, hosts: ["LOCALHOST", "127.0.0.1"] });
    expect(second.created).toBe(false);
    expect(second.serverIssued).toBe(false);
    expect(second.caFingerprintSha256).toBe(first.caFingerprintSha256);
    expect(certificateFingerprint(second.certPem)).toBe(certificateFingerprint(first.certPem));
    expect(second.keyPem).toBe(first.keyPem);
    expect(second.hosts).toEqual(HOSTS);
  });

  it("keeps an ECDSA P-256 twin of the server certificate: same CA, same hosts, its own key", async () => {
    const set = await ensureCertificates({ dir, hosts: HOSTS });
    const ec = leafOf(set.ecCertPem);
    expect(ec.publicKey.asymmetricKeyType).toBe("ec");
    expect(ec.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(ec.checkPrivateKey(createPrivateKey(set.ecKeyPem))).toBe(true);
    expect(ec.verify(new X509Certificate(set.caCertPem).publicKey)).toBe(true);
    expect(ec.subjectAltName).toBe(leafOf(set.certPem).subjectAltName);
    expect(set.ecCertPem.endsWith(set.caCertPem)).toBe(true);
  });

  it("reissues only the ECDSA certificate when its files are gone", async () => {
    const first = await ensureCertificates({ dir, hosts: HOSTS });
    await rm(join(dir, "server-ec.pem"));
    const second = await ensureCertificates({ dir, hosts: HOSTS });
    expect(second.serverIssued).toBe(true);
    expect(second.keyPem).toBe(first.keyPem);
    expect(second.ecKeyPem).not.toBe(first.ecKeyPem);
    const third = await ensureCertificates({ dir, hosts: HOSTS });
    expect(third.serverIssued).toBe(false);
    expect(third.ecKeyPem).toBe(second.ecKeyPem);
  });

  it("issues a new server certificate from the same CA when a host is not covered", async () => {
    const first = await ensureCertificates({ dir, hosts: HOSTS });
    const caKeyPem = await readFile(first.caKeyPath, "utf8");
    const second = await ensureCertificates({ dir, hosts: [...HOSTS, "pbx.example.test", "192.0.2.7"] });
    expect(second.created).toBe(false);
    expect(second.serverIssued).toBe(true);
    expect(second.caFingerprintSha256).toBe(first.caFingerprintSha256);
    expect(await readFile(second.caKeyPath, "utf8")).toBe(caKeyPem);
    expect(certificateFingerprint(second.certPem)).not.toBe(certificateFingerprint(first.certPem));
    expect(second.hosts).toEqual([...HOSTS, "pbx.example.test", "192.0.2.7"]);
    expect(leafOf(second.certPem).verify(new X509Certificate(first.caCertPem).publicKey)).toBe(true);
  });

  it("issues a new server certificate from the same CA when the server certificate expired", async () => {
    const first = await ensureCertificates({ dir, hosts: HOSTS });
    const caKeyPem = await readFile(first.caKeyPath, "utf8");
    const expired = issueServerCertificate(
      { certPem: first.caCertPem, keyPem: caKeyPem },
      { hosts: HOSTS, notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) },
    );
    await writeFile(first.certPath, expired.certPem + first.caCertPem);
    await writeFile(first.keyPath, expired.keyPem);
    const second = await ensureCertificates({ dir, hosts: HOSTS });
    expect(second.created).toBe(false);
    expect(second.serverIssued).toBe(true);
    expect(second.caFingerprintSha256).toBe(first.caFingerprintSha256);
    expect(second.notAfter.getTime()).toBeGreaterThan(Date.now());
  });

  it("repairs a half-written set: a server key that does not match server.pem", async () => {
    const first = await ensureCertificates({ dir, hosts: HOSTS });
    await writeFile(first.keyPath, await readFile(first.caKeyPath, "utf8"));
    const second = await ensureCertificates({ dir, hosts: HOSTS });
    expect(second.created).toBe(false);
    expect(second.serverIssued).toBe(true);
    expect(leafOf(second.certPem).checkPrivateKey(createPrivateKey(second.keyPem))).toBe(true);
  });

  it("creates everything again when the CA key is missing or the CA certificate is garbage", async () => {
    const first = await ensureCertificates({ dir, hosts: HOSTS });
    await rm(first.caKeyPath);
    const second = await ensureCertificates({ dir, hosts: HOSTS });
    expect(second.created).toBe(true);
    expect(second.caFingerprintSha256).not.toBe(first.caFingerprintSha256);

    await writeFile(second.caCertPath, "not a certificate\n");
    const third = await ensureCertificates({ dir, hosts: HOSTS });
    expect(third.created).toBe(true);
    expect(third.caFingerprintSha256).not.toBe(second.caFingerprintSha256);
  });

  it("regenerates the CA and the server certificate with force", async () => {
    const first = await ensureCertificates({ dir, hosts: HOSTS });
    const forced = await ensureCertificates({ dir, hosts: HOSTS, force: true });
    expect(forced.created).toBe(true);
    expect(forced.caFingerprintSha256).not.toBe(first.caFingerprintSha256);
    expect(certificateFingerprint(forced.certPem)).not.toBe(certificateFingerprint(first.certPem));
    expect(await readFile(forced.caCertPath, "utf8")).toBe(forced.caCertPem);
  });

  it("leaves no temporary files behind", async () => {
    await ensureCertificates({ dir, hosts: HOSTS });
    await ensureCertificates({ dir, hosts: ["other.test"] });
    expect((await readdir(dir)).sort()).toEqual([
      "ca-key.pem",
      "ca.pem",
      "server-ec-key.pem",
      "server-ec.pem",
      "server-key.pem",
      "server.pem",
    ]);
  });

  it("refuses an empty host list", async () => {
    await expect(ensureCertificates({ dir, hosts: [] })).rejects.toThrow(/at least one host/);
  });
});
