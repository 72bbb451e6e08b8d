import { createHash, createPrivateKey, X509Certificate } from "node:crypto";
import forge from "node-forge";
import type { CertificateAndKey } from "./certificate-authority.js";
import { isIpHost, normalizeHosts } from "./host-names.js";
import { generateEcKeyPair, generateRsaKeyPair } from "./key-pair.js";
import { defaultValidity, newCertificate, signSha256 } from "./x509-template.js";

const SERVER_VALIDITY_DAYS = 825;

/**
 * A TLS server (and client) certificate signed by `ca`: CN = first host, every host in
 * the subjectAltName (DNS names as type 2, IP literals as type 7), 825 days by default, an
 * RSA-2048 key unless `keyType: "ec"` (P-256). `certPem` is the leaf certificate only;
 * append the CA for a full chain.
 */
export function issueServerCertificate(
  ca: CertificateAndKey,
  options: { hosts: string[]; notBefore?: Date; notAfter?: Date; keyType?: "rsa" | "ec" },
): CertificateAndKey {
  const hosts = normalizeHosts(options.hosts);
  const caKey = createPrivateKey(ca.keyPem);
  if (!new X509Certificate(ca.certPem).checkPrivateKey(caKey)) {
    throw new Error("the CA private key does not match the CA certificate");
  }
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const validity = defaultValidity(SERVER_VALIDITY_DAYS, options.notBefore, options.notAfter);
  const ec = options.keyType === "ec" ? generateEcKeyPair() : undefined;
  const rsa = ec ? undefined : generateRsaKeyPair();
  // forge only models RSA keys: an EC certificate is built around the CA's key as a stand-in,
  // which signSha256 swaps for the EC key before signing.
  const cert = newCertificate(rsa?.forgePublicKey ?? (caCert.publicKey as forge.pki.rsa.PublicKey), validity);
  cert.setSubject([{ name: "commonName", value: hosts[0] }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    // keyEncipherment is RSA key transport; an ECDSA key only signs.
    { name: "keyUsage", digitalSignature: true, keyEncipherment: !ec, critical: true },
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    {
      name: "subjectAltName",
      altNames: hosts.map((host) => (isIpHost(host) ? { type: 7, ip: host } : { type: 2, value: host })),
    },
    // Given as a value: left to forge, it would be computed from the stand-in key.
    ec
      ? { name: "subjectKeyIdentifier", value: keyIdentifier(ec.spkiDer) }
      : { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: authorityKeyId(caCert) },
  ]);
  return {
    certPem: signSha256(cert, caKey, ec?.spkiDer),
    keyPem: (ec ?? rsa)!.keyPem,
  };
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING, as the extension's OCTET STRING. */
function keyIdentifier(spkiDer: Buffer): forge.asn1.Asn1 {
  const spki = forge.asn1.fromDer(spkiDer.toString("binary"));
  const bitString = (spki.value as forge.asn1.Asn1[])[1]!.value as string;
  // The BIT STRING's first octet counts unused bits; the key is what follows.
  const digest = createHash("sha1")
    .update(Buffer.from(bitString.slice(1), "binary"))
    .digest("binary");
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, digest);
}

/** The CA's own subjectKeyIdentifier, or the same SHA-1 of its public key when it has none. */
function authorityKeyId(caCert: forge.pki.Certificate): string {
  const ski = caCert.getExtension("subjectKeyIdentifier") as { subjectKeyIdentifier?: string } | null;
  return ski?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : caCert.generateSubjectKeyIdentifier().getBytes();
}
