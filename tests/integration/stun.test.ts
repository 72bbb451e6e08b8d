import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import {
  AttributeType,
  BINDING_METHOD,
  decodeErrorCode,
  decodeMappedAddress,
  decodeUnknownAttributes,
  decodeXorMappedAddress,
  encodeStunMessage,
  parseStunMessage,
  type StunAttribute,
  type StunMessage,
  StunServer,
} from "../../src/stun/index.js";

/** A UDP client that queues what it receives, so a test reads responses in arrival order. */
class Client {
  private readonly received: Buffer[] = [];
  private waiting: ((data: Buffer) => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on("message", (data) => {
      const waiter = this.waiting;
      this.waiting = undefined;
      if (waiter) waiter(data);
      else this.received.push(data);
    });
  }

  static async open(type: "udp4" | "udp6", host: string): Promise<Client> {
    const socket = createSocket(type);
    await new Promise<void>((bound) => socket.bind(0, host, bound));
    return new Client(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Buffer, port: number, host: string): Promise<void> {
    return new Promise((sent, failed) =>
      this.socket.send(data, port, host, (error) => (error ? failed(error) : sent())),
    );
  }

  next(): Promise<StunMessage> {
    const queued = this.received.shift();
    const data = queued
      ? Promise.resolve(queued)
      : new Promise<Buffer>((arrived) => (this.waiting = arrived));
    return data.then((bytes) => {
      const parsed = parseStunMessage(bytes);
      if (!parsed.ok) throw new Error(`the server sent a malformed message: ${parsed.reason}`);
      return parsed.message;
    });
  }

  close(): Promise<void> {
    return new Promise((closed) => this.socket.close(() => closed()));
  }
}

function bindingRequest(options: { fingerprint?: boolean; attributes?: StunAttribute[] } = {}): {
  data: Buffer;
  transactionId: Buffer;
} {
  const transactionId = randomBytes(12);
  const data = encodeStunMessage({
    method: BINDING_METHOD,
    class: "request",
    transactionId,
    attributes: options.attributes ?? [],
    fingerprint: options.fingerprint ?? false,
  });
  return { data, transactionId };
}

function attribute(message: StunMessage, type: number): Buffer {
  const found = message.attributes.find((a) => a.type === type);
  if (!found) throw new Error(`no attribute 0x${type.toString(16)}`);
  return found.value;
}

async function ipv6Available(): Promise<boolean> {
  const socket = createSocket("udp6");
  const ok = await new Promise<boolean>((settle) => {
    socket.once("error", () => settle(false));
    socket.bind(0, "::1", () => settle(true));
  });
  socket.close();
  return ok;
}

const hasIpv6 = await ipv6Available();
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function start(host: string): Promise<{ server: StunServer; port: number; events: string[] }> {
  const events: string[] = [];
  const server = new StunServer({ log: (event) => events.push(event) });
  const { port } = await server.listen({ host, port: 0 });
  cleanup.push(() => server.close());
  return { server, port, events };
}

async function client(type: "udp4" | "udp6", host: string): Promise<Client> {
  const opened = await Client.open(type, host);
  cleanup.push(() => opened.close());
  return opened;
}

describe("StunServer over UDP on 127.0.0.1", () => {
  it("answers a Binding request with the client's address and port, same transaction id", async () => {
    const { server, port } = await start("127.0.0.1");
    const udp = await client("udp4", "127.0.0.1");
    const request = bindingRequest();
    await udp.send(request.data, port, "127.0.0.1");
    const response = await udp.next();
    expect(response.class).toBe("success");
    expect(response.method).toBe(BINDING_METHOD);
    expect(response.transactionId).toEqual(request.transactionId);
    expect(response.fingerprint).toBe("absent");
    const expected = { family: "IPv4", address: "127.0.0.1", port: udp.port };
    expect(
      decodeXorMappedAddress(attribute(response, AttributeType.XorMappedAddress), request.transactionId),
    ).toEqual(expected);
    expect(decodeMappedAddress(attribute(response, AttributeType.MappedAddress))).toEqual(expected);
    expect(attribute(response, AttributeType.Software).toString()).toBe("unify-phone-emulator");
    expect(server.stats).toEqual({ requests: 1, ignored: 0 });
  });

  it("answers with a valid FINGERPRINT when the request had one", async () => {
    const { port } = await start("127.0.0.1");
    const udp = await client("udp4", "127.0.0.1");
    const request = bindingRequest({ fingerprint: true });
    await udp.send(request.data, port, "127.0.0.1");
    const response = await udp.next();
    expect(response.transactionId).toEqual(request.transactionId);
    expect(response.fingerprint).toBe("valid");
    expect(
      decodeXorMappedAddress(attribute(response, AttributeType.XorMappedAddress), request.transactionId).port,
    ).toBe(udp.port);
  });

  it("drops garbage, truncated messages, responses and bad FINGERPRINTs, and keeps answering", async () => {
    const { server, port, events } = await start("127.0.0.1");
    const udp = await client("udp4", "127.0.0.1");
    const truncated = bindingRequest().data.subarray(0, 12);
    const shortened = bindingRequest({
      attributes: [{ type: 0x8022, value: Buffer.from("abcd") }],
    }).data.subarray(0, 24);
    const badFingerprint = bindingRequest({ fingerprint: true }).data;
    badFingerprint[badFingerprint.length - 1] = badFingerprint[badFingerprint.length - 1]! ^ 0xff;
    const response = encodeStunMessage({
      method: BINDING_METHOD,
      class: "success",
      transactionId: randomBytes(12),
      attributes: [],
    });
    const junk = [
      randomBytes(64),
      Buffer.alloc(0),
      Buffer.from("hello"),
      truncated,
      shortened,
      badFingerprint,
      response,
    ];
    for (const datagram of junk) await udp.send(datagram, port, "127.0.0.1");
    const request = bindingRequest();
    await udp.send(request.data, port, "127.0.0.1");
    // UDP on loopback keeps order: the first thing back must answer the valid request.
    const answer = await udp.next();
    expect(answer.transactionId).toEqual(request.transactionId);
    expect(answer.class).toBe("success");
    expect(server.stats).toEqual({ requests: 1, ignored: junk.length });
    expect(events.filter((event) => event === "ignored")).toHaveLength(junk.length);
  });

  it("answers 420 with UNKNOWN-ATTRIBUTES for an unknown comprehension-required attribute", async () => {
    const { server, port } = await start("127.0.0.1");
    const udp = await client("udp4", "127.0.0.1");
    const request = bindingRequest({
      attributes: [{ type: 0x0003, value: Buffer.alloc(4) }],
      fingerprint: true,
    });
    await udp.send(request.data, port, "127.0.0.1");
    const response = await udp.next();
    expect(response.class).toBe("error");
    expect(response.transactionId).toEqual(request.transactionId);
    expect(decodeErrorCode(attribute(response, AttributeType.ErrorCode)).code).toBe(420);
    expect(decodeUnknownAttributes(attribute(response, AttributeType.UnknownAttributes))).toEqual([0x0003]);
    expect(response.fingerprint).toBe("valid");
    expect(server.stats).toEqual({ requests: 1, ignored: 0 });
  });

  it("rejects listen() while listening, and close() twice is harmless", async () => {
    const server = new StunServer();
    await server.listen({ host: "127.0.0.1", port: 0 });
    await expect(server.listen({ host: "127.0.0.1", port: 0 })).rejects.toThrow(/already listening/);
    await server.close();
    await server.close();
  });

  it("rejects listen() on a port already in use, then can listen elsewhere", async () => {
    const { port } = await start("127.0.0.1");
    const server = new StunServer();
    await expect(server.listen({ host: "127.0.0.1", port })).rejects.toThrow(/EADDRINUSE/);
    const bound = await server.listen({ host: "127.0.0.1", port: 0 });
    expect(bound.port).toBeGreaterThan(0);
    await server.close();
  });
});

describe.skipIf(!hasIpv6)("StunServer over UDP on IPv6 (skipped: no IPv6 loopback)", () => {
  it("uses udp6 on ::1 and answers with an IPv6 XOR-MAPPED-ADDRESS", async () => {
    const { port } = await start("::1");
    const udp = await client("udp6", "::1");
    const request = bindingRequest();
    await udp.send(request.data, port, "::1");
    const response = await udp.next();
    expect(
      decodeXorMappedAddress(attribute(response, AttributeType.XorMappedAddress), request.transactionId),
    ).toEqual({
      family: "IPv6",
      address: "::1",
      port: udp.port,
    });
  });

  it("on a dual-stack :: socket reports an IPv4 client as IPv4, not ::ffff:…", async () => {
    const { port } = await start("::");
    const udp = await client("udp4", "127.0.0.1");
    const request = bindingRequest();
    await udp.send(request.data, port, "127.0.0.1");
    const response = await udp.next();
    expect(
      decodeXorMappedAddress(attribute(response, AttributeType.XorMappedAddress), request.transactionId),
    ).toEqual({
      family: "IPv4",
      address: "127.0.0.1",
      port: udp.port,
    });
  });
});
