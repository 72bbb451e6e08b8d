import os from "node:os";
import type { EmulatorConfig } from "./config.js";

/**
 * Every setting of the emulator, declared once: its CLI flag, its `UPE_*` variable, where
 * it lands in the config, its default and its help text. `cli/` builds flags and help from
 * this table, `load-config.ts` reads the environment and writes the config from it,
 * `defaultConfig()` takes its defaults from it, and docs/configuration.md lists the same
 * rows (a test compares them). Adding a setting = one row (and its field in EmulatorConfig).
 */
export type OptionKind = "port" | "optional-port" | "port-range" | "string" | "boolean" | "integer" | "list";

/** A dotted path to a field of EmulatorConfig, e.g. "sip.tls.minVersion". */
export type ConfigPath = PathsOf<EmulatorConfig>;
type PathsOf<T, Prefix extends string = ""> = {
  [K in keyof T & string]:
    | `${Prefix}${K}`
    | (T[K] extends readonly unknown[]
        ? never
        : T[K] extends object
          ? PathsOf<T[K], `${Prefix}${K}.`>
          : never);
}[keyof T & string];

/** What a setting holds, in its own unit: null is "off" / "not set". */
export type OptionValue = string | number | boolean | null | readonly string[] | { min: number; max: number };

export interface OptionSpec {
  readonly key: string;
  readonly flag: string;
  readonly env: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** Where the value lands in the config. */
  readonly config: ConfigPath;
  /** The value when neither flag nor variable is given, in the option's own unit. */
  readonly default: OptionValue;
  /** The config holds the value times this (seconds given, milliseconds kept). */
  readonly scale?: number;
  /** Smallest value accepted for integers (inclusive). */
  readonly min?: number;
  readonly choices?: readonly string[];
}

const SECONDS = 1000;
const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;

