import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import forge from "node-forge";

/** An RSA key: node:crypto signs, forge only needs the public half to build the certificate. */
export interface RsaKeyPair {
  /** PKCS#8 PEM, the format written to disk and handed to node:tls. */
  readonly keyPem: string;
  readonly privateKey: KeyObject;
  readonly forgePublicKey: forge.pki.rsa.PublicKey;
}

/** RSA-2048 from node:crypto (forge's pure-JS key generation takes seconds). */
export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return toRsaKeyPair(privateKey);
}

function toRsaKeyPair(privateKey: KeyObject): RsaKeyPair {
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw new Error(`only RSA keys are supported, got ${privateKey.asymmetricKeyType ?? "unknown"}`);
  }
  const spki = createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  return {
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    privateKey,
    forgePublicKey: forge.pki.publicKeyFromPem(spki),
  };
}

/** An ECDSA P-256 key: a TLS handshake signs with it ~20× cheaper than with RSA-2048. */
export interface EcKeyPair {
  /** PKCS#8 PEM. */
  readonly keyPem: string;
  /** The DER SubjectPublicKeyInfo that goes into the certificate. */
  readonly spkiDer: Buffer;
}

export function generateEcKeyPair(): EcKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    spkiDer: publicKey.export({ type: "spki", format: "der" }),
  };
}
