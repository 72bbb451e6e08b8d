import dgram from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RtpEndpoint, type RtpTarget } from "../../../src/phone-client/rtp-endpoint.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { until } from "../../support/until.js";

interface Seen {
  version: number;
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

let clock: ControllableClock;
let endpoint: RtpEndpoint;
let peer: dgram.Socket;
let peerPort: number;
let seen: Seen[];

beforeEach(async () => {
  // The 20 ms packet clock is driven by hand: each advance(20) sends exactly one packet.
  clock = new ControllableClock({ frozen: true });
  endpoint = await RtpEndpoint.open("127.0.0.1", "echo", clock);
  peer = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => peer.bind(0, "127.0.0.1", resolve));
  peerPort = peer.address().port;
  seen = [];
  peer.on("message", (d) =>
    seen.push({
      version: d[0]! >> 6,
      payloadType: d[1]! & 0x7f,
      seq: d.readUInt16BE(2),
      timestamp: d.readUInt32BE(4),
      ssrc: d.readUInt32BE(8),
      payload: Buffer.from(d.subarray(12)),
    }),
  );
});

afterEach(() => {
  endpoint.close();
  peer.close();
  clock.dispose();
});

function target(overrides: Partial<RtpTarget> = {}): RtpTarget {
  return {
    address: "127.0.0.1",
    port: peerPort,
    codec: { name: "PCMU", payloadType: 0 },
    telephoneEvent: 101,
    sending: true,
    ...overrides,
  };
}

function toEndpoint(seq: number, payloadType: number, payload: Buffer, timestamp = seq * 160): void {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = payloadType;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(timestamp, 4);
  header.writeUInt32BE(7, 8);
  peer.send(Buffer.concat([header, payload]), endpoint.port, "127.0.0.1");
}

describe("RtpEndpoint sending", () => {
  it("sends one packet of codec silence per 20 ms: version 2, one SSRC, consecutive seq, +160 timestamps", async () => {
    endpoint.configure(target());
    clock.advance(19);
    expect(endpoint.stats.packetsSent).toBe(0);
    clock.advance(61);
    expect(endpoint.stats.packetsSent).toBe(4);
    expect(endpoint.stats.bytesSent).toBe(4 * 160);
    await until(() => seen.length === 4);
    const [a, b, c] = seen as [Seen, Seen, Seen];
    expect(a).toMatchObject({ version: 2, payloadType: 0 });
    expect(a.payload).toEqual(Buffer.alloc(160, 0xff));
    expect(new Set(seen.map((p) => p.ssrc)).size).toBe(1);
    expect([(b.seq - a.seq) & 0xffff, (c.seq - b.seq) & 0xffff]).toEqual([1, 1]);
    expect((b.timestamp - a.timestamp) >>> 0).toBe(160);
  });

  it("sends nothing while the negotiated direction forbids it, yet counts what arrives", async () => {
    endpoint.configure(target({ sending: false }));
    toEndpoint(1, 0, Buffer.alloc(160, 1));
    await until(() => endpoint.stats.packetsReceived === 1);
    clock.advance(100);
    expect(endpoint.stats.packetsSent).toBe(0);
  });

  it("echoes received audio in order, then falls back to silence", async () => {
    endpoint.configure(target({ codec: { name: "PCMA", payloadType: 8 } }));
    for (let i = 0; i < 3; i++) toEndpoint(10 + i, 8, Buffer.alloc(160, 0x20 + i));
    await until(() => endpoint.stats.packetsReceived === 3);
    clock.advance(80);
    await until(() => seen.length === 4);
    expect(seen.map((p) => p.payload[0])).toEqual([0x20, 0x21, 0x22, 0xd5]);
  });

  it("sends silence instead of echoing in silence mode", async () => {
    endpoint.mode = "silence";
    endpoint.configure(target());
    toEndpoint(1, 0, Buffer.alloc(160, 0x42));
    await until(() => endpoint.stats.packetsReceived === 1);
    clock.advance(60);
    await until(() => seen.length === 3);
    expect(seen.every((p) => p.payload[0] === 0xff)).toBe(true);
  });

  it("sends a digit as RFC 4733 events: marker first, one timestamp, three end packets, then audio again", async () => {
    endpoint.configure(target());
    let done = false;
    const sent = endpoint.sendDtmf("9").then(() => {
      done = true;
    });
    for (let i = 0; i < 20 && !done; i++) {
      clock.advance(20);
      await Promise.resolve();
    }
    await sent;
    await until(() => seen.length === endpoint.stats.packetsSent);
    const events = seen.filter((p) => p.payloadType === 101);
    expect(events.map((p) => [p.payload[0], p.payload[1]! & 0x80, p.payload.readUInt16BE(2)])).toEqual([
      [9, 0, 160],
      [9, 0, 320],
      [9, 0, 480],
      [9, 0, 640],
      [9, 0x80, 800],
      [9, 0x80, 800],
      [9, 0x80, 800],
    ]);
    expect(new Set(events.map((p) => p.timestamp)).size).toBe(1);
    expect(seen.at(-1)!.payloadType).toBe(0);
    expect(endpoint.stats.dtmfSent).toBe("9");
  });

  it("refuses DTMF without telephone-event or with a character that is no digit", async () => {
    endpoint.configure(target({ telephoneEvent: null }));
    await expect(endpoint.sendDtmf("1")).rejects.toThrow(/telephone-event/);
    endpoint.configure(target());
    await expect(endpoint.sendDtmf("1x")).rejects.toThrow(/not DTMF/);
  });
});

describe("RtpEndpoint receiving", () => {
  it("counts packets, bytes and losses from sequence gaps, and hands audio to listeners", async () => {
    const heard: number[] = [];
    endpoint.onAudio((payload) => heard.push(payload[0]!));
    endpoint.configure(target({ sending: false }));
    for (const seq of [65534, 65535, 1, 2]) toEndpoint(seq, 0, Buffer.alloc(80, seq & 0xff));
    await until(() => endpoint.stats.packetsReceived === 4);
    expect(endpoint.stats).toMatchObject({ bytesReceived: 320, packetsLost: 1 });
    expect(heard).toEqual([0xfe, 0xff, 1, 2]);
  });

  it("records one digit per telephone-event, on its end packets only", async () => {
    endpoint.configure(target({ sending: false }));
    const event = (digit: number, end: boolean) => Buffer.from([digit, end ? 0x8a : 0x0a, 0x03, 0x20]);
    toEndpoint(1, 101, event(4, false), 8000);
    toEndpoint(2, 101, event(4, true), 8000);
    toEndpoint(3, 101, event(4, true), 8000);
    toEndpoint(4, 101, event(11, true), 16000);
    toEndpoint(5, 101, event(11, true), 16000);
    await until(() => endpoint.stats.packetsReceived === 5);
    expect(endpoint.stats.dtmfReceived).toBe("4#");
  });

  it("ignores RTCP and datagrams that are not RTP version 2", async () => {
    const heard: number[] = [];
    endpoint.onAudio((payload) => heard.push(payload.length));
    endpoint.configure(target({ sending: false }));
    peer.send(Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]), endpoint.port, "127.0.0.1");
    peer.send(Buffer.from("hello, not rtp"), endpoint.port, "127.0.0.1");
    toEndpoint(1, 0, Buffer.alloc(10));
    // Loopback keeps the order: once the RTP packet is heard, the others were seen first.
    await until(() => heard.length === 1);
    expect(endpoint.stats.packetsReceived).toBe(1);
  });
});