export const OPTIONS = [
  {
    key: "sipPort",
    flag: "sip-port",
    env: "UPE_SIP_PORT",
    kind: "port",
    config: "sip.port",
    default: 65061,
    help: "SIP over TLS listener (0 = any free port)",
  },
  {
    key: "httpsPort",
    flag: "https-port",
    env: "UPE_HTTPS_PORT",
    kind: "port",
    config: "httpsPort",
    default: 8443,
    help: "HTTPS REST API and web UI",
  },
  {
    key: "httpPort",
    flag: "http-port",
    env: "UPE_HTTP_PORT",
    kind: "optional-port",
    config: "httpPort",
    default: null,
    help: "plain HTTP listener (off unless set)",
  },
  {
    key: "stunPort",
    flag: "stun-port",
    env: "UPE_STUN_PORT",
    kind: "optional-port",
    config: "stunPort",
    default: 3478,
    help: "STUN binding responder (UDP); 'off' disables",
  },
  {
    key: "stunRateLimit",
    flag: "stun-rate-limit",
    env: "UPE_STUN_RATE_LIMIT",
    kind: "integer",
    min: 0,
    config: "stunRateLimit",
    default: 10,
    help: "STUN answers per second per source address, also the largest burst; more are dropped (0 = no limit)",
  },
  {
    key: "stunTcp",
    flag: "stun-tcp",
    env: "UPE_STUN_TCP",
    kind: "string",
    config: "stunTcp",
    default: "on",
    choices: ["on", "off"],
    help: "STUN over TCP on the STUN port too (RFC 5389 §7.2.2): on or off",
  },
  {
    key: "stunAlternateAddress",
    flag: "stun-alternate-address",
    env: "UPE_STUN_ALTERNATE_ADDRESS",
    kind: "string",
    config: "stunAlternateAddress",
    default: "auto",
    help: "second STUN IP for RFC 5780 'change IP': an IP, off, or auto (127.0.0.2 when the STUN IP is loopback)",
  },
  {
    key: "stunAlternatePort",
    flag: "stun-alternate-port",
    env: "UPE_STUN_ALTERNATE_PORT",
    kind: "string",
    config: "stunAlternatePort",
    default: "auto",
    help: "second STUN port for RFC 5780 'change port': a port, off, or auto (STUN port + 1; any free one with port 0)",
  },
  {
    key: "stunNat",
    flag: "stun-nat",
    env: "UPE_STUN_NAT",
    kind: "string",
    config: "stunNat",
    default: "none",
    choices: ["none", "endpoint-independent", "address-dependent", "address-and-port-dependent"],
    help: "emulated NAT mapping in front of STUN clients (RFC 4787); address-and-port-dependent = symmetric",
  },
  {
    key: "stunNatFiltering",
    flag: "stun-nat-filtering",
    env: "UPE_STUN_NAT_FILTERING",
    kind: "string",
    config: "stunNatFiltering",
    default: "auto",
    choices: ["auto", "endpoint-independent", "address-dependent", "address-and-port-dependent"],
    help: "emulated NAT filtering (RFC 4787 §5); auto = the same as --stun-nat",
  },
  {
    key: "stunPublicAddress",
    flag: "stun-public-address",
    env: "UPE_STUN_PUBLIC_ADDRESS",
    kind: "string",
    config: "stunPublicAddress",
    default: "203.0.113.7",
    help: "the emulated NAT's public IP, reported as the mapped address",
  },
  {
    key: "rtpPorts",
    flag: "rtp-ports",
    env: "UPE_RTP_PORTS",
    kind: "port-range",
    config: "rtpPorts",
    default: { min: 20000, max: 20999 },
    help: "RTP port range for media, e.g. 20000-20999",
  },
  {
    key: "rtcpInterval",
    flag: "rtcp-interval",
    env: "UPE_RTCP_INTERVAL",
    kind: "integer",
    min: 100,
    config: "rtcpIntervalMs",
    default: 5000,
    help: "milliseconds between RTCP reports of a media session (randomised ±50 %)",
  },
  {
    key: "bind",
    flag: "bind",
    env: "UPE_BIND",
    kind: "string",
    config: "bind",
    default: "0.0.0.0",
    help: "address every listener binds to",
  },
  {
    key: "host",
    flag: "host",
    env: "UPE_HOST",
    kind: "string",
    config: "host",
    get default(): string {
      return defaultAdvertisedHost();
    },
    help: "host name/IP advertised in provisioning and SDP",
  },
  {
    key: "domain",
    flag: "domain",
    env: "UPE_DOMAIN",
    kind: "string",
    config: "domain",
    default: "phoneapp.unify.com",
    help: "SIP domain and digest realm of the connector",
  },
  {
    key: "dataDir",
    flag: "data-dir",
    env: "UPE_DATA_DIR",
    kind: "string",
    config: "dataDir",
    default: "./data",
    help: "where the SQLite database lives",
  },
  {
    key: "certsDir",
    flag: "certs-dir",
    env: "UPE_CERTS_DIR",
    kind: "string",
    config: "certsDir",
    default: "./certs",
    help: "CA and server certificate (generated if absent)",
  },
  {
    key: "certFile",
    flag: "cert-file",
    env: "UPE_CERT_FILE",
    kind: "string",
    config: "certFile",
    default: null,
    help: "use this server certificate (PEM chain) instead of generating one",
  },
  {
    key: "keyFile",
    flag: "key-file",
    env: "UPE_KEY_FILE",
    kind: "string",
    config: "keyFile",
    default: null,
    help: "private key (PEM) for --cert-file",
  },
  {
    key: "certHosts",
    flag: "cert-hosts",
    env: "UPE_CERT_HOSTS",
    kind: "list",
    config: "certHosts",
    get default(): readonly string[] {
      return ["phoneapp.unify.com", "localhost", "127.0.0.1", "::1", os.hostname()];
    },
    help: "names/IPs for the server certificate, comma separated",
  },
  {
    key: "ephemeral",
    flag: "ephemeral",
    env: "UPE_EPHEMERAL",
    kind: "boolean",
    config: "ephemeral",
    default: false,
    help: "keep everything in memory (1/true)",
  },
  {
    key: "adminToken",
    flag: "admin-token",
    env: "UPE_ADMIN_TOKEN",
    kind: "string",
    config: "adminToken",
    default: null,
    help: "admin bearer token (generated on first start if unset)",
  },
  {
    key: "metricsToken",
    flag: "metrics-token",
    env: "UPE_METRICS_TOKEN",
    kind: "string",
    config: "metricsToken",
    default: null,
    help: "bearer token that may read GET /metrics only (the admin token may too)",
  },
  {
    key: "metricsPublic",
    flag: "metrics-public",
    env: "UPE_METRICS_PUBLIC",
    kind: "boolean",
    config: "metricsPublic",
    default: false,
    help: "serve GET /metrics without any token (1/true; anyone who reaches the port reads it)",
  },
  {
    key: "seed",
    flag: "seed",
    env: "UPE_SEED",
    kind: "string",
    config: "seed",
    default: null,
    help: "YAML/JSON seed file applied at startup",
  },
  {
    key: "seedMode",
    flag: "seed-mode",
    env: "UPE_SEED_MODE",
    kind: "string",
    config: "seedMode",
    default: "create",
    help: "create: add what the store lacks, keep changes made through the API; reset: re-apply every seeded value",
    choices: ["create", "reset"],
  },
  {
    key: "scenario",
    flag: "scenario",
    env: "UPE_SCENARIO",
    kind: "string",
    config: "scenario",
    default: null,
    help: "scenario to load at startup",
  },
  {
    key: "mappingsDir",
    flag: "mappings-dir",
    env: "UPE_MAPPINGS_DIR",
    kind: "string",
    config: "mappingsDir",
    default: null,
    help: "folder of stub mapping files (YAML/JSON) read at start; default <data dir>/mappings (none with --ephemeral)",
  },
  {
    key: "record",
    flag: "record",
    env: "UPE_RECORD",
    kind: "boolean",
    config: "record",
    default: false,
    help: "write each HTTP request no route or mapping answers as a draft mapping into <mappings dir>/recorded/ (1/true)",
  },
  {
    key: "mockOsbiz",
    flag: "mock-osbiz",
    env: "UPE_MOCK_OSBIZ",
    kind: "boolean",
    config: "mockOsbiz",
    default: false,
    help: "start an in-process mock OSBiz against this emulator, configured from the scenario's seed and pbx: section (1/true)",
  },
  {
    key: "logLevel",
    flag: "log-level",
    env: "UPE_LOG_LEVEL",
    kind: "string",
    config: "logLevel",
    default: "info",
    help: "log level",
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
  },
  {
    key: "tlsMinVersion",
    flag: "tls-min-version",
    env: "UPE_TLS_MIN_VERSION",
    kind: "string",
    config: "sip.tls.minVersion",
    default: "TLSv1.2",
    help: "lowest TLS version accepted on SIP",
    choices: TLS_VERSIONS,
  },
  {
    key: "tlsMaxVersion",
    flag: "tls-max-version",
    env: "UPE_TLS_MAX_VERSION",
    kind: "string",
    config: "sip.tls.maxVersion",
    default: "TLSv1.3",
    help: "highest TLS version accepted on SIP",
    choices: TLS_VERSIONS,
  },
  {
    key: "tlsCiphers",
    flag: "tls-ciphers",
    env: "UPE_TLS_CIPHERS",
    kind: "string",
    config: "sip.tls.ciphers",
    // null: MODERN_CIPHERS (src/certs/tls-policy.ts), ECDHE + AEAD only.
    default: null,
    help: "OpenSSL cipher list for SIP TLS (default: TLS 1.3 suites, TLS 1.2 ECDHE with AEAD only)",
  },
  {
    key: "sipTcpPort",
    flag: "sip-tcp-port",
    env: "UPE_SIP_TCP_PORT",
    kind: "optional-port",
    config: "sip.tcpPort",
    default: null,
    help: "plain SIP over TCP, for debugging (off unless set)",
  },
  {
    key: "sipUdpPort",
    flag: "sip-udp-port",
    env: "UPE_SIP_UDP_PORT",
    kind: "optional-port",
    config: "sip.udpPort",
    default: null,
    help: "plain SIP over UDP, for debugging (off unless set)",
  },
  {
    key: "maxMessageSize",
    flag: "max-message-size",
    env: "UPE_MAX_MESSAGE_SIZE",
    kind: "integer",
    min: 1024,
    config: "sip.maxMessageSize",
    default: 65_536,
    help: "largest SIP message in bytes (larger: 513, then close)",
  },
  {
    key: "maxHeaders",
    flag: "max-headers",
    env: "UPE_MAX_HEADERS",
    kind: "integer",
    min: 10,
    config: "sip.maxHeaders",
    default: 128,
    help: "most header fields in one SIP message",
  },
  {
    key: "maxConnectionsPerSource",
    flag: "max-connections-per-source",
    env: "UPE_MAX_CONNECTIONS_PER_SOURCE",
    kind: "integer",
    min: 1,
    config: "sip.maxConnectionsPerSource",
    default: 256,
    help: "concurrent SIP connections from one IP address",
  },
  {
    key: "maxConnections",
    flag: "max-connections",
    env: "UPE_MAX_CONNECTIONS",
    kind: "integer",
    min: 1,
    config: "sip.maxConnections",
    // null: derived from the open-files limit (src/shared/descriptor-budget.ts).
    default: null,
    help: "concurrent SIP connections in all (default and ceiling: what the open-files limit leaves)",
  },
  {
    key: "handshakeTimeout",
    flag: "handshake-timeout",
    env: "UPE_HANDSHAKE_TIMEOUT",
    kind: "integer",
    min: 1,
    config: "sip.handshakeTimeoutMs",
    default: 10,
    scale: SECONDS,
    help: "seconds from TCP accept to a finished TLS handshake (SIP and HTTPS); slower sockets are closed",
  },
  {
    key: "maxPendingHandshakes",
    flag: "max-pending-handshakes",
    env: "UPE_MAX_PENDING_HANDSHAKES",
    kind: "integer",
    min: 1,
    config: "sip.maxPendingHandshakes",
    default: 1024,
    help: "SIP TLS handshakes in progress at once (each holds native memory); the oldest is closed to make room",
  },
  {
    key: "idleTimeout",
    flag: "idle-timeout",
    env: "UPE_IDLE_TIMEOUT",
    kind: "integer",
    min: 1,
    config: "sip.idleTimeoutMs",
    // Longer than the 600 s re-registration interval, so an idle trunk survives (SPEC §1).
    default: 3700,
    scale: SECONDS,
    help: "seconds a SIP connection may stay silent (must exceed the re-registration interval)",
  },
  {
    key: "partialMessageTimeout",
    flag: "partial-message-timeout",
    env: "UPE_PARTIAL_MESSAGE_TIMEOUT",
    kind: "integer",
    min: 1,
    config: "sip.partialMessageTimeoutMs",
    default: 10,
    scale: SECONDS,
    help: "seconds a half-received SIP message may wait for the rest (slowloris guard)",
  },
  {
    key: "digestAlgorithms",
    flag: "digest-algorithms",
    env: "UPE_DIGEST_ALGORITHMS",
    kind: "list",
    config: "registrar.digestAlgorithms",
    default: ["MD5"],
    help: "digest challenges offered, in order (MD5, SHA-256)",
  },
  {
    key: "shutdownGrace",
    flag: "shutdown-grace",
    env: "UPE_SHUTDOWN_GRACE",
    kind: "integer",
    min: 0,
    config: "shutdownGraceMs",
    default: 5,
    scale: SECONDS,
    help: "seconds to let in-flight transactions finish on shutdown",
  },
  {
    key: "duplicateRegistration",
    flag: "duplicate-registration",
    env: "UPE_DUPLICATE_REGISTRATION",
    kind: "string",
    config: "registrar.duplicateRegistration",
    default: "last-wins",
    help: "a second connection registering a trunk's identity: allow, reject (403), last-wins or flap",
    choices: ["allow", "reject", "last-wins", "flap"],
  },
  {
    key: "registerShortcut",
    flag: "register-shortcut",
    env: "UPE_REGISTER_SHORTCUT",
    kind: "string",
    config: "registrar.refreshShortcut",
    default: "on",
    choices: ["on", "off"],
    help: "answer a PBX's REGISTER from its bytes when it repeats the last one but for branch, From tag, Call-ID, CSeq and digest nonce, nc, cnonce and response (docs/sip.md); off: every REGISTER is parsed",
  },
  {
    key: "inboundRequestUri",
    flag: "inbound-request-uri",
    env: "UPE_INBOUND_REQUEST_URI",
    kind: "string",
    config: "inboundRequestUri",
    default: "number",
    help: "Request-URI of calls toward the PBX: number (sip:<dialled number>@<contact host:port>) or contact (the registered Contact URI, the number in To)",
    choices: ["number", "contact"],
  },
  {
    key: "ctiSession",
    flag: "cti-session",
    env: "UPE_CTI_SESSION",
    kind: "string",
    config: "ctiSession",
    default: "on-demand",
    help: "when the connector opens the desk-phone CSTA session (uaCSTA INVITE) toward a PBX: auto (as soon as its trunk registers with desk-phone users) or on-demand (at the first desk-phone request)",
    choices: ["auto", "on-demand"],
  },
  {
    key: "unmatchedBodyLimit",
    flag: "unmatched-body-limit",
    env: "UPE_UNMATCHED_BODY_LIMIT",
    kind: "integer",
    min: 0,
    config: "unmatchedBodyLimit",
    default: 16_384,
    help: "bytes of each unmatched request's body kept in the unmatched journal and the trace",
  },
  {
    key: "unmatchedHttpStatus",
    flag: "unmatched-http-status",
    env: "UPE_UNMATCHED_HTTP_STATUS",
    kind: "integer",
    min: 200,
    config: "unmatchedHttpStatus",
    default: 404,
    help: "status of the problem+json answering an HTTP request that matches no route and no stub",
  },
  {
    key: "unmatchedSipStatus",
    flag: "unmatched-sip-status",
    env: "UPE_UNMATCHED_SIP_STATUS",
    kind: "integer",
    min: 0,
    config: "unmatchedSipStatus",
    default: 0,
    help: "status answering a SIP request no handler and no stub takes (0 = as the RFC says: 501 unknown method, 405 no handler, 415 body type)",
  },
  {
    key: "traceBuffer",
    flag: "trace-buffer",
    env: "UPE_TRACE_BUFFER",
    kind: "integer",
    min: 0,
    config: "traceBuffer",
    default: 10_000,
    help: "trace entries kept in memory (0 = off)",
  },
  {
    key: "traceBufferMb",
    flag: "trace-buffer-mb",
    env: "UPE_TRACE_BUFFER_MB",
    kind: "integer",
    min: 1,
    config: "traceBufferBytes",
    default: 64,
    scale: 1024 * 1024,
    help: "memory the trace entries may hold in MiB (the oldest go first; bounds a trace of large messages)",
  },
  {
    key: "traceFile",
    flag: "trace-file",
    env: "UPE_TRACE_FILE",
    kind: "string",
    config: "traceFile",
    default: null,
    help: "append every trace entry to this file as a JSON line",
  },
  {
    key: "tlsKeylog",
    flag: "tls-keylog",
    env: "UPE_TLS_KEYLOG",
    kind: "string",
    config: "tlsKeylog",
    default: null,
    help: "write TLS session keys in SSLKEYLOGFILE format, to decrypt a capture of the SIP port",
  },
  {
    key: "webhookUrl",
    flag: "webhook-url",
    env: "UPE_WEBHOOK_URL",
    kind: "string",
    config: "webhookUrl",
    default: null,
    help: "POST call and connector events to this http(s) URL (docs/webhooks.md)",
  },
  {
    key: "webhookSecret",
    flag: "webhook-secret",
    env: "UPE_WEBHOOK_SECRET",
    kind: "string",
    config: "webhookSecret",
    default: null,
    help: "sign each webhook POST with HMAC-SHA256 (x-upe-signature)",
  },
] as const satisfies readonly OptionSpec[];

/** A setting's name; derived from the table, so a setting cannot exist without its flag. */
export type OptionKey = (typeof OPTIONS)[number]["key"];

/** The config's value for an option's value (`scale` applied). */
export function configValue(spec: OptionSpec, value: OptionValue): OptionValue {
  return spec.scale !== undefined && typeof value === "number" ? value * spec.scale : value;
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
