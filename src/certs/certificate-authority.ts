import { generateRsaKeyPair } from "./key-pair.js";
import { defaultValidity, newCertificate, signSha256 } from "./x509-template.js";

export interface CertificateAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

export const DEFAULT_CA_COMMON_NAME = "Unify Phone Emulator CA";
const CA_VALIDITY_DAYS = 3652;

/** A self-signed RSA-2048/SHA-256 CA, valid 10 years unless told otherwise. */
export function createCertificateAuthority(
  options: { commonName?: string; notBefore?: Date; notAfter?: Date } = {},
): CertificateAndKey {
  const keys = generateRsaKeyPair();
  const cert = newCertificate(
    keys.forgePublicKey,
    defaultValidity(CA_VALIDITY_DAYS, options.notBefore, options.notAfter),
  );
  const subject = [{ name: "commonName", value: options.commonName ?? DEFAULT_CA_COMMON_NAME }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  return { certPem: signSha256(cert, keys.privateKey), keyPem: keys.keyPem };
}
