import net from "node:net";

/** An address as IP header bytes: 4 for IPv4, 16 for IPv6. */
export function addressBytes(address: string): Buffer {
  const plain = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (net.isIPv4(plain)) return Buffer.from(plain.split(".").map(Number));
  if (!net.isIPv6(plain)) throw new RangeError(`not an IP address: ${address}`);
  let text = plain;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split(".").map(Number);
    text = `${text.slice(0, v4.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [left, right] = text.includes("::") ? text.split("::") : [text, undefined];
  const head = left ? left.split(":") : [];
  const tail = right ? right.split(":") : [];
  const groups =
    right === undefined ? head : [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail];
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return out;
}

/** Both ends in one family: an IPv4 end facing an IPv6 one becomes ::ffff:a.b.c.d. */
export function sameFamily(a: Buffer, b: Buffer): [Buffer, Buffer] {
  if (a.length === b.length) return [a, b];
  const mapped = (v4: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]), v4]);
  return a.length === 4 ? [mapped(a), b] : [a, mapped(b)];
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface TcpSegment {
  readonly src: Buffer;
  readonly dst: Buffer;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly payload: Buffer;
}

/** An IP packet (v4 or v6 by address length) carrying one TCP segment (20-byte header). */
export function tcpPacket(s: TcpSegment): Buffer {
  const tcp = Buffer.alloc(20 + s.payload.length);
  tcp.writeUInt16BE(s.srcPort, 0);
  tcp.writeUInt16BE(s.dstPort, 2);
  tcp.writeUInt32BE(s.seq >>> 0, 4);
  tcp.writeUInt32BE(s.flags & TCP_ACK ? s.ack >>> 0 : 0, 8);
  tcp[12] = 5 << 4; // data offset: 5 words, no options
  tcp[13] = s.flags;
  tcp.writeUInt16BE(65535, 14); // window
  s.payload.copy(tcp, 20);
  tcp.writeUInt16BE(transportChecksum(s.src, s.dst, 6, tcp), 16);
  return ipPacket(s.src, s.dst, 6, tcp);
}

/** An IP packet carrying one UDP datagram. */
export function udpPacket(d: {
  src: Buffer;
  dst: Buffer;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}): Buffer {
  const udp = Buffer.alloc(8 + d.payload.length);
  udp.writeUInt16BE(d.srcPort, 0);
  udp.writeUInt16BE(d.dstPort, 2);
  udp.writeUInt16BE(udp.length, 4);
  d.payload.copy(udp, 8);
  // RFC 768: a computed 0 is sent as all ones (0 means "no checksum").
  udp.writeUInt16BE(transportChecksum(d.src, d.dst, 17, udp) || 0xffff, 6);
  return ipPacket(d.src, d.dst, 17, udp);
}

function ipPacket(src: Buffer, dst: Buffer, protocol: number, payload: Buffer): Buffer {
  if (src.length === 4) {
    const header = Buffer.alloc(20);
    header[0] = 0x45; // version 4, IHL 5
    header.writeUInt16BE(20 + payload.length, 2);
    header.writeUInt16BE(0x4000, 6); // don't fragment
    header[8] = 64; // TTL
    header[9] = protocol;
    src.copy(header, 12);
    dst.copy(header, 16);
    header.writeUInt16BE(finish(sum(header)), 10);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(40);
  header[0] = 0x60; // version 6
  header.writeUInt16BE(payload.length, 4);
  header[6] = protocol;
  header[7] = 64; // hop limit
  src.copy(header, 8);
  dst.copy(header, 24);
  return Buffer.concat([header, payload]);
}

/** RFC 793 / RFC 8200 §8.1: one's complement sum over the pseudo-header and the segment. */
function transportChecksum(src: Buffer, dst: Buffer, protocol: number, segment: Buffer): number {
  const pseudo = Buffer.alloc(src.length === 4 ? 12 : 40);
  if (src.length === 4) {
    src.copy(pseudo, 0);
    dst.copy(pseudo, 4);
    pseudo[9] = protocol;
    pseudo.writeUInt16BE(segment.length, 10);
  } else {
    src.copy(pseudo, 0);
    dst.copy(pseudo, 16);
    pseudo.writeUInt32BE(segment.length, 32);
    pseudo[39] = protocol;
  }
  return finish(sum(pseudo) + sum(segment));
}

function sum(bytes: Buffer): number {
  let total = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) total += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) total += bytes[bytes.length - 1]! << 8;
  return total;
}

function finish(total: number): number {
  let t = total;
  while (t > 0xffff) t = (t & 0xffff) + Math.floor(t / 0x10000);
  return ~t & 0xffff;
}
