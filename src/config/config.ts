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
    /** TLS sockets in their handshake at once (src/sip/transport/transport-limits.ts). */
    readonly maxPendingHandshakes: number;
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
    /** The refresh shortcut (src/registrar/refresh-shortcut.ts): on by default, off for comparison. */
    readonly refreshShortcut: "on" | "off";
    /** Failed digest attempts from one source for one user before a lockout. */
    readonly maxAuthFailures: number;
    readonly lockoutMs: number;
  };
  readonly httpsPort: number;
  readonly httpPort: number | null;
  readonly stunPort: number | null;
  /** STUN answers per second per source address (a token bucket of that size); 0 = no limit. */
  readonly stunRateLimit: number;
  /** Answer STUN over TCP on the STUN port too ("on"/"off": a flag that can be turned off on the command line). */
  readonly stunTcp: "on" | "off";
  /** RFC 5780 second IP: an IP literal, "off", or "auto" (127.0.0.2 beside a loopback STUN IP). */
  readonly stunAlternateAddress: string;
  /** RFC 5780 second port: a port number, "off", or "auto" (STUN port + 1, any free one with port 0). */
  readonly stunAlternatePort: string;
  /** Emulated NAT mapping behaviour (RFC 4787 §4.1), or none. */
  readonly stunNat: "none" | StunNatBehaviour;
  /** Emulated NAT filtering behaviour (RFC 4787 §5); auto = like the mapping. */
  readonly stunNatFiltering: "auto" | StunNatBehaviour;
  /** The emulated NAT's public IP. */
  readonly stunPublicAddress: string;
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
  /** A bearer token that may read GET /metrics and nothing else (compared as a SHA-256 digest). */
  readonly metricsToken: string | null;
  /** Serve GET /metrics without a token (docs/metrics.md: what it reveals). */
  readonly metricsPublic: boolean;
  readonly seed: string | null;
  /** `create`: the seed adds what is missing and keeps API changes; `reset`: re-applied in full. */
  readonly seedMode: "create" | "reset";
  readonly scenario: string | null;
  /** Start an in-process mock OSBiz (PBX) against this emulator, from the scenario's seed and `pbx:`. */
  /** Stub mapping files; null: <dataDir>/mappings, or none when ephemeral. */
  readonly mappingsDir: string | null;
  /** `--record`: unanswered HTTP requests become draft mappings in <mappings dir>/recorded/. */
  readonly record: boolean;
  readonly mockOsbiz: boolean;
  readonly logLevel: LogLevel;
  readonly shutdownGraceMs: number;
  /** Bytes of each unmatched request's body the unmatched journal keeps. */
  readonly unmatchedBodyLimit: number;
  /** Status of the default answer to an HTTP request no route or stub takes. */
  readonly unmatchedHttpStatus: number;
  /** Status of the default answer to an unhandled SIP request; 0 = the RFC-appropriate one. */
  readonly unmatchedSipStatus: number;
  /** Trace ring buffer entries (0 = no in-memory trace). */
  readonly traceBuffer: number;
  /** Bytes the trace ring may hold (approximate: message sizes plus a fixed overhead per entry). */
  readonly traceBufferBytes: number;
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
  /**
   * When the desk-phone CSTA session toward a PBX opens (docs/cti.md): `auto` when its trunk
   * registers with desk-phone users, `on-demand` at the first desk-phone request (a PBX that
   * does not speak CSTA never sees the session INVITE unless someone asks for its desk phone).
   */
  readonly ctiSession: "auto" | "on-demand";
}

export type DigestAlgorithmName = "MD5" | "SHA-256";
export type StunNatBehaviour = "endpoint-independent" | "address-dependent" | "address-and-port-dependent";
export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
