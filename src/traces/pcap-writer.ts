import {
  addressBytes,
  sameFamily,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_SYN,
  tcpPacket,
  udpPacket,
} from "./ip-packets.js";
import type { ConnectionTraceEntry, SipTraceEntry, TraceEntry } from "./trace-entry.js";

/** LINKTYPE_RAW: each record is a bare IPv4 or IPv6 packet. */
export const PCAP_LINKTYPE_RAW = 101;
/**
 * The emulator's port in the capture for encrypted flows (TLS, WSS) and WebSockets: the SIP
 * port Wireshark dissects without "Decode As". The PBX side keeps its real port.
 */
export const PCAP_SIP_PORT = 5060;
/** Payload per TCP segment, well under the 16-bit IP length for both IP versions. */
const MAX_SEGMENT = 60_000;
/** Initial sequence numbers of the synthetic streams (PBX side, emulator side). */
const PEER_ISN = 1_000_000;
const LOCAL_ISN = 2_000_000;

interface Flow {
  readonly peer: Buffer;
  readonly local: Buffer;
  readonly peerPort: number;
  readonly localPort: number;
  /** Next sequence number of each side. */
  peerNext: number;
  localNext: number;
  finished: boolean;
}

type FlowEntry = SipTraceEntry | ConnectionTraceEntry;

/**
 * A classic libpcap file: every SIP message as plaintext in a synthetic TCP stream per
 * connection (SYN handshake first, FIN when the trace saw the close; increasing sequence
 * numbers, correct lengths and checksums) or a UDP datagram, so Wireshark and tshark dissect
 * SIP without keys. Timestamps are wall-clock times.
 */
export function buildPcap(entries: readonly TraceEntry[]): Buffer {
  const records: Buffer[] = [globalHeader()];
  const flows = new Map<string, Flow>();
  for (const e of entries) {
    if (e.kind !== "sip" && e.kind !== "connection") continue;
    const packets = e.transport === "UDP" ? udpPackets(e) : tcpPackets(e, flows);
    for (const packet of packets) records.push(recordHeader(e.wallAt, packet.length), packet);
  }
  return Buffer.concat(records);
}

function udpPackets(e: FlowEntry): Buffer[] {
  if (e.kind !== "sip") return [];
  const [peer, local] = sameFamily(addressBytes(e.peer.address), addressBytes(e.local.address));
  // A datagram cannot be split; anything larger never crossed UDP anyway.
  const payload = Buffer.from(e.message, "utf8").subarray(0, MAX_SEGMENT);
  return [
    e.direction === "in"
      ? udpPacket({ src: peer, dst: local, srcPort: e.peer.port, dstPort: e.local.port, payload })
      : udpPacket({ src: local, dst: peer, srcPort: e.local.port, dstPort: e.peer.port, payload }),
  ];
}

function tcpPackets(e: FlowEntry, flows: Map<string, Flow>): Buffer[] {
  const packets: Buffer[] = [];
  let flow = flows.get(e.connectionId);
  if (!flow || flow.finished) {
    if (e.kind === "connection" && e.event === "closed") return [];
    flow = openFlow(e, packets);
    flows.set(e.connectionId, flow);
  }
  if (e.kind === "connection") {
    if (e.event === "closed") closeFlow(flow, packets);
    return packets;
  }
  const bytes = Buffer.from(e.message, "utf8");
  for (let offset = 0; offset < bytes.length; offset += MAX_SEGMENT) {
    const payload = bytes.subarray(offset, offset + MAX_SEGMENT);
    packets.push(segment(flow, e.direction === "in", TCP_PSH | TCP_ACK, payload));
    if (e.direction === "in") flow.peerNext += payload.length;
    else flow.localNext += payload.length;
  }
  return packets;
}

/** RFC 793 three-way handshake, PBX side first (the PBX always connects to the emulator). */
function openFlow(e: FlowEntry, packets: Buffer[]): Flow {
  const [peer, local] = sameFamily(addressBytes(e.peer.address), addressBytes(e.local.address));
  const flow: Flow = {
    peer,
    local,
    peerPort: e.peer.port,
    localPort: e.transport === "TCP" ? e.local.port : PCAP_SIP_PORT,
    peerNext: PEER_ISN,
    localNext: LOCAL_ISN,
    finished: false,
  };
  packets.push(segment(flow, true, TCP_SYN, Buffer.alloc(0)));
  flow.peerNext++;
  packets.push(segment(flow, false, TCP_SYN | TCP_ACK, Buffer.alloc(0)));
  flow.localNext++;
  packets.push(segment(flow, true, TCP_ACK, Buffer.alloc(0)));
  return flow;
}

/** Who closed first is not traced: the emulator's FIN, the PBX's FIN, the last ACK. */
function closeFlow(flow: Flow, packets: Buffer[]): void {
  packets.push(segment(flow, false, TCP_FIN | TCP_ACK, Buffer.alloc(0)));
  flow.localNext++;
  packets.push(segment(flow, true, TCP_FIN | TCP_ACK, Buffer.alloc(0)));
  flow.peerNext++;
  packets.push(segment(flow, false, TCP_ACK, Buffer.alloc(0)));
  flow.finished = true;
}

function segment(flow: Flow, fromPeer: boolean, flags: number, payload: Buffer): Buffer {
  return fromPeer
    ? tcpPacket({
        src: flow.peer,
        dst: flow.local,
        srcPort: flow.peerPort,
        dstPort: flow.localPort,
        seq: flow.peerNext,
        ack: flow.localNext,
        flags,
        payload,
      })
    : tcpPacket({
        src: flow.local,
        dst: flow.peer,
        srcPort: flow.localPort,
        dstPort: flow.peerPort,
        seq: flow.localNext,
        ack: flow.peerNext,
        flags,
        payload,
      });
}

/** pcap global header, written little-endian (readers detect the order from the magic). */
function globalHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8); // thiszone
  h.writeUInt32LE(0, 12); // sigfigs
  h.writeUInt32LE(262_144, 16); // snaplen
  h.writeUInt32LE(PCAP_LINKTYPE_RAW, 20);
  return h;
}

function recordHeader(wallMs: number, length: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(Math.floor(wallMs / 1000), 0);
  h.writeUInt32LE(Math.round((wallMs % 1000) * 1000), 4);
  h.writeUInt32LE(length, 8);
  h.writeUInt32LE(length, 12);
  return h;
}
