import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";

export interface TlsFiles {
  /** The certificate (chain) PEM, as in the file. */
  readonly certPem: string;
  readonly keyPem: string;
  /** CA certificate(s) PEM, when `caPath` was given. */
  readonly caPem?: string;
}

/** A user-provided TLS file that cannot be used; `path` names the file. */
export class TlsFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "TlsFileError";
  }
}

interface PemKind {
  readonly what: string;
  readonly marker: RegExp;
  readonly example: string;
}

const CERTIFICATE: PemKind = {
  what: "certificate",
  marker: /-----BEGIN CERTIFICATE-----/,
  example: "-----BEGIN CERTIFICATE-----",
};
const CA_CERTIFICATE: PemKind = { ...CERTIFICATE, what: "CA certificate" };
const PRIVATE_KEY: PemKind = {
  what: "private key",
  marker: /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/,
  example: "-----BEGIN PRIVATE KEY-----",
};

/**
 * Reads user-provided PEM files (synchronously: this runs once at startup) and checks
 * that they parse and that the key belongs to the certificate.
 */
export function loadTlsFiles(options: { certPath: string; keyPath: string; caPath?: string }): TlsFiles {
  const certPem = readPem(options.certPath, CERTIFICATE);
  const cert = parseCertificate(options.certPath, certPem, CERTIFICATE);
  const keyPem = readPem(options.keyPath, PRIVATE_KEY);
  const key = parseKey(options.keyPath, keyPem);
  if (!cert.checkPrivateKey(key)) {
    throw new TlsFileError(
      options.keyPath,
      `TLS private key file ${options.keyPath} does not match the certificate in ${options.certPath}`,
    );
  }
  if (options.caPath === undefined) return { certPem, keyPem };
  const caPem = readPem(options.caPath, CA_CERTIFICATE);
  parseCertificate(options.caPath, caPem, CA_CERTIFICATE);
  return { certPem, keyPem, caPem };
}

function readPem(path: string, kind: PemKind): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new TlsFileError(path, `cannot read TLS ${kind.what} file ${path}: ${(error as Error).message}`);
  }
  if (!kind.marker.test(text)) {
    throw new TlsFileError(
      path,
      `TLS ${kind.what} file ${path} is not PEM (no "${kind.example}" block found)`,
    );
  }
  return text;
}

function parseCertificate(path: string, pem: string, kind: PemKind): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new TlsFileError(
      path,
      `TLS ${kind.what} file ${path} does not hold a valid certificate: ${(error as Error).message}`,
    );
  }
}

function parseKey(path: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new TlsFileError(
      path,
      `TLS private key file ${path} does not hold a usable private key (encrypted keys are not supported): ${(error as Error).message}`,
    );
  }
}
