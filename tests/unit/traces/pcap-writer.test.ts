import { describe, expect, it } from "vitest";
import { buildPcap, PCAP_LINKTYPE_RAW, PCAP_SIP_PORT } from "../../../src/traces/pcap-writer.js";
import type { TraceEntry } from "../../../src/traces/trace-entry.js";
import { connectionEntry, okText, optionsText, sipEntry } from "./trace-fixtures.js";

interface PcapRecord {
  tsSec: number;
  tsUsec: number;
  inclLen: number;
  origLen: number;
  packet: Buffer;
}

function records(file: Buffer): PcapRecord[] {
  const out: PcapRecord[] = [];
  for (let offset = 24; offset < file.length; ) {
    const inclLen = file.readUInt32LE(offset + 8);
    out.push({
      tsSec: file.readUInt32LE(offset),
      tsUsec: file.readUInt32LE(offset + 4),
      inclLen,
      origLen: file.readUInt32LE(offset + 12),
      packet: file.subarray(offset + 16, offset + 16 + inclLen),
    });
    offset += 16 + inclLen;
  }
  return out;
}

/** IPv4 + TCP fields of a raw packet. */
function tcp(packet: Buffer) {
  const ihl = (packet[0]! & 0x0f) * 4;
  const t = packet.subarray(ihl);
  const dataOffset = (t[12]! >> 4) * 4;
  return {
    version: packet[0]! >> 4,
    ihl,
    totalLength: packet.readUInt16BE(2),
    protocol: packet[9]!,
    src: [...packet.subarray(12, 16)].join("."),
    dst: [...packet.subarray(16, 20)].join("."),
    srcPort: t.readUInt16BE(0),
    dstPort: t.readUInt16BE(2),
    seq: t.readUInt32BE(4),
    ack: t.readUInt32BE(8),
    dataOffset,
    flags: t[13]!,
    payload: t.subarray(dataOffset).toString("utf8"),
  };
}

/** RFC 1071: the one's complement sum over a header that carries its checksum is 0xffff. */
function onesSum(bytes: Buffer): number {
  let total = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) total += bytes.readUInt16BE(i);
  if (bytes.length % 2) total += bytes[bytes.length - 1]! << 8;
  while (total > 0xffff) total = (total & 0xffff) + (total >>> 16);
  return total;
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

