import { createSocket, type Socket } from "node:dgram";
import { buildRtpPacket, parseRtpPacket, type RtpPacket } from "../../../../src/media/rtp-packet.js";
import { sleep } from "../../../support/until.js";

/**
 * A range of `evenPorts` even ports, each with the odd (RTCP) port above it, that were all
 * free a moment ago, found from a port-0 probe.
 */
export async function freePortRange(evenPorts: number): Promise<{ min: number; max: number }> {
  for (;;) {
    const probe = await UdpPeer.open();
    const base = probe.port - (probe.port % 2);
    await probe.close();
    const held: UdpPeer[] = [];
    try {
      for (let i = 0; i < 2 * evenPorts; i++) held.push(await UdpPeer.open(base + i));
      return { min: base, max: base + 2 * evenPorts - 1 };
    } catch {
      // One of the ports is taken: try another base.
    } finally {
      await Promise.all(held.map((p) => p.close()));
    }
  }
}

/** A plain UDP endpoint on 127.0.0.1 playing the PBX's media side: sends and records RTP. */
export class UdpPeer {
  readonly packets: RtpPacket[] = [];
  readonly datagrams: Buffer[] = [];
  private sequence = 1000;
  private timestamp = 50_000;

  private constructor(readonly socket: Socket) {
    socket.on("message", (data) => {
      this.datagrams.push(data);
      const parsed = parseRtpPacket(data);
      if (parsed.ok) this.packets.push({ ...parsed.packet, payload: Buffer.from(parsed.packet.payload) });
    });
  }

  static async open(port = 0): Promise<UdpPeer> {
    const socket = createSocket("udp4");
    await new Promise<void>((bound, failed) => {
      socket.once("error", failed);
      socket.bind(port, "127.0.0.1", () => {
        socket.off("error", failed);
        bound();
      });
    });
    return new UdpPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** An SDP offer pointing at this peer. */
  offer(
    options: { formats?: string; attributes?: string[]; protocol?: string; address?: string } = {},
  ): string {
    const lines = [
      "v=0",
      "o=OSBiz 1234 1 IN IP4 127.0.0.1",
      "s=-",
      `c=IN IP4 ${options.address ?? "127.0.0.1"}`,
      "t=0 0",
      `m=audio ${this.port} ${options.protocol ?? "RTP/AVP"} ${options.formats ?? "8 0 101"}`,
      ...(options.attributes ?? ["a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=sendrecv"]),
    ];
    return `${lines.join("\r\n")}\r\n`;
  }

  sendRaw(data: Buffer, port: number): Promise<void> {
    return new Promise((sent, failed) =>
      this.socket.send(data, port, "127.0.0.1", (error) => (error ? failed(error) : sent())),
    );
  }

  /** Sends one RTP packet; sequence and timestamp advance unless given. */
  sendRtp(
    port: number,
    payload: Buffer,
    fields: {
      payloadType?: number;
      sequenceNumber?: number;
      timestamp?: number;
      ssrc?: number;
      marker?: boolean;
    } = {},
  ): Promise<void> {
    const sequenceNumber = fields.sequenceNumber ?? this.sequence;
    this.sequence = (sequenceNumber + 1) & 0xffff;
    const timestamp = fields.timestamp ?? this.timestamp;
    this.timestamp = (timestamp + payload.length) >>> 0;
    const header = {
      marker: fields.marker ?? false,
      payloadType: fields.payloadType ?? 8,
      sequenceNumber,
      timestamp,
      ssrc: fields.ssrc ?? 0x1234_5678,
    };
    return this.sendRaw(buildRtpPacket(header, payload), port);
  }

  /** Resolves once `count` RTP packets have arrived in total (polls the event loop, no timing assertion). */
  async waitFor(count: number, limitMs = 5000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (this.packets.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} RTP packets, got ${this.packets.length}`);
      await sleep(5);
    }
  }

  clear(): void {
    this.packets.length = 0;
    this.datagrams.length = 0;
  }

  close(): Promise<void> {
    return new Promise((closed) => this.socket.close(() => closed()));
  }
}
