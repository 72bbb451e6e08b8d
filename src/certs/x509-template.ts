import { type KeyObject, randomBytes, sign } from "node:crypto";
import forge from "node-forge";

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Peers check certificate validity against wall time, so these defaults read the real
 * clock, never the emulator's controllable one. notBefore is backdated 1 h for clock skew.
 */
export function defaultValidity(days: number, notBefore?: Date, notAfter?: Date): { from: Date; to: Date } {
  const now = Date.now();
  const from = notBefore ?? new Date(now - HOUR_MS);
  const to = notAfter ?? new Date(now + days * DAY_MS);
  if (to.getTime() <= from.getTime())
    throw new RangeError("certificate notAfter must be later than notBefore");
  return { from, to };
}

/** A certificate with a random positive 16-byte serial, the validity and the public key set. */
export function newCertificate(
  publicKey: forge.pki.rsa.PublicKey,
  validity: { from: Date; to: Date },
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  const serial = randomBytes(16);
  // Top bit clear keeps the DER INTEGER positive; bit 6 set keeps it minimally encoded.
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = validity.from;
  cert.validity.notAfter = validity.to;
  cert.publicKey = publicKey;
  return cert;
}

/**
 * Adds the issuer's SHA-256 RSA signature. node:crypto signs: forge's pure-JS RSA is several
 * times slower. `subjectPublicKeyInfo` (DER) replaces the certificate's key in the signed part:
 * forge models only RSA keys, so an EC certificate is built around a stand-in RSA key.
 */
export function signSha256(
  cert: forge.pki.Certificate,
  privateKey: KeyObject,
  subjectPublicKeyInfo?: Buffer,
): string {
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = cert.signatureOid;
  cert.tbsCertificate = getTbsCertificate(cert);
  if (subjectPublicKeyInfo) {
    const fields = cert.tbsCertificate.value as forge.asn1.Asn1[];
    // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, …
    fields[SPKI_INDEX] = forge.asn1.fromDer(subjectPublicKeyInfo.toString("binary"));
  }
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), "binary");
  cert.signature = sign("sha256", tbs, privateKey).toString("binary");
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, "\n");
}

const SPKI_INDEX = 6;

// Part of forge's API (what cert.sign() uses) but missing from @types/node-forge.
const getTbsCertificate = (
  forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }
).getTBSCertificate;
