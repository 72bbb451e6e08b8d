import { createPrivateKey, X509Certificate } from "node:crypto";
import forge from "node-forge";
import type { CertificateAndKey } from "./certificate-authority.js";
import { isIpHost, normalizeHosts } from "./host-names.js";
import { generateRsaKeyPair } from "./key-pair.js";
import { defaultValidity, newCertificate, signSha256 } from "./x509-template.js";

const SERVER_VALIDITY_DAYS = 825;

/**
 * A TLS server (and client) certificate signed by `ca`: CN = first host, every host in
 * the subjectAltName (DNS names as type 2, IP literals as type 7), 825 days by default.
 * `certPem` is the leaf certificate only; append the CA for a full chain.
 */
export function issueServerCertificate(
  ca: CertificateAndKey,
  options: { hosts: string[]; notBefore?: Date; notAfter?: Date },
): CertificateAndKey {
  const hosts = normalizeHosts(options.hosts);
  const caKey = createPrivateKey(ca.keyPem);
  if (!new X509Certificate(ca.certPem).checkPrivateKey(caKey)) {
    throw new Error("the CA private key does not match the CA certificate");
  }
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const keys = generateRsaKeyPair();
  const cert = newCertificate(
    keys.forgePublicKey,
    defaultValidity(SERVER_VALIDITY_DAYS, options.notBefore, options.notAfter),
  );
  cert.setSubject([{ name: "commonName", value: hosts[0] }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    {
      name: "subjectAltName",
      altNames: hosts.map((host) => (isIpHost(host) ? { type: 7, ip: host } : { type: 2, value: host })),
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: authorityKeyId(caCert) },
  ]);
  return { certPem: signSha256(cert, caKey), keyPem: keys.keyPem };
}

/** The CA's own subjectKeyIdentifier, or the same SHA-1 of its public key when it has none. */
function authorityKeyId(caCert: forge.pki.Certificate): string {
  const ski = caCert.getExtension("subjectKeyIdentifier") as { subjectKeyIdentifier?: string } | null;
  return ski?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : caCert.generateSubjectKeyIdentifier().getBytes();
}