describe("buildPcap", () => {
  it("writes a classic libpcap global header: magic a1b2c3d4, v2.4, LINKTYPE_RAW", () => {
    const file = buildPcap([]);
    expect(file.length).toBe(24);
    expect(file.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(file.readUInt16LE(4)).toBe(2);
    expect(file.readUInt16LE(6)).toBe(4);
    expect(file.readUInt32LE(16)).toBeGreaterThanOrEqual(65_535);
    expect(file.readUInt32LE(20)).toBe(PCAP_LINKTYPE_RAW);
  });

  it("puts a TLS connection's messages in one synthetic TCP stream with advancing sequence numbers", () => {
    const request = optionsText("pc-1");
    const response = okText("pc-1");
    const wallAt = Date.parse("2025-03-01T09:00:00.123Z");
    const file = buildPcap([
      sipEntry("in", request, { wallAt }),
      sipEntry("out", response, { wallAt: wallAt + 5 }),
      sipEntry("in", request, { wallAt: wallAt + 9 }),
      connectionEntry("closed"),
    ]);
    const recs = records(file);
    // handshake (3) + 3 messages + FIN, FIN, ACK
    expect(recs).toHaveLength(9);
    for (const r of recs) {
      expect(r.inclLen).toBe(r.packet.length);
      expect(r.origLen).toBe(r.inclLen);
    }
    const p = recs.map((r) => tcp(r.packet));
    for (const [i, x] of p.entries()) {
      expect(x.version).toBe(4);
      expect(x.ihl).toBe(20);
      expect(x.protocol).toBe(6);
      expect(x.dataOffset).toBe(20);
      expect(x.totalLength).toBe(recs[i]!.packet.length);
      expect(onesSum(recs[i]!.packet.subarray(0, 20))).toBe(0xffff);
    }
    expect(p.slice(0, 3).map((x) => x.flags)).toEqual([SYN, SYN | ACK, ACK]);
    // the PBX's real port; the emulator's side as 5060 so Wireshark dissects SIP
    expect(p[0]).toMatchObject({
      src: "127.0.0.1",
      srcPort: 51234,
      dst: "127.0.0.1",
      dstPort: PCAP_SIP_PORT,
    });
    const [first, answer, second] = [p[3]!, p[4]!, p[5]!];
    expect(first).toMatchObject({
      flags: PSH | ACK,
      payload: request,
      srcPort: 51234,
      dstPort: PCAP_SIP_PORT,
    });
    expect(answer).toMatchObject({
      flags: PSH | ACK,
      payload: response,
      srcPort: PCAP_SIP_PORT,
      dstPort: 51234,
    });
    expect(first.seq).toBe(p[0]!.seq + 1);
    expect(answer.seq).toBe(p[1]!.seq + 1);
    expect(answer.ack).toBe(first.seq + Buffer.byteLength(request));
    expect(second.seq).toBe(first.seq + Buffer.byteLength(request));
    expect(second.ack).toBe(answer.seq + Buffer.byteLength(response));
    expect(p.slice(6).map((x) => x.flags)).toEqual([FIN | ACK, FIN | ACK, ACK]);
    expect(p[6]!.seq).toBe(answer.seq + Buffer.byteLength(response));
    expect(recs[3]).toMatchObject({ tsSec: Math.floor(wallAt / 1000), tsUsec: 123_000 });
  });

  it("computes a TCP checksum over the pseudo-header and segment", () => {
    const [, , , data] = records(buildPcap([sipEntry("in", optionsText("ck"))]));
    const packet = data!.packet;
    const segment = packet.subarray(20);
    const pseudo = Buffer.alloc(12);
    packet.copy(pseudo, 0, 12, 20);
    pseudo[9] = 6;
    pseudo.writeUInt16BE(segment.length, 10);
    expect(onesSum(Buffer.concat([pseudo, segment]))).toBe(0xffff);
  });

  it("keeps separate streams per connection and the real port of a plain TCP listener", () => {
    const entries: TraceEntry[] = [
      sipEntry("in", optionsText("a"), { connectionId: "c1" }),
      sipEntry("in", optionsText("b"), {
        connectionId: "c2",
        transport: "TCP",
        local: { address: "127.0.0.1", port: 5062 },
        peer: { address: "127.0.0.1", port: 40000 },
      }),
    ];
    const p = records(buildPcap(entries)).map((r) => tcp(r.packet));
    expect(p).toHaveLength(8);
    expect(p[3]).toMatchObject({ srcPort: 51234, dstPort: PCAP_SIP_PORT, payload: optionsText("a") });
    expect(p[4]).toMatchObject({ srcPort: 40000, dstPort: 5062, flags: SYN });
    expect(p[7]).toMatchObject({ srcPort: 40000, dstPort: 5062, payload: optionsText("b") });
  });

  it("splits a message larger than one segment and keeps counting", () => {
    const big = optionsText("big", "a=x\r\n".repeat(20_000));
    const p = records(buildPcap([sipEntry("in", big), sipEntry("out", okText("big"))])).map((r) =>
      tcp(r.packet),
    );
    const data = p.slice(3);
    expect(data.length).toBe(3);
    expect(data[0]!.payload + data[1]!.payload).toBe(big);
    expect(data[1]!.seq).toBe(data[0]!.seq + Buffer.byteLength(data[0]!.payload));
    expect(data[2]!.ack).toBe(data[0]!.seq + Buffer.byteLength(big));
  });

  it("writes UDP messages as UDP datagrams with the real ports", () => {
    const msg = optionsText("u1");
    const [rec] = records(
      buildPcap([
        sipEntry("in", msg, {
          transport: "UDP",
          local: { address: "127.0.0.1", port: 5060 },
          peer: { address: "127.0.0.1", port: 5099 },
        }),
      ]),
    );
    const packet = rec!.packet;
    expect(packet[9]).toBe(17);
    const udp = packet.subarray(20);
    expect(udp.readUInt16BE(0)).toBe(5099);
    expect(udp.readUInt16BE(2)).toBe(5060);
    expect(udp.readUInt16BE(4)).toBe(8 + Buffer.byteLength(msg));
    expect(udp.subarray(8).toString()).toBe(msg);
  });

  it("writes IPv6 packets for IPv6 flows", () => {
    const [syn] = records(
      buildPcap([
        sipEntry("in", optionsText("v6"), {
          local: { address: "::1", port: 65061 },
          peer: { address: "fe80::1:2", port: 5070 },
        }),
      ]),
    );
    const packet = syn!.packet;
    expect(packet[0]! >> 4).toBe(6);
    expect(packet.readUInt16BE(4)).toBe(packet.length - 40);
    expect(packet[6]).toBe(6);
    expect(packet.subarray(8, 24).toString("hex")).toBe("fe800000000000000000000000010002");
    expect(packet.subarray(24, 40).toString("hex")).toBe(`${"0".repeat(31)}1`);
  });
});
