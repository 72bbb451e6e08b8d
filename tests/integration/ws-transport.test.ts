import { Agent, WebSocket } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { ControllableClock } from "../../src/shared/clock.js";
import { parseMessage } from "../../src/sip/message/index.js";
import { until } from "../support/until.js";
import {
  clientFrame,
  expectedAccept,
  optionsText,
  RawWsClient,
  startWsStack,
  type WsStack,
} from "../support/ws-support.js";

let stack: WsStack | undefined;
const clients: RawWsClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stack?.close();
  stack = undefined;
});

async function connect(options: Parameters<typeof RawWsClient.connect>[2] = {}): Promise<RawWsClient> {
  const client = await RawWsClient.connect(stack!.port, stack!.ca, options);
  clients.push(client);
  return client;
}

describe("WebSocket upgrade (RFC 6455 §4, RFC 7118 §4)", () => {
  it("accepts subprotocol sip with the right Sec-WebSocket-Accept", async () => {
    stack = await startWsStack();
    const client = await connect({ protocol: "chat, sip" });
    expect(client.status).toBe(101);
    expect(client.headers["sec-websocket-protocol"]).toBe("sip");
    expect(client.headers.upgrade?.toLowerCase()).toBe("websocket");
    expect(stack.stack.transport.connections.size).toBe(1);
  });

  it("answers the Sec-WebSocket-Accept computed from the client's key", async () => {
    stack = await startWsStack();
    const client = await connect();
    // RFC 6455 §1.3's worked example pins the helper; the server must agree with it.
    expect(expectedAccept("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    expect(client.headers["sec-websocket-accept"]).toBe(expectedAccept(client.key));
  });

  it.each([
    ["no subprotocol", { protocol: null }],
    ["another subprotocol", { protocol: "chat" }],
  ])("refuses an upgrade with %s: 400, no connection", async (_name, options) => {
    stack = await startWsStack();
    const client = await connect(options);
    expect(client.status).toBe(400);
    expect(await client.body()).toContain('subprotocol "sip" is required');
    expect(stack.stack.transport.connections.size).toBe(0);
    expect(stack.events.map((e) => e.type)).toContain("connection-refused");
  });

  it("answers 426 naming version 13 to another WebSocket version", async () => {
    stack = await startWsStack();
    const client = await connect({ version: "8" });
    expect(client.status).toBe(426);
    expect(client.headers["sec-websocket-version"]).toBe("13");
  });

  it("answers 404 for another path", async () => {
    stack = await startWsStack();
    const client = await connect({ path: "/other" });
    expect(client.status).toBe(404);
  });

  it("refuses the connection beyond the per-source limit with 503, and admits again after a close", async () => {
    stack = await startWsStack({ limits: { maxConnectionsPerSource: 2 } });
    const a = await connect();
    const b = await connect();
    expect([a.status, b.status]).toEqual([101, 101]);
    const c = await connect();
    expect(c.status).toBe(503);
    a.close();
    await until(() => stack!.stack.transport.connections.size === 1);
    const d = await connect();
    expect(d.status).toBe(101);
  });
});

describe("SIP over the WebSocket (RFC 7118 §5)", () => {
  it("answers OPTIONS from a standard WebSocket client (undici), stamping received", async () => {
    stack = await startWsStack();
    const ws = new WebSocket(`wss://127.0.0.1:${stack.port}/ws`, {
      protocols: "sip",
      dispatcher: new Agent({ connect: { ca: stack.ca, servername: "localhost" } }),
    });
    const text = await new Promise<string>((resolve, reject) => {
      ws.addEventListener("open", () => ws.send(optionsText("undici-1")));
      ws.addEventListener("message", (e) => resolve(String(e.data)));
      ws.addEventListener("error", () => reject(new Error("WebSocket error")));
    });
    ws.close();
    expect(ws.protocol).toBe("sip");
    const response = parseMessage(Buffer.from(text), { datagram: true });
    expect(response.kind).toBe("response");
    if (response.kind !== "response") return;
    expect(response.status).toBe(200);
    expect(response.callId).toBe("undici-1");
    expect(response.topVia.params.received).toBe("127.0.0.1");
  });

  it("carries several messages, one per frame, and reports WSS connections", async () => {
    stack = await startWsStack();
    const client = await connect();
    for (let i = 0; i < 3; i++) expect((await client.request(optionsText(`multi-${i}`))).status).toBe(200);
    const [connection] = [...stack.stack.transport.connections.values()];
    expect(connection?.protocol).toBe("WSS");
    expect(connection?.reliable).toBe(true);
  });

  it("answers a malformed request 400 with a reason and keeps the connection", async () => {
    stack = await startWsStack();
    const client = await connect();
    const broken = optionsText("broken-1").replace("Max-Forwards: 70", "Max-Forwards: seventy");
    const response = await client.request(broken);
    expect(response.status).toBe(400);
    expect(response.reason).toContain("Max-Forwards");
    expect(stack.events.some((e) => e.type === "protocol-error")).toBe(true);
    expect((await client.request(optionsText("after-broken"))).status).toBe(200);
    expect(client.closed).toBe(false);
  });

  it("taps each frame with its parsed message, a malformed one with none, and each answer sent", async () => {
    stack = await startWsStack();
    const seen: string[] = [];
    stack.stack.transport.tap = {
      received: (_bytes, _c, message) => seen.push(`in ${message?.kind}`),
      sent: (_bytes, _c, message) => seen.push(`out ${message?.kind}`),
    };
    const client = await connect();
    const broken = optionsText("tap-broken").replace("Max-Forwards: 70", "Max-Forwards: seventy");
    expect((await client.request(broken)).status).toBe(400);
    expect((await client.request(optionsText("tap-ok"))).status).toBe(200);
    expect(seen).toEqual(["in undefined", "out response", "in request", "out response"]);
  });

  it("reassembles a fragmented message", async () => {
    stack = await startWsStack();
    const client = await connect();
    const text = optionsText("fragments");
    client.sendText(text.slice(0, 40), { fin: false });
    client.sendText(text.slice(40, 90), { fin: false, opcode: 0x0 });
    client.sendText(text.slice(90), { opcode: 0x0 });
    const frame = await client.nextFrame((f) => f.type === "text");
    const response = parseMessage((frame as { data: Buffer }).data, { datagram: true });
    expect(response.kind === "response" && response.status).toBe(200);
  });

  it("answers a CRLFCRLF keep-alive with CRLF and a ping with a pong", async () => {
    stack = await startWsStack();
    const client = await connect();
    client.sendText("\r\n\r\n");
    const pong = await client.nextFrame((f) => f.type === "text");
    expect((pong as { data: Buffer }).data.toString()).toBe("\r\n");
    client.sendFrame(0x9, Buffer.from("hi"));
    const wsPong = await client.nextFrame((f) => f.type === "pong");
    expect((wsPong as { data: Buffer }).data.toString()).toBe("hi");
  });
});

describe("WebSocket protocol errors and limits", () => {
  it("fails an unmasked client frame with close 1002 and reports the closed connection", async () => {
    stack = await startWsStack();
    const client = await connect();
    client.sendText(optionsText(), { masked: false });
    const close = await client.nextFrame((f) => f.type === "close");
    expect(close).toMatchObject({ type: "close", code: 1002 });
    await until(() => stack!.closed.length === 1);
    expect(stack.closed[0]!.reason).toMatch(/^WebSocket protocol error: .*MASK/);
    expect(stack.stack.transport.connections.size).toBe(0);
  });

  it("fails a message larger than the SIP maximum with close 1009 before reading it", async () => {
    stack = await startWsStack({ limits: { maxMessageSize: 2048 } });
    const client = await connect();
    client.sendText(optionsText("big", [`X-Padding: ${"a".repeat(3000)}`]));
    const close = await client.nextFrame((f) => f.type === "close");
    expect(close).toMatchObject({ type: "close", code: 1009 });
  });

  it("fails a text frame that is not UTF-8 with close 1007", async () => {
    stack = await startWsStack();
    const client = await connect();
    client.sendFrame(0x1, Buffer.from([0xc3, 0x28]));
    expect(await client.nextFrame((f) => f.type === "close")).toMatchObject({ code: 1007 });
  });

  it("answers the peer's close and drops the connection from the table", async () => {
    stack = await startWsStack();
    const client = await connect();
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(1000);
    client.sendFrame(0x8, payload);
    expect(await client.nextFrame((f) => f.type === "close")).toMatchObject({ code: 1000 });
    await client.waitClosed();
    await until(() => stack!.closed.length === 1);
    expect(stack.stack.transport.connections.size).toBe(0);
  });

  it("pings on the keep-alive interval and closes a peer that stays silent", async () => {
    const clock = new ControllableClock({ frozen: true });
    stack = await startWsStack({ clock, pingIntervalMs: 30_000 });
    const client = await connect();
    clock.advance(30_000);
    await client.nextFrame((f) => f.type === "ping");
    clock.advance(30_000);
    expect(await client.nextFrame((f) => f.type === "close")).toMatchObject({ code: 1001 });
    await until(() => stack!.closed.length === 1);
    expect(stack.closed[0]!.reason).toBe("keep-alive timeout");
    clock.dispose();
  });

  it("keeps a peer that answers pings", async () => {
    const clock = new ControllableClock({ frozen: true });
    stack = await startWsStack({ clock, pingIntervalMs: 30_000 });
    const client = await connect();
    for (let i = 0; i < 3; i++) {
      clock.advance(30_000);
      await client.nextFrame((f) => f.type === "ping");
      client.sendFrame(0xa, Buffer.alloc(0));
      await client.request(optionsText(`alive-${i}`));
    }
    expect(client.closed).toBe(false);
    expect(stack.closed).toHaveLength(0);
    clock.dispose();
  });

  it("closes a connection without SIP traffic for the idle timeout", async () => {
    const clock = new ControllableClock({ frozen: true });
    stack = await startWsStack({ clock, pingIntervalMs: 1_000_000, limits: { idleTimeoutMs: 60_000 } });
    const client = await connect();
    clock.advance(59_000);
    await client.request(optionsText("idle-1"));
    clock.advance(59_000);
    expect(client.closed).toBe(false);
    clock.advance(2_000);
    expect(await client.nextFrame((f) => f.type === "close")).toMatchObject({ code: 1008 });
    await until(() => stack!.closed.length === 1);
    expect(stack.closed[0]!.reason).toBe("idle timeout");
    clock.dispose();
  });

  it("closes a peer stuck in the middle of a frame at the keep-alive check (it cannot answer the ping)", async () => {
    const clock = new ControllableClock({ frozen: true });
    stack = await startWsStack({ clock, pingIntervalMs: 30_000 });
    const client = await connect();
    // One write: once the ping is answered, the half frame behind it has been read too.
    const half = clientFrame(0x1, Buffer.from(optionsText("never"))).subarray(0, 40);
    client.socket.write(Buffer.concat([clientFrame(0x9, Buffer.from("p")), half]));
    await client.nextFrame((f) => f.type === "pong");
    clock.advance(30_000);
    await client.nextFrame((f) => f.type === "ping");
    clock.advance(30_000);
    expect(await client.nextFrame((f) => f.type === "close")).toMatchObject({ code: 1001 });
    await until(() => stack!.closed.length === 1);
    expect(stack.closed[0]!.reason).toBe("keep-alive timeout");
    clock.dispose();
  });
});
