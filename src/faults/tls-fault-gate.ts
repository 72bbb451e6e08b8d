import type { TlsAcceptVerdict, TlsFaultHooks } from "../sip/transport/index.js";
import type { FaultCertificates } from "./fault-certificates.js";
import type { FaultChecker } from "./fault-points.js";
import { TLS_VERSIONS, type TlsFaultAction, type TlsVersion } from "./fault-rule.js";

/** Applies `tls.accept` faults; the TLS listener asks it about every accepted socket. */
export class TlsFaultGate implements TlsFaultHooks {
  constructor(
    private readonly engine: FaultChecker,
    private readonly certificates: FaultCertificates,
  ) {}

  /** `remoteAddress` as the transport logs it (IPv4-mapped IPv6 unmapped). */
  accept(peer: {
    readonly remoteAddress: string;
    readonly remotePort: number;
  }): TlsAcceptVerdict | undefined {
    const decision = this.engine.check("tls.accept", {
      remoteAddress: peer.remoteAddress,
      summary: `connection from ${peer.remoteAddress}:${peer.remotePort}`,
    });
    return decision ? this.verdict(decision.action) : undefined;
  }

  private verdict(action: TlsFaultAction): TlsAcceptVerdict {
    switch (action.type) {
      case "refuse":
      case "stall":
        return { type: action.type };
      case "expired-certificate":
        return this.certificate("expired");
      case "untrusted-certificate":
        return this.certificate("untrusted");
      case "wrong-host-certificate":
        return this.certificate("wrong-host", action.host);
      case "limit-version": {
        const maxVersion = action.maxVersion ?? "TLSv1.3";
        const minVersion = action.minVersion ?? older(maxVersion, "TLSv1.2");
        // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level.
        const legacy = older(minVersion, "TLSv1.2") !== "TLSv1.2";
        return {
          type: "serve",
          variant: `version:${minVersion}-${maxVersion}`,
          options: { minVersion, maxVersion, ...(legacy ? { ciphers: "DEFAULT@SECLEVEL=0" } : {}) },
        };
      }
    }
  }

  private certificate(kind: "expired" | "untrusted" | "wrong-host", host?: string): TlsAcceptVerdict {
    const { certPem, keyPem } = this.certificates.get(kind, host);
    return {
      type: "serve",
      variant: `certificate:${kind}${host === undefined ? "" : `:${host}`}`,
      options: { key: [...keyPem], cert: [...certPem] },
    };
  }
}

function older(a: TlsVersion, b: TlsVersion): TlsVersion {
  return TLS_VERSIONS.indexOf(a) <= TLS_VERSIONS.indexOf(b) ? a : b;
}
