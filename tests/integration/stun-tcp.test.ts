import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  AttributeType,
  BINDING_METHOD,
  decodeErrorCode,
  encodeChangeRequest,
  encodeStunMessage,
  parseStunMessage,
  type StunMessage,
  StunServer,
  type StunServerOptions,
  StunStreamFramer,
} from "../../src/stun/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { attributeOf, mappedOf, StunUdpClient } from "../support/stun-client.js";
import { until } from "../support/until.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

/** A TCP connection that frames what it receives into STUN messages and notes when the server closes it. */
class TcpClient {
  readonly received: StunMessage[] = [];
  closed = false;
  private readonly framer = new StunStreamFramer();

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk) => {
      const framed = this.framer.push(chunk);
      if (!framed.ok) throw new Error(framed.reason);
      for (const data of framed.messages) {
        const parsed = parseStunMessage(data);
        if (parsed.ok) this.received.push(parsed.message);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.closed = true;
    });
  }

  static open(port: number): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      // No Nagle: each write leaves as its own segment, so the server sees the pieces a test makes.
      const socket = connect({ host: "127.0.0.1", port, noDelay: true }, () =>
        resolve(new TcpClient(socket)),
      );
      socket.once("error", reject);
      cleanup.push(async () => {
        socket.destroy();
      });
    });
  }

  get local() {
    return { family: "IPv4", address: this.socket.localAddress!, port: this.socket.localPort! };
  }

  write(data: Buffer): Promise<void> {
    return new Promise((done) => this.socket.write(data, () => done()));
  }
}

function request(attributes: { type: number; value: Buffer }[] = []): { data: Buffer; id: Buffer } {
  const id = randomBytes(12);
  return {
    data: encodeStunMessage({ method: BINDING_METHOD, class: "request", transactionId: id, attributes }),
    id,
  };
}

async function server(options: StunServerOptions = {}) {
  const stun = new StunServer(options);
  const bound = await stun.listen({ host: "127.0.0.1", port: 0, tcp: true });
  cleanup.push(() => stun.close());
  return { stun, port: bound.port };
}

describe("STUN over TCP (RFC 5389 §7.2.2)", () => {
  it("answers several requests sent back to back in one write, in order, on the same connection", async () => {
    const { port } = await server();
    const tcp = await TcpClient.open(port);
    const requests = [request(), request(), request()];
    await tcp.write(Buffer.concat(requests.map((r) => r.data)));
    await until(() => tcp.received.length === 3, "three answers");
    expect(tcp.received.map((m) => m.transactionId)).toEqual(requests.map((r) => r.id));
    for (const answer of tcp.received) {
      expect(answer.class).toBe("success");
      expect(mappedOf(answer)).toEqual(tcp.local);
    }
  });

  it("joins a request that arrives in pieces, split inside the header and inside an attribute", async () => {
    const { port } = await server();
    const tcp = await TcpClient.open(port);
    const first = request([{ type: AttributeType.Software, value: Buffer.from("piecewise client") }]);
    const second = request();
    const stream = Buffer.concat([first.data, second.data]);
    for (const [from, to] of [
      [0, 3],
      [3, 11],
      [11, 27],
      [27, first.data.length + 5],
      [first.data.length + 5, stream.length],
    ] as const) {
      await tcp.write(stream.subarray(from, to));
      // Let each piece arrive on its own before the next one.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => tcp.received.length === 2, "two answers");
    expect(tcp.received.map((m) => m.transactionId)).toEqual([first.id, second.id]);
  });

  it("closes a connection that sends garbage, and keeps serving others over TCP and UDP", async () => {
    const { stun, port } = await server();
    const bad = await TcpClient.open(port);
    await bad.write(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await until(() => bad.closed, "the server to close the garbage connection");
    const huge = await TcpClient.open(port);
    const oversized = request([{ type: 0x8022, value: Buffer.alloc(4000, 0x61) }]);
    await huge.write(oversized.data.subarray(0, 20));
    await until(() => huge.closed, "the server to close the oversized message's connection");

    const good = await TcpClient.open(port);
    const r = request();
    await good.write(r.data);
    await until(() => good.received.length === 1, "an answer on a new connection");
    expect(good.received[0]!.transactionId).toEqual(r.id);
    const udp = await StunUdpClient.open();
    cleanup.push(() => udp.close());
    expect((await udp.request({ address: "127.0.0.1", port })).message.class).toBe("success");
    expect(stun.stats.requests).toBe(2);
  });

  it("ignores a well-framed message that is not a request and keeps the connection", async () => {
    const { port } = await server();
    const tcp = await TcpClient.open(port);
    const indication = encodeStunMessage({
      method: BINDING_METHOD,
      class: "indication",
      transactionId: randomBytes(12),
      attributes: [],
    });
    const r = request();
    await tcp.write(Buffer.concat([indication, r.data]));
    await until(() => tcp.received.length === 1, "the answer to the request");
    expect(tcp.received[0]!.transactionId).toEqual(r.id);
    expect(tcp.closed).toBe(false);
  });

  it("answers 400 to a CHANGE-REQUEST that asks for another address (a connection cannot)", async () => {
    const { port } = await server();
    const tcp = await TcpClient.open(port);
    await tcp.write(
      request([{ type: AttributeType.ChangeRequest, value: encodeChangeRequest({ ip: false, port: true }) }])
        .data,
    );
    await until(() => tcp.received.length === 1, "the error answer");
    expect(decodeErrorCode(attributeOf(tcp.received[0]!, AttributeType.ErrorCode)!).code).toBe(400);
  });

  it("limits connections per source: one over the limit is closed unanswered, the others keep working", async () => {
    const { port } = await server({
      tcpLimits: { maxConnectionsPerSource: 2, maxConnections: 100, idleTimeoutMs: 60_000, maxMessage: 2048 },
    });
    const [a, b] = [await TcpClient.open(port), await TcpClient.open(port)];
    for (const tcp of [a, b]) {
      await tcp.write(request().data);
      await until(() => tcp.received.length === 1, "an answer on an allowed connection");
    }
    const third = await TcpClient.open(port);
    await until(() => third.closed, "the third connection from the same source to be closed");
    expect(third.received).toHaveLength(0);
    await a.write(request().data);
    await until(() => a.received.length === 2, "a second answer on an allowed connection");
  });

  it("closes a connection that stays quiet past the idle timeout", async () => {
    const { port } = await server({
      tcpLimits: { maxConnectionsPerSource: 2, maxConnections: 100, idleTimeoutMs: 200, maxMessage: 2048 },
    });
    const quiet = await TcpClient.open(port);
    await until(() => quiet.closed, "the server to close the idle connection");
    expect(quiet.received).toHaveLength(0);
  });
});

describe("the emulator's STUN over TCP", () => {
  it("answers on the same port number as UDP", async () => {
    const emulator = await startTestEmulator();
    cleanup.push(() => emulator.close());
    const tcp = await TcpClient.open(emulator.ports.stun!);
    const r = request();
    await tcp.write(r.data);
    await until(() => tcp.received.length === 1, "the TCP answer");
    expect(mappedOf(tcp.received[0]!)).toEqual(tcp.local);
  });

  it("--stun-tcp off: the port refuses connections", async () => {
    const emulator = await startTestEmulator({ stunTcp: "off" });
    cleanup.push(() => emulator.close());
    await expect(TcpClient.open(emulator.ports.stun!)).rejects.toThrow(/ECONNREFUSED/);
  });
});
