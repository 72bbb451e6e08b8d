/** RFC 3550 §5.1 fixed header fields of a received packet. */
export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: number[];
  /** The payload without header, CSRC list, header extension or padding (a view, not a copy). */
  payload: Buffer;
}

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: string };

export const RTP_HEADER_BYTES = 12;

export function parseRtpPacket(data: Buffer): RtpParseResult {
  if (data.length < RTP_HEADER_BYTES)
    return { ok: false, reason: `${data.length} bytes, shorter than an RTP header` };
  const first = data[0]!;
  const version = first >> 6;
  if (version !== 2) return { ok: false, reason: `RTP version ${version}, not 2` };
  const second = data[1]!;
  // RFC 5761 §4: with the marker bit, payload types 72–76 are RTCP SR/RR/SDES/BYE/APP.
  if (second >= 200 && second <= 204)
    return { ok: false, reason: `RTCP packet type ${second} on the RTP port` };
  const csrcCount = first & 0x0f;
  let offset = RTP_HEADER_BYTES + 4 * csrcCount;
  if (data.length < offset) return { ok: false, reason: `the CSRC list (${csrcCount}) runs past the packet` };
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++) csrcs.push(data.readUInt32BE(RTP_HEADER_BYTES + 4 * i));
  if (first & 0x10) {
    // RFC 3550 §5.3.1: 16-bit profile field, 16-bit length in 32-bit words, then the words.
    if (data.length < offset + 4) return { ok: false, reason: "the header extension runs past the packet" };
    offset += 4 + 4 * data.readUInt16BE(offset + 2);
    if (data.length < offset) return { ok: false, reason: "the header extension runs past the packet" };
  }
  let end = data.length;
  if (first & 0x20) {
    const padding = data[data.length - 1]!;
    if (padding === 0 || offset + padding > data.length)
      return { ok: false, reason: `bad padding count ${padding}` };
    end -= padding;
  }
  return {
    ok: true,
    packet: {
      marker: (second & 0x80) !== 0,
      payloadType: second & 0x7f,
      sequenceNumber: data.readUInt16BE(2),
      timestamp: data.readUInt32BE(4),
      ssrc: data.readUInt32BE(8),
      csrcs,
      payload: data.subarray(offset, end),
    },
  };
}

export interface RtpHeaderFields {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

/** A packet with the 12-byte fixed header (version 2, no padding, extension or CSRC). */
export function buildRtpPacket(header: RtpHeaderFields, payload: Uint8Array): Buffer {
  const packet = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length);
  packet[0] = 0x80;
  packet[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  packet.writeUInt16BE(header.sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(header.timestamp >>> 0, 4);
  packet.writeUInt32BE(header.ssrc >>> 0, 8);
  packet.set(payload, RTP_HEADER_BYTES);
  return packet;
}
