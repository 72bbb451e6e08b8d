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
  type StunServerOptions,
} from "../../src/stun/index.js";
import { startTestEmulator } from "../support/emulator.js";
import { until } from "../support/until.js";

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

  /** Messages received and not yet read. */
  get pending(): number {
    return this.received.length;
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

async function start(
  host: string,
  options: Omit<StunServerOptions, "log"> = {},
): Promise<{ server: StunServer; port: number; events: string[] }> {
  const events: string[] = [];
  const server = new StunServer({ ...options, log: (event) => events.push(event) });
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
    expect(server.stats).toEqual({ requests: 1, ignored: 0, limited: 0, filtered: 0, faulted: 0 });
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
    expect(server.stats).toEqual({ requests: 1, ignored: junk.length, limited: 0, filtered: 0, faulted: 0 });
    expect(events.filter((event) => event === "ignored")).toHaveLength(junk.length);
  });

  it("answers 420 with UNKNOWN-ATTRIBUTES for an unknown comprehension-required attribute", async () => {
    const { server, port } = await start("127.0.0.1");
    const udp = await client("udp4", "127.0.0.1");
    const request = bindingRequest({
      attributes: [{ type: 0x0024, value: Buffer.alloc(4) }],
      fingerprint: true,
    });
    await udp.send(request.data, port, "127.0.0.1");
    const response = await udp.next();
    expect(response.class).toBe("error");
    expect(response.transactionId).toEqual(request.transactionId);
    expect(decodeErrorCode(attribute(response, AttributeType.ErrorCode)).code).toBe(420);
    expect(decodeUnknownAttributes(attribute(response, AttributeType.UnknownAttributes))).toEqual([0x0024]);
    expect(response.fingerprint).toBe("valid");
    expect(server.stats).toEqual({ requests: 1, ignored: 0, limited: 0, filtered: 0, faulted: 0 });
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

/** Answers `udp` receives until the one to `marker` (loopback UDP keeps order), by transaction id. */
async function answersBefore(udp: Client, marker: Buffer, most: number): Promise<Buffer[]> {
  const answered: Buffer[] = [];
  for (let i = 0; i <= most; i++) {
    const message = await udp.next();
    if (message.transactionId.equals(marker)) return answered;
    answered.push(message.transactionId);
  }
  throw new Error(`more than ${most} answers before the marker`);
}

describe("StunServer rate limit per source address (answers are ~3.4× the request: reflection)", () => {
  it("answers a burst from one source only up to the bucket; another source still gets answers", async () => {
    let now = 0;
    const { server, port, events } = await start("127.0.0.1", {
      rateLimit: { perSecond: 5, now: () => now },
    });
    const flooder = await client("udp4", "127.0.0.1");
    // Another source address on the loopback interface (the server is still reached at 127.0.0.1).
    const other = await client("udp4", "127.0.0.2");
    const burst = Array.from({ length: 30 }, () => bindingRequest());
    for (const request of burst) await flooder.send(request.data, port, "127.0.0.1");
    await until(
      () => server.stats.requests + server.stats.limited === 30,
      () => JSON.stringify(server.stats),
    );
    expect(server.stats).toEqual({ requests: 5, ignored: 0, limited: 25, filtered: 0, faulted: 0 });
    expect(events.filter((event) => event === "rate_limited")).toHaveLength(1);

    const fromOther = bindingRequest();
    await other.send(fromOther.data, port, "127.0.0.1");
    const answer = await other.next();
    expect(answer.transactionId).toEqual(fromOther.transactionId);
    expect(
      decodeXorMappedAddress(attribute(answer, AttributeType.XorMappedAddress), fromOther.transactionId),
    ).toEqual({ family: "IPv4", address: "127.0.0.2", port: other.port });

    // A second later the flooder has tokens again; the answer to this marker comes after every earlier one.
    now += 1000;
    const marker = bindingRequest();
    await flooder.send(marker.data, port, "127.0.0.1");
    expect(await answersBefore(flooder, marker.transactionId, burst.length)).toEqual(
      burst.slice(0, 5).map((request) => request.transactionId),
    );
  });

  it("a source's port does not matter: a spoofer cannot earn more answers by changing it", async () => {
    const { server, port } = await start("127.0.0.1", { rateLimit: { perSecond: 3, now: () => 0 } });
    const sockets = await Promise.all(Array.from({ length: 6 }, () => client("udp4", "127.0.0.1")));
    for (const udp of sockets) await udp.send(bindingRequest().data, port, "127.0.0.1");
    await until(
      () => server.stats.requests + server.stats.limited === 6,
      () => JSON.stringify(server.stats),
    );
    expect(server.stats).toEqual({ requests: 3, ignored: 0, limited: 3, filtered: 0, faulted: 0 });
  });

  it("garbage costs no token: it is ignored before the limit is asked", async () => {
    const { server, port } = await start("127.0.0.1", { rateLimit: { perSecond: 2, now: () => 0 } });
    const udp = await client("udp4", "127.0.0.1");
    for (let i = 0; i < 10; i++) await udp.send(randomBytes(40), port, "127.0.0.1");
    const request = bindingRequest();
    await udp.send(request.data, port, "127.0.0.1");
    expect((await udp.next()).transactionId).toEqual(request.transactionId);
    expect(server.stats).toEqual({ requests: 1, ignored: 10, limited: 0, filtered: 0, faulted: 0 });
  });

  it("the emulator applies --stun-rate-limit to its STUN port", async () => {
    const emulator = await startTestEmulator({ stunRateLimit: 1 });
    cleanup.push(() => emulator.close());
    const stunPort = emulator.ports.stun!;
    const flooder = await client("udp4", "127.0.0.1");
    const burst = Array.from({ length: 10 }, () => bindingRequest());
    for (const request of burst) await flooder.send(request.data, stunPort, "127.0.0.1");
    const other = await client("udp4", "127.0.0.2");
    const marker = bindingRequest();
    await other.send(marker.data, stunPort, "127.0.0.1");
    // The other source's answer was sent after the server had handled the whole burst.
    expect((await other.next()).transactionId).toEqual(marker.transactionId);
    await until(() => flooder.pending > 0, "the flooder's first answer");
    // 1 answer per second: 10 would need the burst to take 9 s to handle.
    expect(flooder.pending).toBeLessThan(burst.length);
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
