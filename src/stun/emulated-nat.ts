import { EvictionCursor } from "../shared/eviction-cursor.js";
import type { TransportAddress } from "./ip-address.js";

/** RFC 4787 §4.1 (mapping) and §5 (filtering) behaviours, by what a mapping or filter depends on. */
export type NatBehaviour = "endpoint-independent" | "address-dependent" | "address-and-port-dependent";

export const NAT_BEHAVIOURS: readonly NatBehaviour[] = [
  "endpoint-independent",
  "address-dependent",
  "address-and-port-dependent",
];

export interface EmulatedNatOptions {
  readonly mapping: NatBehaviour;
  readonly filtering: NatBehaviour;
  /** The NAT's public IP: every mapped address carries it. */
  readonly publicAddress: string;
  /** First public port handed out (then upwards, wrapping within 1024–65535). */
  readonly firstPort?: number;
  /** Mappings remembered at most; the least recently used is forgotten first. */
  readonly maxMappings?: number;
}

/** One NAT binding: the public endpoint and the remote endpoints it has sent to. */
export interface NatMapping {
  readonly publicEndpoint: TransportAddress;
  /** "ip" and "ip port" keys of the destinations sent to through this mapping. */
  readonly sentTo: Set<string>;
}

export const DEFAULT_FIRST_NAT_PORT = 40_000;
export const MAX_NAT_MAPPINGS = 10_000;
const LOWEST_PORT = 1024;

/**
 * A NAT in front of the STUN clients, emulated inside the server: each request "went out"
 * through a mapping chosen per the mapping behaviour (RFC 4787 §4.1: one public port per
 * client endpoint; per client endpoint and server IP; per client endpoint and server IP and
 * port), and an answer "comes back in" only if the filtering behaviour (§5) lets a packet
 * from the answering address through that mapping.
 */
export class EmulatedNat {
  private readonly mappings = new Map<string, NatMapping>();
  private readonly evictMapping = new EvictionCursor(this.mappings);
  private readonly maxMappings: number;
  private nextPort: number;

  constructor(readonly options: EmulatedNatOptions) {
    this.maxMappings = options.maxMappings ?? MAX_NAT_MAPPINGS;
    this.nextPort = options.firstPort ?? DEFAULT_FIRST_NAT_PORT;
  }

  /** A packet from `client` to `destination` leaves through this mapping (made if new). */
  outbound(client: TransportAddress, destination: TransportAddress): NatMapping {
    const key = `${endpointKey(client)}>${dependent(this.options.mapping, destination)}`;
    let mapping = this.mappings.get(key);
    if (mapping) this.mappings.delete(key);
    else mapping = { publicEndpoint: this.allocate(), sentTo: new Set() };
    // Re-inserted: the Map's order is least recently used first, for eviction.
    this.mappings.set(key, mapping);
    if (this.mappings.size > this.maxMappings) this.evictMapping.evictOldest();
    mapping.sentTo.add(dependent("address-dependent", destination));
    mapping.sentTo.add(dependent("address-and-port-dependent", destination));
    return mapping;
  }

  /** Whether a packet from `from` reaches the client through `mapping` (RFC 4787 §5). */
  admits(mapping: NatMapping, from: TransportAddress): boolean {
    const filtering = this.options.filtering;
    return filtering === "endpoint-independent" || mapping.sentTo.has(dependent(filtering, from));
  }

  get size(): number {
    return this.mappings.size;
  }

  private allocate(): TransportAddress {
    const port = this.nextPort;
    this.nextPort = port >= 65535 ? LOWEST_PORT : port + 1;
    const address = this.options.publicAddress;
    return { family: address.includes(":") ? "IPv6" : "IPv4", address, port };
  }
}

function endpointKey(endpoint: TransportAddress): string {
  return `${endpoint.address} ${endpoint.port}`;
}

/** The part of a remote endpoint a behaviour depends on. */
function dependent(behaviour: NatBehaviour, remote: TransportAddress): string {
  if (behaviour === "endpoint-independent") return "";
  return behaviour === "address-dependent" ? remote.address : endpointKey(remote);
}
