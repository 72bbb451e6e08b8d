import { execFileSync, spawnSync } from "node:child_process";
import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import forge from "node-forge";
import { describe, expect, it } from "vitest";
import { createCertificateAuthority, issueServerCertificate } from "../../../src/certs/index.js";

const ca = createCertificateAuthority();
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

function extension<T>(cert: forge.pki.Certificate, name: string): T {
  const found = cert.getExtension(name);
  if (!found) throw new Error(`no ${name} extension`);
  return found as T;
}

describe("createCertificateAuthority", () => {
  it("makes a self-signed CA with critical CA:true, keyCertSign+cRLSign and a key identifier", () => {
    const x509 = new X509Certificate(ca.certPem);
    expect(x509.ca).toBe(true);
    expect(x509.subject).toBe("CN=Unify Phone Emulator CA");
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.verify(x509.publicKey)).toBe(true);
    const cert = forge.pki.certificateFromPem(ca.certPem);
    expect(extension<{ cA: boolean; critical: boolean }>(cert, "basicConstraints")).toMatchObject({
      cA: true,
      critical: true,
    });
    expect(extension<object>(cert, "keyUsage")).toMatchObject({
      keyCertSign: true,
      cRLSign: true,
      digitalSignature: false,
    });
    expect(
      extension<{ subjectKeyIdentifier: string }>(cert, "subjectKeyIdentifier").subjectKeyIdentifier,
    ).toMatch(/^[0-9a-f]{40}$/);
  });

  it("lasts ten years by default and honours commonName and validity options", () => {
    const cert = forge.pki.certificateFromPem(ca.certPem);
    const years = (cert.validity.notAfter.getTime() - Date.now()) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    const custom = createCertificateAuthority({
      commonName: "Untrusted CA",
      notBefore: new Date("2020-01-01T00:00:00Z"),
      notAfter: new Date("2021-01-01T00:00:00Z"),
    });
    const x509 = new X509Certificate(custom.certPem);
    expect(x509.subject).toBe("CN=Untrusted CA");
    expect(new Date(x509.validFrom).toISOString()).toBe("2020-01-01T00:00:00.000Z");
    expect(new Date(x509.validTo).toISOString()).toBe("2021-01-01T00:00:00.000Z");
  });

  it("rejects notAfter before notBefore", () => {
    expect(() =>
      createCertificateAuthority({ notBefore: new Date("2021-01-01"), notAfter: new Date("2020-01-01") }),
    ).toThrow(RangeError);
  });
});

describe("issueServerCertificate", () => {
  const issued = issueServerCertificate(ca, {
    hosts: ["phoneapp.unify.com", "LocalHost", "127.0.0.1", "0:0:0:0:0:0:0:1", "[fe80::2]", "localhost"],
  });
  const cert = forge.pki.certificateFromPem(issued.certPem);
  const x509 = new X509Certificate(issued.certPem);

  it("is signed by the CA, CN = first host, and its key matches", () => {
    expect(x509.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x509.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(x509.subject).toBe("CN=phoneapp.unify.com");
    expect(x509.ca).toBe(false);
    expect(issued.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(x509.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
  });

  it("lists DNS names as type 2 and IPs as type 7, normalised and without duplicates", () => {
    const san = extension<{ altNames: { type: number; value: string; ip?: string }[] }>(
      cert,
      "subjectAltName",
    );
    expect(san.altNames.map((name) => [name.type, name.ip ?? name.value])).toEqual([
      [2, "phoneapp.unify.com"],
      [2, "localhost"],
      [7, "127.0.0.1"],
      [7, "::1"],
      [7, "fe80::2"],
    ]);
    expect(x509.checkHost("phoneapp.unify.com")).toBe("phoneapp.unify.com");
    expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x509.checkIP("::1")).toBe("::1");
  });

  it("carries serverAuth+clientAuth, digitalSignature+keyEncipherment and the CA's key identifier", () => {
    expect(extension<object>(cert, "extKeyUsage")).toMatchObject({ serverAuth: true, clientAuth: true });
    expect(extension<object>(cert, "keyUsage")).toMatchObject({
      digitalSignature: true,
      keyEncipherment: true,
      keyCertSign: false,
    });
    const caSki = extension<{ subjectKeyIdentifier: string }>(
      forge.pki.certificateFromPem(ca.certPem),
      "subjectKeyIdentifier",
    ).subjectKeyIdentifier;
    const aki = forge.asn1.fromDer(extension<{ value: string }>(cert, "authorityKeyIdentifier").value);
    const keyId = (aki.value as forge.asn1.Asn1[])[0]!.value as string;
    expect(forge.util.bytesToHex(keyId)).toBe(caSki);
  });

  it("is valid 825 days from one hour ago, with a random positive 16-byte serial", () => {
    const lifetimeDays = (cert.validity.notAfter.getTime() - cert.validity.notBefore.getTime()) / 86_400_000;
    expect(lifetimeDays).toBeCloseTo(825 + 1 / 24, 3);
    expect(cert.validity.notBefore.getTime()).toBeLessThan(Date.now() - 3_500_000);
    expect(cert.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    const other = forge.pki.certificateFromPem(issueServerCertificate(ca, { hosts: ["a.test"] }).certPem);
    expect(other.serialNumber).not.toBe(cert.serialNumber);
  });

  it("refuses a CA key that does not belong to the CA certificate", () => {
    const stranger = createCertificateAuthority();
    expect(() =>
      issueServerCertificate({ certPem: ca.certPem, keyPem: stranger.keyPem }, { hosts: ["a.test"] }),
    ).toThrow(/does not match/);
  });

  it("refuses an empty host and an IPv6 zone id", () => {
    expect(() => issueServerCertificate(ca, { hosts: [" "] })).toThrow(/invalid certificate host/);
    expect(() => issueServerCertificate(ca, { hosts: ["fe80::1%eth0"] })).toThrow(/IPv6/);
  });
});

describe("issueServerCertificate with keyType ec", () => {
  const issued = issueServerCertificate(ca, { hosts: ["phoneapp.unify.com", "127.0.0.1"], keyType: "ec" });
  const x509 = new X509Certificate(issued.certPem);

  it("has a P-256 key that matches, signed by the CA, with the hosts as subjectAltName", () => {
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(x509.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
    expect(x509.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(x509.subjectAltName).toBe("DNS:phoneapp.unify.com, IP Address:127.0.0.1");
    expect(x509.subject).toBe("CN=phoneapp.unify.com");
  });

  it.skipIf(!hasOpenssl)("names its own key (SHA-1 of the EC point) and allows digitalSignature only", () => {
    const text = execFileSync("openssl", ["x509", "-noout", "-text"], {
      input: issued.certPem,
      encoding: "utf8",
    });
    const { x, y } = x509.publicKey.export({ format: "jwk" });
    const point = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(x!, "base64url"),
      Buffer.from(y!, "base64url"),
    ]);
    const ski = createHash("sha1").update(point).digest("hex").toUpperCase().match(/../g)!.join(":");
    expect(text).toMatch(new RegExp(`Subject Key Identifier: *\\n *${ski}`));
    // keyEncipherment is RSA key transport: an ECDSA key only signs.
    expect(text).toMatch(/Key Usage: critical\n *Digital Signature\n/);
  });
});
