import {
  type CertificateAndKey,
  createCertificateAuthority,
  issueServerCertificate,
} from "../certs/index.js";

export type FaultCertificateKind = "expired" | "wrong-host" | "untrusted";

export interface FaultCertificatesOptions {
  /**
   * The CA the PBX trusts (the emulator's own). Expired and wrong-host certificates are
   * signed by it, so expiry or the name is the only thing a client can object to. Without
   * it (certificates from --cert-file) a private CA signs them and they are untrusted too.
   */
  readonly ca?: CertificateAndKey;
  /** The hosts of the real server certificate (config certHosts). */
  readonly hosts: readonly string[];
}

/**
 * One bad certificate as RSA and as ECDSA, like the normal listener's pair: a client that
 * offers only ECDSA must still see the fault (an expired certificate), not a handshake failure.
 */
export interface FaultCertificatePair {
  readonly keyPem: [rsa: string, ec: string];
  readonly certPem: [rsa: string, ec: string];
}

export const DEFAULT_WRONG_HOST = "wrong-host.invalid";
const DAY_MS = 86_400_000;

/**
 * Bad certificates for TLS faults, minted with src/certs on first use (RSA-2048 and ECDSA
 * P-256, a few hundred ms) and cached. Validity follows wall time: that is what peers check.
 */
export class FaultCertificates {
  private readonly cache = new Map<string, FaultCertificatePair>();
  private privateCa: CertificateAndKey | undefined;

  constructor(private readonly options: FaultCertificatesOptions) {}

  /** Leaf certificates (no chain) and keys in PEM, RSA first. */
  get(kind: FaultCertificateKind, host = DEFAULT_WRONG_HOST): FaultCertificatePair {
    const key = kind === "wrong-host" ? `${kind}:${host}` : kind;
    let found = this.cache.get(key);
    if (!found) {
      found = this.mint(kind, host);
      this.cache.set(key, found);
    }
    return found;
  }

  private mint(kind: FaultCertificateKind, host: string): FaultCertificatePair {
    const hosts = [...this.options.hosts];
    switch (kind) {
      case "expired": {
        const now = Date.now();
        return pair(this.trustedCa(), {
          hosts,
          notBefore: new Date(now - 30 * DAY_MS),
          notAfter: new Date(now - DAY_MS),
        });
      }
      case "wrong-host":
        return pair(this.trustedCa(), { hosts: [host] });
      case "untrusted":
        return pair(createCertificateAuthority({ commonName: "Untrusted Fault Injection CA" }), { hosts });
    }
  }

  private trustedCa(): CertificateAndKey {
    if (this.options.ca) return this.options.ca;
    this.privateCa ??= createCertificateAuthority({ commonName: "Fault Injection CA" });
    return this.privateCa;
  }
}

function pair(
  ca: CertificateAndKey,
  options: { hosts: string[]; notBefore?: Date; notAfter?: Date },
): FaultCertificatePair {
  const rsa = issueServerCertificate(ca, options);
  const ec = issueServerCertificate(ca, { ...options, keyType: "ec" });
  return { keyPem: [rsa.keyPem, ec.keyPem], certPem: [rsa.certPem, ec.certPem] };
}
