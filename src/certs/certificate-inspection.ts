import { createPrivateKey, X509Certificate } from "node:crypto";
import forge from "node-forge";
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

export function inspectCertificate(pem: string): InspectedCertificate {
  const x509 = new X509Certificate(pem);
  const cert = forge.pki.certificateFromPem(pem);
  const basic = cert.getExtension("basicConstraints") as { cA?: boolean } | null;
  return {
    x509,
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    isCa: basic?.cA === true,
    hosts: subjectAltNames(cert),
  };
}

function subjectAltNames(cert: forge.pki.Certificate): string[] {
  const san = cert.getExtension("subjectAltName") as {
    altNames?: { type: number; value: string; ip?: string }[];
  } | null;
  const hosts: string[] = [];
  for (const name of san?.altNames ?? []) {
    if (name.type === 2) hosts.push(normalizeHost(name.value));
    else if (name.type === 7 && name.ip) hosts.push(normalizeHost(name.ip));
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
