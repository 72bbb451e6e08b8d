import { createPrivateKey, X509Certificate } from "node:crypto";
import { normalizeHost } from "./host-names.js";

/** What ensureCertificates needs to know about a certificate PEM (first block) read from disk. */
export interface InspectedCertificate {
  readonly x509: X509Certificate;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  /** subjectAltName DNS names and IP literals, normalised like the requested hosts. */
  readonly hosts: string[];
}

/** Read with node:crypto alone: forge cannot parse certificates with non-RSA (ECDSA) keys. */
export function inspectCertificate(pem: string): InspectedCertificate {
  const x509 = new X509Certificate(pem);
  return {
    x509,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    isCa: x509.ca,
    hosts: subjectAltNames(x509.subjectAltName),
  };
}

/**
 * DNS names and IP addresses of Node's subjectAltName text: `DNS:a, IP Address:127.0.0.1`
 * (a value with unusual characters comes JSON-quoted, e.g. `DNS:"a,b"`).
 */
function subjectAltNames(text: string | undefined): string[] {
  const hosts: string[] = [];
  for (const entry of text?.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const m = /^\s*(DNS|IP Address):(.*)$/.exec(entry);
    if (!m) continue;
    const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    hosts.push(normalizeHost(value));
  }
  return hosts;
}

/** Valid now and for at least `marginMs` more (wall time: that is what TLS peers check). */
export function isCurrentlyValid(cert: InspectedCertificate, marginMs: number): boolean {
  const now = Date.now();
  return cert.notBefore.getTime() <= now && now + marginMs < cert.notAfter.getTime();
}

export function keyMatches(cert: InspectedCertificate, keyPem: string): boolean {
  try {
    return cert.x509.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

export function isIssuedBy(cert: InspectedCertificate, ca: InspectedCertificate): boolean {
  return cert.x509.checkIssued(ca.x509) && cert.x509.verify(ca.x509.publicKey);
}
