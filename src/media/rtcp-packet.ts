/** RFC 3550 §6.4.1 sender info: what a sender has sent, stamped with wallclock and RTP time. */
export interface SenderInfo {
  /** NTP timestamp, seconds since 1900 (mod 2^32) and 2^-32 fractions. */
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

/** RFC 3550 §6.4.1 reception report block about one source. */
export interface ReportBlock {
  ssrc: number;
  /** Lost fraction since the previous report, in 1/256 (0–255). */
  fractionLost: number;
  /** Cumulative lost packets, a signed 24-bit number (duplicates can make it negative). */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** The middle 32 bits of the NTP timestamp of the last SR received from the source; 0: none. */
  lastSr: number;
  /** Delay since that SR, in 1/65536 s. */
  delaySinceLastSr: number;
}

export type RtcpPacket =
  | { type: "sr"; ssrc: number; sender: SenderInfo; reports: ReportBlock[] }
  | { type: "rr"; ssrc: number; reports: ReportBlock[] }
  | { type: "sdes"; chunks: { ssrc: number; cname: string | null }[] }
  | { type: "bye"; ssrcs: number[]; reason: string | null }
  /** APP, feedback, XR…: recognised as RTCP, not interpreted. */
  | { type: "other"; packetType: number };

export type RtcpParseResult = { ok: true; packets: RtcpPacket[] } | { ok: false; reason: string };

const SR = 200;
const RR = 201;
const SDES = 202;
const BYE = 203;
const SDES_CNAME = 1;
const HEADER_BYTES = 4;
const BLOCK_BYTES = 24;
const SENDER_INFO_BYTES = 20;
/** RFC 3550 §6.4: the report count is a 5-bit field. */
const MAX_REPORTS = 31;

/**
 * RFC 5761 §4: the second octet of RTCP is 192–223 (its packet type), which RTP would
 * read as marker + payload type 64–95; that range is never given to RTP, so it tells
 * the two apart on a multiplexed port.
 */
export function isRtcp(data: Buffer): boolean {
  return data.length >= 2 && data[0]! >> 6 === 2 && data[1]! >= 192 && data[1]! <= 223;
}

/**
 * Parses a compound RTCP packet (RFC 3550 §6.1, validity checks of §A.2 without the
 * "first is SR or RR" rule, so reduced-size RTCP (RFC 5506) passes): every packet is
 * version 2, the lengths add up to the datagram, only the last one may be padded.
 */
export function parseRtcp(data: Buffer): RtcpParseResult {
  const packets: RtcpPacket[] = [];
  let offset = 0;
  if (data.length < HEADER_BYTES) return fail(`${data.length} bytes, shorter than an RTCP header`);
  while (offset < data.length) {
    if (data.length - offset < HEADER_BYTES)
      return fail(`${data.length - offset} trailing bytes after packet ${packets.length}`);
    const first = data[offset]!;
    if (first >> 6 !== 2) return fail(`RTCP version ${first >> 6}, not 2 (packet ${packets.length + 1})`);
    const packetType = data[offset + 1]!;
    const end = offset + HEADER_BYTES + 4 * data.readUInt16BE(offset + 2);
    if (end > data.length)
      return fail(`packet ${packets.length + 1} (type ${packetType}) runs past the datagram`);
    let bodyEnd = end;
    if (first & 0x20) {
      if (end !== data.length) return fail(`padding on packet ${packets.length + 1}, which is not the last`);
      const padding = data[end - 1]!;
      if (padding === 0 || padding > end - offset - HEADER_BYTES) return fail(`bad padding count ${padding}`);
      bodyEnd = end - padding;
    }
    const parsed = parseOne(data.subarray(offset, bodyEnd), first & 0x1f, packetType);
    if (typeof parsed === "string") return fail(`${parsed} (packet ${packets.length + 1})`);
    packets.push(parsed);
    offset = end;
  }
  return { ok: true, packets };
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** One packet, header included, padding removed; a string says why it is malformed. */
function parseOne(p: Buffer, count: number, packetType: number): RtcpPacket | string {
  switch (packetType) {
    case SR: {
      if (p.length < 8 + SENDER_INFO_BYTES + count * BLOCK_BYTES) return `SR too short for ${count} reports`;
      const sender: SenderInfo = {
        ntpSeconds: p.readUInt32BE(8),
        ntpFraction: p.readUInt32BE(12),
        rtpTimestamp: p.readUInt32BE(16),
        packetCount: p.readUInt32BE(20),
        octetCount: p.readUInt32BE(24),
      };
      return { type: "sr", ssrc: p.readUInt32BE(4), sender, reports: blocks(p, 28, count) };
    }
    case RR:
      if (p.length < 8 + count * BLOCK_BYTES) return `RR too short for ${count} reports`;
      return { type: "rr", ssrc: p.readUInt32BE(4), reports: blocks(p, 8, count) };
    case SDES:
      return parseSdes(p, count);
    case BYE: {
      if (p.length < HEADER_BYTES + 4 * count) return `BYE too short for ${count} SSRCs`;
      const ssrcs = Array.from({ length: count }, (_, i) => p.readUInt32BE(HEADER_BYTES + 4 * i));
      const at = HEADER_BYTES + 4 * count;
      let reason: string | null = null;
      if (p.length > at) {
        const length = p[at]!;
        if (at + 1 + length > p.length) return "BYE reason runs past the packet";
        reason = p.toString("utf8", at + 1, at + 1 + length);
      }
      return { type: "bye", ssrcs, reason };
    }
    default:
      return { type: "other", packetType };
  }
}

function blocks(p: Buffer, at: number, count: number): ReportBlock[] {
  const reports: ReportBlock[] = [];
  for (let i = 0; i < count; i++, at += BLOCK_BYTES) {
    const lost = p.readUInt32BE(at + 4) & 0xffffff;
    reports.push({
      ssrc: p.readUInt32BE(at),
      fractionLost: p[at + 4]!,
      cumulativeLost: lost & 0x800000 ? lost - 0x1000000 : lost,
      extendedHighestSeq: p.readUInt32BE(at + 8),
      jitter: p.readUInt32BE(at + 12),
      lastSr: p.readUInt32BE(at + 16),
      delaySinceLastSr: p.readUInt32BE(at + 20),
    });
  }
  return reports;
}

/** RFC 3550 §6.5: chunks of SSRC + items, each chunk ended by a null octet and padded to 32 bits. */
function parseSdes(p: Buffer, count: number): RtcpPacket | string {
  const chunks: { ssrc: number; cname: string | null }[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 4 > p.length) return "SDES chunk runs past the packet";
    const ssrc = p.readUInt32BE(at);
    at += 4;
    let cname: string | null = null;
    for (;;) {
      if (at >= p.length) return "SDES items run past the packet";
      const itemType = p[at]!;
      if (itemType === 0) break;
      if (at + 2 > p.length || at + 2 + p[at + 1]! > p.length) return "SDES item runs past the packet";
      const length = p[at + 1]!;
      if (itemType === SDES_CNAME) cname = p.toString("utf8", at + 2, at + 2 + length);
      at += 2 + length;
    }
    // The null octet, then up to the next 32-bit boundary.
    at = (at + 4) & ~3;
    chunks.push({ ssrc, cname });
  }
  return { type: "sdes", chunks };
}

function header(packetType: number, count: number, bodyBytes: number): Buffer {
  const packet = Buffer.alloc(HEADER_BYTES + bodyBytes);
  packet[0] = 0x80 | (count & 0x1f);
  packet[1] = packetType;
  packet.writeUInt16BE(bodyBytes / 4, 2);
  return packet;
}

function writeBlocks(packet: Buffer, at: number, reports: readonly ReportBlock[]): void {
  for (const r of reports) {
    packet.writeUInt32BE(r.ssrc >>> 0, at);
    const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(r.cumulativeLost))) & 0xffffff;
    packet.writeUInt32BE((((r.fractionLost & 0xff) << 24) | lost) >>> 0, at + 4);
    packet.writeUInt32BE(r.extendedHighestSeq >>> 0, at + 8);
    packet.writeUInt32BE(Math.min(0xffffffff, Math.max(0, Math.floor(r.jitter))), at + 12);
    packet.writeUInt32BE(r.lastSr >>> 0, at + 16);
    packet.writeUInt32BE(r.delaySinceLastSr >>> 0, at + 20);
    at += BLOCK_BYTES;
  }
}

