import os from "node:os";

/** The validated, frozen settings every module receives (never `process.env`). */
export interface EmulatorConfig {
  readonly bind: string;
  readonly host: string;
  readonly domain: string;
  readonly sip: {
    readonly port: number;
    readonly tcpPort: number | null;
    readonly udpPort: number | null;
    readonly tls: {
      readonly minVersion: TlsVersion;
      readonly maxVersion: TlsVersion;
      readonly ciphers: string | null;
    };
    readonly maxMessageSize: number;
    readonly maxHeaders: number;
    readonly maxConnectionsPerSource: number;
    /** Null: derived from the open-files limit (src/shared/descriptor-budget.ts); a number may only lower that. */
    readonly maxConnections: number | null;
    readonly idleTimeoutMs: number;
    readonly partialMessageTimeoutMs: number;
    readonly handshakeTimeoutMs: number;
  };
  readonly registrar: {
    readonly defaultExpires: number;
    readonly minExpires: number;
    readonly maxExpires: number;
    readonly maxContactsPerTrunk: number;
    readonly nonceTtlMs: number;
    /**
     * Challenges offered in a 401, in this order (RFC 8760 §2.4). Default MD5 only:
     * deployed UAs (baresip 1.0/libre, seen in our end-to-end test) fail the whole
     * registration when any offered challenge names an algorithm they lack, rather than
     * ignoring it as RFC 8760 asks. `SHA-256,MD5` offers both, SHA-256 preferred.
     */
    readonly digestAlgorithms: readonly DigestAlgorithmName[];
    /** A second PBX registering the same trunk from another connection: see the registrar. */
    readonly duplicateRegistration: "allow" | "reject" | "last-wins" | "flap";
    /** Failed digest attempts from one source for one user before a lockout. */
    readonly maxAuthFailures: number;
    readonly lockoutMs: number;
  };
  readonly httpsPort: number;
  readonly httpPort: number | null;
  readonly stunPort: number | null;
  /** STUN answers per second per source address (a token bucket of that size); 0 = no limit. */
  readonly stunRateLimit: number;
  readonly rtpPorts: { readonly min: number; readonly max: number };
  /** Mean time between RTCP reports of a media session (RFC 3550 §6.2: 5 s minimum by default). */
  readonly rtcpIntervalMs: number;
  readonly dataDir: string;
  readonly certsDir: string;
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly certHosts: readonly string[];
  readonly ephemeral: boolean;
  readonly adminToken: string | null;
  readonly seed: string | null;
  /** `create`: the seed adds what is missing and keeps API changes; `reset`: re-applied in full. */
  readonly seedMode: "create" | "reset";
  readonly scenario: string | null;
  readonly logLevel: LogLevel;
  readonly shutdownGraceMs: number;
  /** Trace ring buffer entries (0 = no in-memory trace). */
  readonly traceBuffer: number;
  /** Append every trace entry as a JSON line here. */
  readonly traceFile: string | null;
  /** Write TLS session keys here (SSLKEYLOGFILE format) to decrypt captures of port 65061. */
  readonly tlsKeylog: string | null;
  /** POST call and connector events here (absolute http: or https: URL). */
  readonly webhookUrl: string | null;
  /** HMAC-SHA256 key signing each webhook POST. */
  readonly webhookSecret: string | null;
  /**
   * Request-URI of calls toward the PBX: `number` puts the dialled number in the user part
   * of the registered Contact, `contact` sends to the registered Contact URI as it is.
   */
  readonly inboundRequestUri: "number" | "contact";
}

export type DigestAlgorithmName = "MD5" | "SHA-256";
export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** The embedded defaults (SPEC §3.1). */
export function defaultConfig(): EmulatorConfig {
  return {
    bind: "0.0.0.0",
    host: defaultAdvertisedHost(),
    domain: "phoneapp.unify.com",
    sip: {
      port: 65061,
      tcpPort: null,
      udpPort: null,
      // Ciphers null: MODERN_CIPHERS (src/certs/tls-policy.ts), ECDHE + AEAD only.
      tls: { minVersion: "TLSv1.2", maxVersion: "TLSv1.3", ciphers: null },
      maxMessageSize: 65_536,
      maxHeaders: 128,
      maxConnectionsPerSource: 256,
      maxConnections: null,
      // Longer than the 600 s re-registration interval, so an idle trunk survives (SPEC §1).
      idleTimeoutMs: 3_700_000,
      partialMessageTimeoutMs: 10_000,
      handshakeTimeoutMs: 10_000,
    },
    registrar: {
      defaultExpires: 600,
      minExpires: 60,
      maxExpires: 3600,
      maxContactsPerTrunk: 10,
      nonceTtlMs: 300_000,
      digestAlgorithms: ["MD5"],
      duplicateRegistration: "last-wins",
      maxAuthFailures: 10,
      lockoutMs: 60_000,
    },
    httpsPort: 8443,
    httpPort: null,
    stunPort: 3478,
    stunRateLimit: 10,
    rtpPorts: { min: 20000, max: 20999 },
    rtcpIntervalMs: 5000,
    dataDir: "./data",
    certsDir: "./certs",
    certFile: null,
    keyFile: null,
    certHosts: ["phoneapp.unify.com", "localhost", "127.0.0.1", "::1", os.hostname()],
    ephemeral: false,
    adminToken: null,
    seed: null,
    seedMode: "create",
    scenario: null,
    logLevel: "info",
    shutdownGraceMs: 5_000,
    traceBuffer: 10_000,
    traceFile: null,
    tlsKeylog: null,
    webhookUrl: null,
    webhookSecret: null,
    inboundRequestUri: "number",
  };
}

/** First non-internal IPv4 address: what a lab PBX on the LAN can reach. */
function defaultAdvertisedHost(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === "IPv4" && !a.internal) return a.address;
    }
  }
  return "127.0.0.1";
}
