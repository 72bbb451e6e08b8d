import type { EmulatorConfig } from "./config.js";
import { defaultConfig, setAt } from "./default-config.js";
import { configValue, OPTIONS, type OptionKey, type OptionSpec, type OptionValue } from "./options.js";

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** What `startEmulator(options)` accepts: any part of the config; the rest is defaulted. */
export type EmulatorOptions = DeepPartial<EmulatorConfig>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const WILDCARD_BINDS = new Set(["0.0.0.0", "::", ""]);

/** Defaults, overlaid with `options`, validated and deep-frozen. */
export function resolveConfig(options: EmulatorOptions = {}): EmulatorConfig {
  const base = defaultConfig();
  // Bound to one address (e.g. 127.0.0.1), the emulator is reachable only there: advertise
  // that address unless a host is given, or provisioning would hand the PBX a dead one.
  const bound = options.bind !== undefined && !WILDCARD_BINDS.has(options.bind);
  const defaults = bound && options.host === undefined ? { ...base, host: options.bind! } : base;
  const config = merge(defaults, options) as EmulatorConfig;
  validate(config);
  return deepFreeze(config);
}

/**
 * Raw strings from `UPE_*` variables and CLI flags (flags win) turned into options.
 * `flags` holds values keyed by OptionKey, as parsed by the CLI.
 */
export function optionsFromSources(
  env: Record<string, string | undefined>,
  flags: Partial<Record<OptionKey, string | boolean>>,
): EmulatorOptions {
  const options: EmulatorOptions = {};
  for (const spec of OPTIONS) {
    const fromFlag = flags[spec.key];
    const raw = fromFlag !== undefined ? fromFlag : env[spec.env];
    if (raw === undefined || raw === "") continue;
    const source = fromFlag !== undefined ? `--${spec.flag}` : spec.env;
    setAt(options as Record<string, unknown>, spec.config, configValue(spec, convert(spec, raw, source)));
  }
  return options;
}

function convert(spec: OptionSpec, raw: string | boolean, source: string): OptionValue {
  const text = String(raw).trim();
  switch (spec.kind) {
    case "boolean":
      if (raw === true || /^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      throw new ConfigError(`${source}: expected 1/0/true/false, got "${text}"`);
    case "port":
      return parsePort(text, source);
    case "optional-port":
      return /^(off|none|disabled)$/i.test(text) ? null : parsePort(text, source);
    case "port-range": {
      const m = /^(\d+)\s*-\s*(\d+)$/.exec(text);
      if (!m) throw new ConfigError(`${source}: expected a range like 20000-20999, got "${text}"`);
      return { min: parsePort(m[1]!, source), max: parsePort(m[2]!, source) };
    }
    case "integer": {
      if (!/^\d+$/.test(text)) throw new ConfigError(`${source}: expected a whole number, got "${text}"`);
      const n = Number(text);
      if (spec.min !== undefined && n < spec.min)
        throw new ConfigError(`${source}: must be at least ${spec.min}`);
      return n;
    }
    case "list":
      return text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    case "string":
      if (spec.choices && !spec.choices.includes(text)) {
        throw new ConfigError(`${source}: must be one of ${spec.choices.join(", ")}, got "${text}"`);
      }
      return text;
  }
}

function parsePort(text: string, source: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new ConfigError(`${source}: not a port number: "${text}"`);
  return n;
}

function validate(c: EmulatorConfig): void {
  const order = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
  if (order.indexOf(c.sip.tls.minVersion) > order.indexOf(c.sip.tls.maxVersion)) {
    throw new ConfigError(
      `TLS min version ${c.sip.tls.minVersion} is above max version ${c.sip.tls.maxVersion}`,
    );
  }
  if (c.rtpPorts.min > c.rtpPorts.max) throw new ConfigError("RTP port range: min is above max");
  if (c.inboundRequestUri !== "number" && c.inboundRequestUri !== "contact")
    throw new ConfigError(`inbound Request-URI: "${c.inboundRequestUri}", want number or contact`);
  if (!Number.isInteger(c.rtcpIntervalMs) || c.rtcpIntervalMs < 100)
    throw new ConfigError(`RTCP interval: ${c.rtcpIntervalMs} ms, want a whole number of at least 100`);
  if ((c.certFile === null) !== (c.keyFile === null)) {
    throw new ConfigError("--cert-file and --key-file must be given together");
  }
  const r = c.registrar;
  const algorithms = r.digestAlgorithms;
  if (algorithms.length === 0 || algorithms.some((a) => a !== "MD5" && a !== "SHA-256")) {
    throw new ConfigError(`digest algorithms must be MD5 and/or SHA-256, got "${algorithms.join(",")}"`);
  }
  if (!(r.minExpires <= r.defaultExpires && r.defaultExpires <= r.maxExpires)) {
    throw new ConfigError("registrar expiry bounds must satisfy min <= default <= max");
  }
  validateWebhook(c);
  if (!Number.isInteger(c.unmatchedHttpStatus) || c.unmatchedHttpStatus < 200 || c.unmatchedHttpStatus > 599)
    throw new ConfigError(
      `--unmatched-http-status: want an HTTP status 200-599, got ${c.unmatchedHttpStatus}`,
    );
  const sip = c.unmatchedSipStatus;
  if (!Number.isInteger(sip) || (sip !== 0 && (sip < 200 || sip > 699)))
    throw new ConfigError(
      `--unmatched-sip-status: want 0 (as the RFC says) or a final SIP status 200-699, got ${sip}`,
    );
}

/** The same rule as the webhook dispatcher's (config imports nothing from the app). */
function validateWebhook(c: EmulatorConfig): void {
  if (c.webhookUrl === null) {
    if (c.webhookSecret !== null) throw new ConfigError("--webhook-secret needs --webhook-url");
    return;
  }
  const url = URL.canParse(c.webhookUrl) ? new URL(c.webhookUrl) : undefined;
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new ConfigError(`--webhook-url: must be an absolute http: or https: URL, got "${c.webhookUrl}"`);
  }
  if (url.username || url.password) {
    throw new ConfigError("--webhook-url: must not contain user:password (--webhook-secret signs instead)");
  }
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