function checkReports(reports: readonly ReportBlock[]): void {
  if (reports.length > MAX_REPORTS)
    throw new RangeError(`at most ${MAX_REPORTS} report blocks, not ${reports.length}`);
}

export function buildSenderReport(ssrc: number, sender: SenderInfo, reports: readonly ReportBlock[]): Buffer {
  checkReports(reports);
  const packet = header(SR, reports.length, 4 + SENDER_INFO_BYTES + reports.length * BLOCK_BYTES);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  packet.writeUInt32BE(sender.ntpSeconds >>> 0, 8);
  packet.writeUInt32BE(sender.ntpFraction >>> 0, 12);
  packet.writeUInt32BE(sender.rtpTimestamp >>> 0, 16);
  packet.writeUInt32BE(sender.packetCount >>> 0, 20);
  packet.writeUInt32BE(sender.octetCount >>> 0, 24);
  writeBlocks(packet, 28, reports);
  return packet;
}

export function buildReceiverReport(ssrc: number, reports: readonly ReportBlock[]): Buffer {
  checkReports(reports);
  const packet = header(RR, reports.length, 4 + reports.length * BLOCK_BYTES);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  writeBlocks(packet, 8, reports);
  return packet;
}

/** One chunk with the CNAME item (at most 255 octets of UTF-8). */
export function buildSdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname, "utf8");
  if (text.length > 255) throw new RangeError(`a CNAME has at most 255 octets, not ${text.length}`);
  // SSRC, type, length, text, then at least one null octet up to a 32-bit boundary.
  const chunkBytes = (4 + 2 + text.length + 4) & ~3;
  const packet = header(SDES, 1, chunkBytes);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  packet[8] = SDES_CNAME;
  packet[9] = text.length;
  text.copy(packet, 10);
  return packet;
}

export function buildBye(ssrc: number, reason?: string): Buffer {
  const text = reason === undefined ? Buffer.alloc(0) : Buffer.from(reason, "utf8").subarray(0, 255);
  const reasonBytes = reason === undefined ? 0 : (1 + text.length + 3) & ~3;
  const packet = header(BYE, 1, 4 + reasonBytes);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  if (reason !== undefined) {
    packet[8] = text.length;
    text.copy(packet, 9);
  }
  return packet;
}
