import { describe, expect, it } from "vitest";
import { buildRtpPacket, parseRtpPacket } from "../../../src/media/rtp-packet.js";

const header = {
  marker: true,
  payloadType: 8,
  sequenceNumber: 0xfffe,
  timestamp: 0xfffffff0,
  ssrc: 0xdeadbeef,
};

function parsed(data: Buffer) {
  const result = parseRtpPacket(data);
  if (!result.ok) throw new Error(result.reason);
  return result.packet;
}

describe("RTP packets (RFC 3550 §5.1)", () => {
  it("builds the 12-byte fixed header", () => {
    const packet = buildRtpPacket(header, Buffer.from([1, 2, 3]));
    expect([...packet]).toEqual([
      0x80, 0x88, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xf0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3,
    ]);
  });

  it("round-trips the header fields and payload", () => {
    const packet = parsed(buildRtpPacket({ ...header, marker: false }, Buffer.from("abc")));
    expect(packet).toMatchObject({
      marker: false,
      payloadType: 8,
      sequenceNumber: 0xfffe,
      timestamp: 0xfffffff0,
    });
    expect(packet.ssrc).toBe(0xdeadbeef);
    expect(packet.payload.toString()).toBe("abc");
  });

  it("skips the CSRC list and the header extension", () => {
    const data = Buffer.from([
      0x92,
      0x00,
      0x00,
      0x01,
      0,
      0,
      0,
      2,
      0,
      0,
      0,
      3, // V=2, X=1, CC=2
      0,
      0,
      0,
      0xaa,
      0,
      0,
      0,
      0xbb, // two CSRCs
      0xbe,
      0xde,
      0x00,
      0x01,
      1,
      2,
      3,
      4, // extension: profile, 1 word
      0x55,
      0x66,
    ]);
    const packet = parsed(data);
    expect(packet.csrcs).toEqual([0xaa, 0xbb]);
    expect([...packet.payload]).toEqual([0x55, 0x66]);
  });

  it("removes padding", () => {
    const data = Buffer.from([0xa0, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9, 9, 0, 0, 3]);
    expect([...parsed(data).payload]).toEqual([9, 9]);
  });

  it.each([
    ["a short datagram", Buffer.from([0x80, 0, 0]), /shorter than an RTP header/],
    ["version 1", Buffer.from([0x40, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]), /version 1/],
    ["STUN (version 0)", Buffer.alloc(20), /version 0/],
    ["RTCP on the RTP port", Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 2, 0, 0, 0, 3]), /RTCP/],
    ["a CSRC list past the end", Buffer.from([0x83, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0]), /CSRC/],
    [
      "an extension past the end",
      Buffer.from([0x90, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 9]),
      /extension/,
    ],
    ["a zero padding count", Buffer.from([0xa0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 5, 0]), /padding/],
    [
      "padding longer than the payload",
      Buffer.from([0xa0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 5, 9]),
      /padding/,
    ],
  ])("rejects %s", (_, data, reason) => {
    const result = parseRtpPacket(data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
