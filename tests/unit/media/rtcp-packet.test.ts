import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildBye,
  buildReceiverReport,
  buildSdesCname,
  buildSenderReport,
  isRtcp,
  parseRtcp,
  type ReportBlock,
} from "../../../src/media/rtcp-packet.js";

const BLOCK: ReportBlock = {
  ssrc: 0xcafe,
  fractionLost: 64,
  cumulativeLost: 7,
  extendedHighestSeq: 0x1_0005,
  jitter: 123,
  lastSr: 0x1234_5678,
  delaySinceLastSr: 0x0001_8000,
};

function packets(data: Buffer) {
  const parsed = parseRtcp(data);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.packets;
}

describe("RTCP packets (RFC 3550 §6.4–6.6)", () => {
  it("lays out a receiver report as on the wire", () => {
    const rr = buildReceiverReport(0x01020304, [BLOCK]);
    expect(rr.toString("hex")).toBe(
      [
        "81c90007", // V=2, RC=1, PT=201, length 7 words
        "01020304",
        "0000cafe",
        "40000007", // fraction 64/256, cumulative 7
        "00010005",
        "0000007b",
        "12345678",
        "00018000",
      ].join(""),
    );
  });

  it("round-trips a sender report with its sender info and report blocks", () => {
    const sender = {
      ntpSeconds: 0xe8000000,
      ntpFraction: 0x80000000,
      rtpTimestamp: 160,
      packetCount: 50,
      octetCount: 8000,
    };
    const sr = buildSenderReport(0xdeadbeef, sender, [BLOCK, { ...BLOCK, ssrc: 1 }]);
    expect(sr.length).toBe(28 + 2 * 24);
    expect(sr[0]).toBe(0x82);
    expect(packets(sr)).toEqual([
      { type: "sr", ssrc: 0xdeadbeef, sender, reports: [BLOCK, { ...BLOCK, ssrc: 1 }] },
    ]);
  });

  it("keeps a negative cumulative loss (duplicates) and clamps what 24 bits cannot hold", () => {
    const [rr] = packets(buildReceiverReport(1, [{ ...BLOCK, cumulativeLost: -3 }]));
    expect(rr).toMatchObject({ reports: [{ cumulativeLost: -3 }] });
    const [big] = packets(buildReceiverReport(1, [{ ...BLOCK, cumulativeLost: 2 ** 30 }]));
    expect(big).toMatchObject({ reports: [{ cumulativeLost: 0x7fffff }] });
  });

  it("pads an SDES CNAME chunk to 32 bits with at least one null octet, for every length", () => {
    for (let length = 1; length <= 20; length++) {
      const cname = "x".repeat(length);
      const sdes = buildSdesCname(42, cname);
      expect(sdes.length % 4).toBe(0);
      expect(sdes[sdes.length - 1]).toBe(0);
      expect(packets(sdes)).toEqual([{ type: "sdes", chunks: [{ ssrc: 42, cname }] }]);
    }
    expect(() => buildSdesCname(1, "y".repeat(256))).toThrow(RangeError);
  });

  it("reads a BYE with and without a reason", () => {
    expect(packets(buildBye(9))).toEqual([{ type: "bye", ssrcs: [9], reason: null }]);
    expect(packets(buildBye(9, "call ended"))).toEqual([{ type: "bye", ssrcs: [9], reason: "call ended" }]);
  });

  it("reads a compound packet: RR, SDES, BYE, and an APP it does not interpret", () => {
    const app = Buffer.from("80cc000200000001414243440", "hex").subarray(0, 12);
    const compound = Buffer.concat([
      buildReceiverReport(5, []),
      buildSdesCname(5, "pbx@192.0.2.1"),
      app,
      buildBye(5),
    ]);
    expect(packets(compound).map((p) => p.type)).toEqual(["rr", "sdes", "other", "bye"]);
  });

  it("reads SDES chunks with other items before the CNAME, and several chunks", () => {
    const chunk = (ssrc: number, items: Buffer) => {
      const body = Buffer.concat([Buffer.alloc(4), items, Buffer.alloc(4 - (items.length % 4))]);
      body.writeUInt32BE(ssrc);
      return body;
    };
    const item = (type: number, text: string) =>
      Buffer.concat([Buffer.from([type, text.length]), Buffer.from(text)]);
    const body = Buffer.concat([
      chunk(1, Buffer.concat([item(2, "Al"), item(1, "al@pbx")])),
      chunk(2, item(6, "OSBiz V3")),
    ]);
    const head = Buffer.from([0x82, 202, 0, body.length / 4]);
    expect(packets(Buffer.concat([head, body]))).toEqual([
      {
        type: "sdes",
        chunks: [
          { ssrc: 1, cname: "al@pbx" },
          { ssrc: 2, cname: null },
        ],
      },
    ]);
  });

  it("accepts padding on the last packet of a compound", () => {
    const rr = buildReceiverReport(5, []);
    const padded = Buffer.concat([rr, Buffer.from([0, 0, 0, 4])]);
    padded[0]! |= 0x20;
    padded.writeUInt16BE(2, 2);
    expect(packets(padded)).toEqual([{ type: "rr", ssrc: 5, reports: [] }]);
  });

  it.each([
    ["empty", Buffer.alloc(0), /shorter than an RTCP header/],
    ["version 1", Buffer.from([0x41, 201, 0, 1, 0, 0, 0, 5]), /version 1/],
    ["a length past the datagram", Buffer.from([0x81, 201, 0, 7, 0, 0, 0, 5]), /runs past/],
    ["an RR too short for its count", Buffer.from([0x81, 201, 0, 1, 0, 0, 0, 5]), /RR too short/],
    ["an SR without sender info", Buffer.from([0x80, 200, 0, 1, 0, 0, 0, 5]), /SR too short/],
    ["trailing bytes", Buffer.concat([buildReceiverReport(1, []), Buffer.from([0x80])]), /trailing/],
    [
      "padding on a packet that is not the last",
      Buffer.concat([Buffer.from([0xa0, 201, 0, 1, 0, 0, 0, 1]), buildBye(1)]),
      /not the last/,
    ],
    ["a zero padding count", Buffer.from([0xa0, 201, 0, 1, 0, 0, 0, 0]), /padding count 0/],
    [
      "an SDES item running past the packet",
      Buffer.from([0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, 0x61, 0x62]),
      /SDES/,
    ],
    ["a BYE without its SSRC", Buffer.from([0x81, 203, 0, 0]), /BYE too short/],
    ["a BYE reason past the packet", Buffer.from([0x81, 203, 0, 2, 0, 0, 0, 1, 9, 0x61, 0, 0]), /reason/],
  ])("refuses %s with a reason", (_name, data, reason) => {
    const parsed = parseRtcp(data);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it("never throws on arbitrary bytes, RTCP-looking or not", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, rtcpHead) => {
        const data = Buffer.from(bytes);
        if (rtcpHead && data.length >= 2) {
          data[0] = 0x80 | (data[0]! & 0x3f);
          data[1] = 200 + (data[1]! % 5);
        }
        const parsed = parseRtcp(data);
        expect(typeof parsed.ok).toBe("boolean");
      }),
    );
  });

  it("round-trips any report block", () => {
    const block = fc.record({
      ssrc: fc.nat({ max: 0xffffffff }),
      fractionLost: fc.nat({ max: 255 }),
      cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
      extendedHighestSeq: fc.nat({ max: 0xffffffff }),
      jitter: fc.nat({ max: 0xffffffff }),
      lastSr: fc.nat({ max: 0xffffffff }),
      delaySinceLastSr: fc.nat({ max: 0xffffffff }),
    });
    fc.assert(
      fc.property(fc.array(block, { maxLength: 31 }), fc.nat({ max: 0xffffffff }), (reports, ssrc) => {
        expect(packets(buildReceiverReport(ssrc, reports))).toEqual([{ type: "rr", ssrc, reports }]);
      }),
    );
  });

  it("tells RTCP from RTP on a multiplexed port by the second octet (RFC 5761 §4)", () => {
    expect(isRtcp(buildReceiverReport(1, []))).toBe(true);
    expect(isRtcp(buildBye(1))).toBe(true);
    expect(isRtcp(Buffer.from([0x80, 0x08, 0, 1]))).toBe(false); // PCMA
    expect(isRtcp(Buffer.from([0x80, 0x80 | 101, 0, 1]))).toBe(false); // telephone-event with marker
    expect(isRtcp(Buffer.from([0x80, 0xe0, 0, 1]))).toBe(false); // marker + PT 96
    expect(isRtcp(Buffer.from([0x80]))).toBe(false);
  });
});
