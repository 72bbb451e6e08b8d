import dgram from "node:dgram";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createResponse, type SipMessage, type SipRequest } from "../../../../src/sip/message/index.js";
import {
  type SipConnection,
  type TransportEvent,
  TransportLayer,
  type TransportLimits,
  type TransportUser,
} from "../../../../src/sip/transport/index.js";
import { until } from "../../../support/until.js";

const LIMITS: TransportLimits = {
  maxMessageSize: 1200,
  maxHeaders: 20,
  maxConnectionsPerSource: 2,
  maxConnections: 10,
  idleTimeoutMs: 60_000,
  partialMessageTimeoutMs: 60_000,
};

function options(callId: string): string {
  return [
    "OPTIONS sip:phoneapp.unify.com SIP/2.0",
    `Via: SIP/2.0/UDP pbx.example:5060;branch=z9hG4bK${callId};rport`,
    "From: <sip:pbx@example.test>;tag=1",
    "To: <sip:phoneapp.unify.com>",
    `Call-ID: ${callId}`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

/** The layer above, recording what the transport hands it. */
class User implements TransportUser {
  readonly messages: { message: SipMessage; connection: SipConnection }[] = [];
  readonly opened: SipConnection[] = [];
  readonly closed: { connection: SipConnection; reason: string }[] = [];
  readonly events: TransportEvent[] = [];
  onMessage(message: SipMessage, connection: SipConnection): void {
    this.messages.push({ message, connection });
  }
  onConnectionClosed(connection: SipConnection, reason: string): void {
    this.closed.push({ connection, reason });
  }
  onConnectionOpened(connection: SipConnection): void {
    this.opened.push(connection);
  }
  onTransportEvent(event: TransportEvent): void {
    this.events.push(event);
  }
}

let layer: TransportLayer | undefined;
const sockets: (net.Socket | dgram.Socket)[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) {
    if (s instanceof net.Socket) s.destroy();
    else s.close();
  }
  await layer?.close(0);
  layer = undefined;
});

async function tcpLayer() {
  const user = new User();
  layer = new TransportLayer(LIMITS, user);
  const { port } = await layer.listenTcp({ host: "127.0.0.1", port: 0 });
  /** `allowHalfOpen`: a peer that never closes its side after ours. */
  const connect = (allowHalfOpen = false) => {
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen });
    socket.on("error", () => {});
    // Read (and drop) what arrives, so the end of the stream is seen.
    socket.resume();
    sockets.push(socket);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    return { socket, closed };
  };
  return { user, layer, connect };
}

describe("TransportLayer over TCP", () => {
  it("lists each accepted connection and forgets it when the peer closes, telling the layer above", async () => {
    const { user, layer, connect } = await tcpLayer();
    const { socket } = connect();
    await until(() => user.opened.length === 1, "the accepted connection");
    const connection = user.opened[0]!;
    expect(connection).toMatchObject({ protocol: "TCP", reliable: true, remoteAddress: "127.0.0.1" });
    expect(layer.connections.get(connection.id)).toBe(connection);
    socket.end();
    await until(() => user.closed.length === 1, "the close");
    expect(user.closed[0]).toEqual({ connection, reason: "closed by peer" });
    expect(layer.connections.size).toBe(0);
    expect(layer.connections.connectionsFrom("127.0.0.1")).toBe(0);
  });

  it("refuses a source's connection beyond its limit, and admits it again once one closed", async () => {
    const { user, connect } = await tcpLayer();
    const first = connect();
    connect();
    await until(() => user.opened.length === 2, "two connections");
    const third = connect();
    await third.closed;
    expect(user.events).toContainEqual({
      type: "connection-refused",
      remote: "127.0.0.1",
      message: "connection limit",
    });
    expect(user.opened).toHaveLength(2);
    first.socket.end();
    await until(() => user.closed.length === 1, "the first close");
    connect();
    await until(() => user.opened.length === 3, "the connection admitted again");
  });

  it("delivers framed messages with the connection they came on, for the answer to go back on", async () => {
    const { user, connect } = await tcpLayer();
    const { socket } = connect();
    socket.write(options("tcp-1"));
    await until(() => user.messages.length === 1, "the message");
    const { message, connection } = user.messages[0]!;
    expect((message as SipRequest).topVia).toMatchObject({ received: "127.0.0.1", rport: socket.localPort });
    expect(connection).toBe(user.opened[0]);
  });

  it("closes every connection on shutdown, and destroys those whose peer keeps its side open", async () => {
    const { user, layer, connect } = await tcpLayer();
    const polite = connect();
    const stubborn = connect(true);
    await until(() => user.opened.length === 2, "two connections");
    const ended = new Promise<void>((resolve) => stubborn.socket.once("end", () => resolve()));
    await layer.close(100);
    await Promise.all([polite.closed, ended]);
    expect(user.closed.map((c) => c.reason)).toEqual(["shutdown", "shutdown"]);
    // Its socket is gone on our side: what the stubborn peer sends now is answered with a reset.
    let reset = false;
    stubborn.socket.once("close", () => {
      reset = true;
    });
    await until(() => {
      if (!reset) stubborn.socket.write("\r\n\r\n");
      return reset;
    }, "the reset of the stubborn peer");
    expect(layer.connections.size).toBe(0);
  });
});

