import type { Logger } from "pino";
import { type CertificateSet, ensureCertificates, loadTlsFiles } from "../certs/index.js";
import type { EmulatorConfig } from "../config/index.js";
import { descriptorBudget, openFilesLimit } from "../shared/descriptor-budget.js";

/** The CA a test suite or the CLI trusts, when the emulator made its own. */
export interface CertificateInfo {
  readonly caCertPath: string | null;
  readonly caCertPem: string | null;
  readonly caFingerprint: string | null;
}

export interface TlsMaterial {
  readonly tls: { key: string | string[]; cert: string | string[] };
  readonly certificates: CertificateInfo;
  /** The CA key, to sign fault certificates (expired, wrong host) with our own CA. */
  readonly caKeyPath: string | null;
}

export async function loadCertificates(config: EmulatorConfig): Promise<TlsMaterial> {
  if (config.certFile && config.keyFile) {
    const files = await loadTlsFiles({ certPath: config.certFile, keyPath: config.keyFile });
    return {
      tls: { key: files.keyPem, cert: files.certPem },
      certificates: { caCertPath: null, caCertPem: null, caFingerprint: null },
      caKeyPath: null,
    };
  }
  // The advertised host is where provisioning sends PBXs: the certificate must name it too.
  const hosts = [...new Set([...config.certHosts, config.host])];
  const set: CertificateSet = await ensureCertificates({ dir: config.certsDir, hosts });
  return {
    // RSA for every PBX, ECDSA for clients that offer it: a handshake costs a fraction of RSA's.
    tls: { key: [set.keyPem, set.ecKeyPem], cert: [set.certPem, set.ecCertPem] },
    certificates: {
      caCertPath: set.caCertPath,
      caCertPem: set.caCertPem,
      caFingerprint: set.caFingerprintSha256,
    },
    caKeyPath: set.caKeyPath,
  };
}

/** Connection limits of each listener: its share of the open-files limit. */
export interface ListenerLimits {
  readonly sip: EmulatorConfig["sip"] & { readonly maxConnections: number };
  readonly http: { maxConnections: number; maxConnectionsPerSource: number; handshakeTimeoutMs: number };
  readonly webSocket: number;
}

/** Each listener gets its share of the descriptor limit: a SIP flood cannot starve HTTPS. */
export function listenerLimits(config: EmulatorConfig, log: Logger): ListenerLimits {
  const budget = descriptorBudget({
    openFiles: openFilesLimit(),
    rtpPorts: config.rtpPorts.max - config.rtpPorts.min + 1,
    configuredSip: config.sip.maxConnections,
  });
  if (config.sip.maxConnections !== null && config.sip.maxConnections > budget.sip)
    log.warn({ ...budget }, `--max-connections lowered to ${budget.sip} to fit the open-files limit`);
  return {
    sip: { ...config.sip, maxConnections: budget.sip },
    http: {
      maxConnections: budget.https,
      maxConnectionsPerSource: config.sip.maxConnectionsPerSource,
      handshakeTimeoutMs: config.sip.handshakeTimeoutMs,
    },
    webSocket: budget.webSocket,
  };
}
