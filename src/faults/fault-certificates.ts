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

export const DEFAULT_WRONG_HOST = "wrong-host.invalid";
const DAY_MS = 86_400_000;

/**
 * Bad certificates for TLS faults, minted with src/certs on first use (RSA-2048, a few
 * hundred ms) and cached. Validity follows wall time: that is what peers check.
 */
export class FaultCertificates {
  private readonly cache = new Map<string, CertificateAndKey>();
  private privateCa: CertificateAndKey | undefined;

  constructor(private readonly options: FaultCertificatesOptions) {}

  /** Leaf certificate (no chain) and key in PEM. */
  get(kind: FaultCertificateKind, host = DEFAULT_WRONG_HOST): CertificateAndKey {
    const key = kind === "wrong-host" ? `${kind}:${host}` : kind;
    let found = this.cache.get(key);
    if (!found) {
      found = this.mint(kind, host);
      this.cache.set(key, found);
    }
    return found;
  }

  private mint(kind: FaultCertificateKind, host: string): CertificateAndKey {
    const hosts = [...this.options.hosts];
    switch (kind) {
      case "expired": {
        const now = Date.now();
        return issueServerCertificate(this.trustedCa(), {
          hosts,
          notBefore: new Date(now - 30 * DAY_MS),
          notAfter: new Date(now - DAY_MS),
        });
      }
      case "wrong-host":
        return issueServerCertificate(this.trustedCa(), { hosts: [host] });
      case "untrusted": {
        const stranger = createCertificateAuthority({ commonName: "Untrusted Fault Injection CA" });
        return issueServerCertificate(stranger, { hosts });
      }
    }
  }

  private trustedCa(): CertificateAndKey {
    if (this.options.ca) return this.options.ca;
    this.privateCa ??= createCertificateAuthority({ commonName: "Fault Injection CA" });
    return this.privateCa;
  }
}