describe("TransportLayer over UDP", () => {
  async function udpLayer() {
    const user = new User();
    layer = new TransportLayer(LIMITS, user);
    const { port } = await layer.listenUdp({ host: "127.0.0.1", port: 0 });
    const client = dgram.createSocket("udp4");
    sockets.push(client);
    await new Promise<void>((resolve) => client.bind(0, "127.0.0.1", resolve));
    const replies: string[] = [];
    client.on("message", (data) => replies.push(data.toString("latin1")));
    const send = (text: string) => client.send(Buffer.from(text), port, "127.0.0.1");
    return { user, layer, client, send, replies };
  }

  it("treats each remote address as one flow: the same id for its datagrams, received and rport stamped", async () => {
    const { user, layer, client, send } = await udpLayer();
    send(options("u1"));
    send(options("u2"));
    await until(() => user.messages.length === 2, "two datagrams");
    const [one, two] = user.messages;
    expect(one!.connection).toBe(two!.connection);
    expect(one!.connection).toMatchObject({
      protocol: "UDP",
      reliable: false,
      remotePort: client.address().port,
    });
    expect((one!.message as SipRequest).topVia).toMatchObject({
      received: "127.0.0.1",
      rport: client.address().port,
    });
    expect(layer.connections.get(one!.connection.id)).toBe(one!.connection);
  });

  it("answers a request it cannot parse with its status, ignores blank and oversize datagrams", async () => {
    const { user, send, replies } = await udpLayer();
    send("\r\n\r\n");
    send(options("huge").replace("Content-Length: 0", `Subject: ${"x".repeat(1200)}\r\nContent-Length: 0`));
    send(options("bad").replace("CSeq: 1 OPTIONS", "CSeq: 1 BYE"));
    send(options("good"));
    await until(() => user.messages.length === 1 && replies.length === 1, "the good message and one answer");
    expect(replies[0]).toMatch(/^SIP\/2\.0 400 Bad Request: /);
    expect(replies[0]).toContain("Call-ID: bad");
    expect(user.events.map((e) => e.type)).toEqual(["protocol-error"]);
    expect(user.messages[0]!.message.headers.get("call-id")).toBe("good");
  });

  it("taps every datagram with its parsed message, one that does not parse with none, and each answer sent", async () => {
    const { user, layer, send, replies } = await udpLayer();
    const seen: string[] = [];
    layer.tap = {
      received: (bytes, _c, message) => seen.push(`in ${bytes.length} ${message?.headers.get("call-id")}`),
      sent: (bytes, _c, message) => seen.push(`out ${bytes.length} ${message?.kind}`),
    };
    const bad = options("bad").replace("CSeq: 1 OPTIONS", "CSeq: 1 BYE");
    send(bad);
    await until(() => replies.length === 1, "the 400");
    send(options("good"));
    await until(() => user.messages.length === 1, "the good datagram");
    const good = user.messages[0]!;
    good.connection.send(createResponse(good.message as SipRequest, 200, "OK"));
    await until(() => replies.length === 2, "the 200");
    expect(seen).toEqual([
      `in ${bad.length} undefined`,
      `out ${replies[0]!.length} response`,
      `in ${options("good").length} good`,
      `out ${replies[1]!.length} response`,
    ]);
  });

  it("forgets its flows on close and tells the layers above, as for a closed connection", async () => {
    const { user, layer, send } = await udpLayer();
    send(options("u1"));
    await until(() => user.messages.length === 1, "the datagram");
    const flow = user.messages[0]!.connection;
    await layer.close();
    expect(layer.connections.size).toBe(0);
    expect(user.closed).toEqual([{ connection: flow, reason: "shutdown" }]);
    expect(flow.open).toBe(false);
  });
});
