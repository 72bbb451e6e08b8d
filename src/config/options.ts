/**
 * Every setting of the emulator, declared once: its CLI flag, its `UPE_*` variable, its
 * default and its help text. `cli/` builds flags and help from this table, `load-config.ts`
 * reads the environment from it, and the README table is written from the same facts.
 */
export type OptionKind = "port" | "optional-port" | "port-range" | "string" | "boolean" | "integer" | "list";

export interface OptionSpec {
  readonly key: string;
  readonly flag: string;
  readonly env: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** Smallest value accepted for integers (inclusive). */
  readonly min?: number;
  readonly choices?: readonly string[];
}

const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;

export const OPTIONS = [
  {
    key: "sipPort",
    flag: "sip-port",
    env: "UPE_SIP_PORT",
    kind: "port",
    help: "SIP over TLS listener (0 = any free port)",
  },
  {
    key: "httpsPort",
    flag: "https-port",
    env: "UPE_HTTPS_PORT",
    kind: "port",
    help: "HTTPS REST API and web UI",
  },
  {
    key: "httpPort",
    flag: "http-port",
    env: "UPE_HTTP_PORT",
    kind: "optional-port",
    help: "plain HTTP listener (off unless set)",
  },
  {
    key: "stunPort",
    flag: "stun-port",
    env: "UPE_STUN_PORT",
    kind: "optional-port",
    help: "STUN binding responder (UDP); 'off' disables",
  },
  {
    key: "stunRateLimit",
    flag: "stun-rate-limit",
    env: "UPE_STUN_RATE_LIMIT",
    kind: "integer",
    min: 0,
    help: "STUN answers per second per source address, also the largest burst; more are dropped (0 = no limit)",
  },
  {
    key: "rtpPorts",
    flag: "rtp-ports",
    env: "UPE_RTP_PORTS",
    kind: "port-range",
    help: "RTP port range for media, e.g. 20000-20999",
  },
  {
    key: "rtcpInterval",
    flag: "rtcp-interval",
    env: "UPE_RTCP_INTERVAL",
    kind: "integer",
    min: 100,
    help: "milliseconds between RTCP reports of a media session (randomised ±50 %)",
  },
  { key: "bind", flag: "bind", env: "UPE_BIND", kind: "string", help: "address every listener binds to" },
  {
    key: "host",
    flag: "host",
    env: "UPE_HOST",
    kind: "string",
    help: "host name/IP advertised in provisioning and SDP",
  },
  {
    key: "domain",
    flag: "domain",
    env: "UPE_DOMAIN",
    kind: "string",
    help: "SIP domain and digest realm of the connector",
  },
  {
    key: "dataDir",
    flag: "data-dir",
    env: "UPE_DATA_DIR",
    kind: "string",
    help: "where the SQLite database lives",
  },
  {
    key: "certsDir",
    flag: "certs-dir",
    env: "UPE_CERTS_DIR",
    kind: "string",
    help: "CA and server certificate (generated if absent)",
  },
  {
    key: "certFile",
    flag: "cert-file",
    env: "UPE_CERT_FILE",
    kind: "string",
    help: "use this server certificate (PEM chain) instead of generating one",
  },
  {
    key: "keyFile",
    flag: "key-file",
    env: "UPE_KEY_FILE",
    kind: "string",
    help: "private key (PEM) for --cert-file",
  },
  {
    key: "certHosts",
    flag: "cert-hosts",
    env: "UPE_CERT_HOSTS",
    kind: "list",
    help: "names/IPs for the server certificate, comma separated",
  },
  {
    key: "ephemeral",
    flag: "ephemeral",
    env: "UPE_EPHEMERAL",
    kind: "boolean",
    help: "keep everything in memory (1/true)",
  },
  {
    key: "adminToken",
    flag: "admin-token",
    env: "UPE_ADMIN_TOKEN",
    kind: "string",
    help: "admin bearer token (generated on first start if unset)",
  },
  {
    key: "seed",
    flag: "seed",
    env: "UPE_SEED",
    kind: "string",
    help: "YAML/JSON seed file applied at startup",
  },
  {
    key: "seedMode",
    flag: "seed-mode",
    env: "UPE_SEED_MODE",
    kind: "string",
    help: "create: add what the store lacks, keep changes made through the API; reset: re-apply every seeded value",
    choices: ["create", "reset"],
  },
  {
    key: "scenario",
    flag: "scenario",
    env: "UPE_SCENARIO",
    kind: "string",
    help: "scenario to load at startup",
  },
  {
    key: "logLevel",
    flag: "log-level",
    env: "UPE_LOG_LEVEL",
    kind: "string",
    help: "log level",
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
  },
  {
    key: "tlsMinVersion",
    flag: "tls-min-version",
    env: "UPE_TLS_MIN_VERSION",
    kind: "string",
    help: "lowest TLS version accepted on SIP",
    choices: TLS_VERSIONS,
  },
  {
    key: "tlsMaxVersion",
    flag: "tls-max-version",
    env: "UPE_TLS_MAX_VERSION",
    kind: "string",
    help: "highest TLS version accepted on SIP",
    choices: TLS_VERSIONS,
  },
  {
    key: "tlsCiphers",
    flag: "tls-ciphers",
    env: "UPE_TLS_CIPHERS",
    kind: "string",
    help: "OpenSSL cipher list for SIP TLS (default: TLS 1.3 suites, TLS 1.2 ECDHE with AEAD only)",
  },
  {
    key: "sipTcpPort",
    flag: "sip-tcp-port",
    env: "UPE_SIP_TCP_PORT",
    kind: "optional-port",
    help: "plain SIP over TCP, for debugging (off unless set)",
  },
  {
    key: "sipUdpPort",
    flag: "sip-udp-port",
    env: "UPE_SIP_UDP_PORT",
    kind: "optional-port",
    help: "plain SIP over UDP, for debugging (off unless set)",
  },
  {
    key: "maxMessageSize",
    flag: "max-message-size",
    env: "UPE_MAX_MESSAGE_SIZE",
    kind: "integer",
    min: 1024,
    help: "largest SIP message in bytes (larger: 513, then close)",
  },
  {
    key: "maxHeaders",
    flag: "max-headers",
    env: "UPE_MAX_HEADERS",
    kind: "integer",
    min: 10,
    help: "most header fields in one SIP message",
  },
  {
    key: "maxConnectionsPerSource",
    flag: "max-connections-per-source",
    env: "UPE_MAX_CONNECTIONS_PER_SOURCE",
    kind: "integer",
    min: 1,
    help: "concurrent SIP connections from one IP address",
  },
  {
    key: "maxConnections",
    flag: "max-connections",
    env: "UPE_MAX_CONNECTIONS",
    kind: "integer",
    min: 1,
    help: "concurrent SIP connections in all (default and ceiling: what the open-files limit leaves)",
  },
  {
    key: "handshakeTimeout",
    flag: "handshake-timeout",
    env: "UPE_HANDSHAKE_TIMEOUT",
    kind: "integer",
    min: 1,
    help: "seconds from TCP accept to a finished TLS handshake (SIP and HTTPS); slower sockets are closed",
  },
  {
    key: "idleTimeout",
    flag: "idle-timeout",
    env: "UPE_IDLE_TIMEOUT",
    kind: "integer",
    min: 1,
    help: "seconds a SIP connection may stay silent (must exceed the re-registration interval)",
  },
  {
    key: "partialMessageTimeout",
    flag: "partial-message-timeout",
    env: "UPE_PARTIAL_MESSAGE_TIMEOUT",
    kind: "integer",
    min: 1,
    help: "seconds a half-received SIP message may wait for the rest (slowloris guard)",
  },
  {
    key: "digestAlgorithms",
    flag: "digest-algorithms",
    env: "UPE_DIGEST_ALGORITHMS",
    kind: "list",
    help: "digest challenges offered, in order (MD5, SHA-256)",
  },
  {
    key: "shutdownGrace",
    flag: "shutdown-grace",
    env: "UPE_SHUTDOWN_GRACE",
    kind: "integer",
    min: 0,
    help: "seconds to let in-flight transactions finish on shutdown",
  },
  {
    key: "duplicateRegistration",
    flag: "duplicate-registration",
    env: "UPE_DUPLICATE_REGISTRATION",
    kind: "string",
    help: "a second connection registering a trunk's identity: allow, reject (403), last-wins or flap",
    choices: ["allow", "reject", "last-wins", "flap"],
  },
  {
    key: "inboundRequestUri",
    flag: "inbound-request-uri",
    env: "UPE_INBOUND_REQUEST_URI",
    kind: "string",
    help: "Request-URI of calls toward the PBX: number (sip:<dialled number>@<contact host:port>) or contact (the registered Contact URI, the number in To)",
    choices: ["number", "contact"],
  },
  {
    key: "traceBuffer",
    flag: "trace-buffer",
    env: "UPE_TRACE_BUFFER",
    kind: "integer",
    min: 0,
    help: "trace entries kept in memory (0 = off)",
  },
  {
    key: "traceFile",
    flag: "trace-file",
    env: "UPE_TRACE_FILE",
    kind: "string",
    help: "append every trace entry to this file as a JSON line",
  },
  {
    key: "tlsKeylog",
    flag: "tls-keylog",
    env: "UPE_TLS_KEYLOG",
    kind: "string",
    help: "write TLS session keys in SSLKEYLOGFILE format, to decrypt a capture of the SIP port",
  },
  {
    key: "webhookUrl",
    flag: "webhook-url",
    env: "UPE_WEBHOOK_URL",
    kind: "string",
    help: "POST call and connector events to this http(s) URL (docs/webhooks.md)",
  },
  {
    key: "webhookSecret",
    flag: "webhook-secret",
    env: "UPE_WEBHOOK_SECRET",
    kind: "string",
    help: "sign each webhook POST with HMAC-SHA256 (x-upe-signature)",
  },
] as const satisfies readonly OptionSpec[];

/** A setting's name; derived from the table, so a setting cannot exist without its flag. */
export type OptionKey = (typeof OPTIONS)[number]["key"];
