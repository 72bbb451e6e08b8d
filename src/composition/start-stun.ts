import { isIP } from "node:net";
import type { Logger } from "pino";
import { ConfigError, type EmulatorConfig } from "../config/index.js";
import { DEFAULT_WRONG_MAPPED_ADDRESS, delayMs, type FaultChecker } from "../faults/index.js";
import type { Readiness } from "../shared/readiness.js";
import {
  type EmulatedNatOptions,
  NAT_BEHAVIOURS,
  type StunFault,
  type StunFaultContext,
  type StunListenOptions,
  StunServer,
} from "../stun/index.js";
import type { Cleanup } from "./cleanup.js";

/** The STUN server the provisioning advertises (`--stun-port`); null when disabled. */
export async function startStun(
  config: EmulatorConfig,
  env: { log: Logger; readiness: Readiness; cleanup: Cleanup; faults: FaultChecker },
): Promise<number | null> {
  if (config.stunPort === null) {
    env.readiness.set("stun", "disabled");
    return null;
  }
  const layout = stunLayout(config, config.stunPort);
  const nat = natOptions(config);
  const stun = new StunServer({
    log: (event, detail) => env.log.debug({ ...detail }, `stun: ${event}`),
    rateLimit: { perSecond: config.stunRateLimit },
    ...(nat ? { nat } : {}),
    faults: (context) => stunFault(env.faults, context, config.stunPublicAddress),
  });
  env.cleanup.add(() => stun.close());
  const bound = await stun.listen(layout).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRNOTAVAIL" || !layout.alternateAddress) throw error;
    throw new ConfigError(
      `STUN alternate address ${layout.alternateAddress}: ${error.message} (add it to an interface, or --stun-alternate-address off)`,
    );
  });
  const extras = [
    bound.tcp ? "tcp" : "",
    bound.alternateAddress ? `alt ip ${bound.alternateAddress}` : "",
    bound.alternatePort ? `alt port ${bound.alternatePort}` : "",
    nat ? `nat ${nat.mapping}/${nat.filtering} ${nat.publicAddress}` : "",
  ].filter(Boolean);
  env.readiness.set("stun", "up", [`udp ${bound.port}`, ...extras].join(", "));
  return bound.port;
}

/**
 * Where the STUN sockets go. The primary IP is the bind address, or the advertised host
 * when bound to a wildcard. A second IP can only be bound beside specific addresses, so
 * with one the primary sockets bind the primary IP rather than the wildcard.
 */
export function stunLayout(config: EmulatorConfig, port: number): StunListenOptions {
  const wildcard = config.bind === "0.0.0.0" || config.bind === "::" || config.bind === "";
  const primary = wildcard ? (isIP(config.host) ? config.host : undefined) : config.bind;
  const alternateAddress = resolveAlternateAddress(config.stunAlternateAddress, primary);
  if (alternateAddress !== null && primary === undefined) {
    throw new ConfigError(
      `--stun-alternate-address ${alternateAddress} needs a STUN IP: bind an address or give --host as an IP`,
    );
  }
  if (alternateAddress !== null && alternateAddress === primary) {
    throw new ConfigError(`--stun-alternate-address ${alternateAddress} is the STUN IP itself`);
  }
  const alternatePort = resolveAlternatePort(config.stunAlternatePort, port);
  const host = alternateAddress !== null ? primary! : config.bind || "0.0.0.0";
  return {
    host,
    port,
    ...(primary !== undefined ? { advertisedAddress: primary } : {}),
    alternateAddress,
    alternatePort,
    tcp: config.stunTcp === "on",
  };
}

function resolveAlternateAddress(value: string, primary: string | undefined): string | null {
  if (value === "off") return null;
  if (value === "auto") {
    // Linux answers on all of 127/8: a second loopback IP needs no setup.
    if (primary === undefined || isIP(primary) !== 4 || !primary.startsWith("127.")) return null;
    return primary === "127.0.0.2" ? "127.0.0.3" : "127.0.0.2";
  }
  if (isIP(value) === 0)
    throw new ConfigError(`--stun-alternate-address: an IP, off or auto, got "${value}"`);
  return value;
}

function resolveAlternatePort(value: string, port: number): number | null {
  if (value === "off") return null;
  if (value === "auto") return port === 0 ? 0 : port < 65535 ? port + 1 : port - 1;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new ConfigError(`--stun-alternate-port: a port, off or auto, got "${value}"`);
  }
  if (n !== 0 && n === port) throw new ConfigError(`--stun-alternate-port ${n} is the STUN port itself`);
  return n;
}

function natOptions(config: EmulatorConfig): EmulatedNatOptions | undefined {
  if (config.stunNat === "none") return undefined;
  for (const [flag, value] of [
    ["--stun-nat", config.stunNat],
    ["--stun-nat-filtering", config.stunNatFiltering],
  ] as const) {
    if (value !== "auto" && !NAT_BEHAVIOURS.includes(value)) {
      throw new ConfigError(`${flag}: one of ${NAT_BEHAVIOURS.join(", ")}, got "${value}"`);
    }
  }
  if (isIP(config.stunPublicAddress) === 0) {
    throw new ConfigError(`--stun-public-address: an IP address, got "${config.stunPublicAddress}"`);
  }
  const filtering = config.stunNatFiltering === "auto" ? config.stunNat : config.stunNatFiltering;
  return { mapping: config.stunNat, filtering, publicAddress: config.stunPublicAddress };
}

/** Asks the fault rules (`layer: stun`) about one Binding request; a rule's NAT defaults to `publicAddress`. */
function stunFault(
  faults: FaultChecker,
  context: StunFaultContext,
  publicAddress: string,
): StunFault | undefined {
  if (!faults.hasRulesFor("stun.binding")) return undefined;
  const decision = faults.check("stun.binding", {
    remoteAddress: context.remoteAddress,
    transport: context.transport,
    summary: `${context.classic ? "RFC 3489 " : ""}Binding request from ${context.remoteAddress}:${context.remotePort} over ${context.transport.toUpperCase()}`,
  });
  const action = decision?.action;
  if (!decision || !action) return undefined;
  switch (action.type) {
    case "no-answer":
      return action;
    case "delay":
      return { type: "delay", ms: delayMs(action, decision.random) };
    case "wrong-mapped-address":
      return {
        type: "wrong-mapped-address",
        address: action.address ?? DEFAULT_WRONG_MAPPED_ADDRESS,
        ...(action.port === undefined ? {} : { port: action.port }),
      };
    case "nat":
      return {
        type: "nat",
        key: decision.faultId,
        nat: {
          mapping: action.mapping,
          filtering: action.filtering ?? action.mapping,
          publicAddress: action.publicAddress ?? publicAddress,
        },
      };
  }
}
