import { isIPv4, isIPv6 } from "node:net";

/** A transport address as STUN carries it: family, IP literal and port. */
export interface TransportAddress {
  readonly family: "IPv4" | "IPv6";
  readonly address: string;
  readonly port: number;
}

/**
 * The 4 or 16 bytes of an IP literal. A zone id ("fe80::1%eth0") is dropped: it has
 * no meaning outside this host and STUN has no field for it.
 */
export function ipToBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split(".").map(Number));
  const bare = address.replace(/%.*$/, "");
  if (!isIPv6(bare)) throw new Error(`not an IP address: ${JSON.stringify(address)}`);
  // WHATWG URL serialises IPv6 canonically: hex groups only (no dotted quad), at most one "::".
  const canonical = new URL(`http://[${bare}]`).hostname.slice(1, -1);
  const [head = "", tail] = canonical.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill("0");
  const bytes = Buffer.alloc(16);
  [...headGroups, ...zeros, ...tailGroups].forEach((group, i) => {
    bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2);
  });
  return bytes;
}

/** Dotted quad for 4 bytes, canonical RFC 5952 text for 16. */
export function bytesToIp(bytes: Buffer): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  if (bytes.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return new URL(`http://[${groups.join(":")}]`).hostname.slice(1, -1);
}

/** "::ffff:192.0.2.1" (how a dual-stack socket reports an IPv4 peer) as the IPv4 address it is. */
export function unmapIPv4(address: TransportAddress): TransportAddress {
  if (address.family !== "IPv6") return address;
  const bytes = ipToBytes(address.address);
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes.readUInt16BE(10) === 0xffff;
  return mapped ? { family: "IPv4", address: bytesToIp(bytes.subarray(12)), port: address.port } : address;
}
