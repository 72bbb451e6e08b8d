import { afterEach, describe, expect, it } from "vitest";
import {
  createResponse,
  parseMessage,
  type SipMessage,
  type SipParseError,
  type SipRequest,
  serialize,
} from "../../../../src/sip/message/index.js";
import {
  type SipConnection,
  type SipFaultHooks,
  type SipTrafficTap,
  StreamConnection,
  type TransportLimits,
} from "../../../../src/sip/transport/index.js";
import { until } from "../../../support/until.js";
import { type SocketPair, socketPair } from "./socket-pair.js";

const LIMITS: TransportLimits = {
  maxMessageSize: 2048,
  maxHeaders: 20,
  maxConnectionsPerSource: 10,
  maxConnections: 100,
  idleTimeoutMs: 60_000,
  partialMessageTimeoutMs: 60_000,
};

function options(callId: string, via = `SIP/2.0/TLS pbx.example:5061;branch=z9hG4bK${callId}`): string {
  return [
    "OPTIONS sip:phoneapp.unify.com SIP/2.0",
    `Via: ${via}`,
    "Max-Forwards: 70",
    "From: <sip:pbx@example.test>;tag=1",
    "To: <sip:phoneapp.unify.com>",
    `Call-ID: ${callId}`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

/** What a StreamConnection reported to its listener, in order. */
class Recorder {
  readonly log: string[] = [];
  readonly messages: SipMessage[] = [];
  readonly closes: string[] = [];
  readonly errors: SipParseError[] = [];
  readonly events = {
    onMessage: (message: SipMessage) => {
      this.messages.push(message);
      this.log.push(`message ${message.headers.get("call-id")}`);
    },
    onClose: (_c: SipConnection, reason: string) => {
      this.closes.push(reason);
      this.log.push(`close ${reason}`);
    },
    onProtocolError: (_c: SipConnection, error: SipParseError) => {
      this.errors.push(error);
      this.log.push(`error ${error.status}`);
    },
  };
}

let pair: SocketPair | undefined;
afterEach(() => pair?.close());

async function connection(
  limits: Partial<TransportLimits> = {},
  extras: { tap?: SipTrafficTap; faults?: SipFaultHooks } = {},
) {
  pair = await socketPair();
  const recorder = new Recorder();
  const taps = extras.tap ? { tap: extras.tap } : undefined;
  const conn = new StreamConnection(
    "c1",
    "TCP",
    pair.local,
    { ...LIMITS, ...limits },
    recorder.events,
    taps,
    extras.faults,
  );
  return { conn, recorder, pair };
}

describe("StreamConnection framing (RFC 3261 §18.3)", () => {
  it("delivers pipelined messages in order, and one split over many chunks once it is complete", async () => {
    const { recorder, pair } = await connection();
    pair.peer.write(options("a") + options("b"));
    await until(() => recorder.messages.length === 2, "two pipelined messages");
    const split = Buffer.from(options("c"));
    for (let i = 0; i < split.length; i += 7) pair.peer.write(split.subarray(i, i + 7));
    await until(() => recorder.messages.length === 3, "the split message");
    expect(recorder.log).toEqual(["message a", "message b", "message c"]);
  });

  it("stamps received on requests from another address than their Via says, before delivering", async () => {
    const { recorder, pair } = await connection();
    pair.peer.write(options("a"));
    await until(() => recorder.messages.length === 1, "the request");
    expect((recorder.messages[0] as SipRequest).topVia.received).toBe("127.0.0.1");
  });

  it("answers a CRLFCRLF keep-alive with CRLF and delivers nothing", async () => {
    const { recorder, pair } = await connection();
    pair.peer.write("\r\n\r\n");
    await until(() => pair.received() === "\r\n", "the pong");
    pair.peer.write(options("after"));
    await until(() => recorder.messages.length === 1, "the next message");
    expect(recorder.log).toEqual(["message after"]);
  });

  it("answers a request it cannot accept with its status, reports it, and keeps the connection", async () => {
    const { conn, recorder, pair } = await connection();
    pair.peer.write(options("bad").replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE") + options("good"));
    await until(() => recorder.messages.length === 1, "the good message");
    expect(recorder.errors.map((e) => e.status)).toEqual([400]);
    await until(() => pair.received().startsWith("SIP/2.0 400 "), "the 400");
    expect(pair.received()).toContain("Call-ID: bad");
    expect(conn.open).toBe(true);
  });

  it("answers a message over the size limit with 513 and closes: framing is lost", async () => {
    const { conn, recorder, pair } = await connection({ maxMessageSize: 400 });
    pair.peer.write(options("big").replace("Max-Forwards: 70", `Subject: ${"x".repeat(400)}`));
    await pair.peerClosed;
    expect(pair.received()).toMatch(/^SIP\/2\.0 513 Message Too Large\r\n/);
    expect(recorder.closes).toEqual(["protocol error: Message Too Large"]);
    expect(conn.open).toBe(false);
  });

  it("closes on a request without Content-Length (400): the next message cannot be found", async () => {
    const { recorder, pair } = await connection();
    pair.peer.write(options("nolength").replace("Content-Length: 0\r\n", ""));
    await pair.peerClosed;
    expect(pair.received()).toMatch(/^SIP\/2\.0 400 Bad Request: missing Content-Length/);
    expect(recorder.closes).toHaveLength(1);
    expect(recorder.messages).toEqual([]);
  });

  it("does not answer a broken ACK (RFC 3261 §17.2.1: an ACK gets no response)", async () => {
    const { recorder, pair } = await connection();
    const ack = options("ack").replace("OPTIONS sip:", "ACK sip:").replace("CSeq: 1 OPTIONS", "CSeq: 1 BYE");
    pair.peer.write(ack + options("next"));
    await until(() => recorder.messages.length === 1, "the next message");
    expect(recorder.errors).toHaveLength(1);
    expect(pair.received()).toBe("");
  });
});

describe("StreamConnection lifetime", () => {
  it("reports a close by the peer once, and sends nothing afterwards", async () => {
    const { conn, recorder, pair } = await connection();
    pair.peer.end();
    await until(() => recorder.closes.length === 1, "the close");
    expect(recorder.closes).toEqual(["closed by peer"]);
    expect(conn.send(answer(parseMessage(Buffer.from(options("x"))) as SipRequest))).toBe(false);
    conn.close("again");
    expect(recorder.closes).toEqual(["closed by peer"]);
  });

  it("closes locally with the given reason: the peer sees the FIN", async () => {
    const { conn, recorder, pair } = await connection();
    conn.close("shutdown");
    await pair.peerClosed;
    expect(recorder.closes).toEqual(["shutdown"]);
    expect(conn.open).toBe(false);
  });

  it("closes a connection whose message never completes (slowloris)", async () => {
    const { recorder, pair } = await connection({ partialMessageTimeoutMs: 50 });
    pair.peer.write(options("slow").slice(0, 40));
    await pair.peerClosed;
    expect(recorder.closes).toEqual(["partial message timeout"]);
  });

  it("closes a connection idle for the idle timeout, after serving it", async () => {
    const { recorder, pair } = await connection({ idleTimeoutMs: 200 });
    pair.peer.write(options("steady"));
    await until(() => recorder.messages.length === 1, "the message");
    await pair.peerClosed;
    expect(recorder.closes).toEqual(["idle timeout"]);
  });

  it("resets on request (fault injection): the peer sees ECONNRESET, not a FIN", async () => {
    const { conn, recorder, pair } = await connection();
    conn.reset("fault");
    const { error } = await pair.peerClosed;
    expect(error?.code).toBe("ECONNRESET");
    expect(recorder.closes).toEqual(["fault"]);
  });
});

describe("StreamConnection taps and fault hooks", () => {
  it("shows the tap each message as received (before received= is stamped) and as sent", async () => {
    const seen: string[] = [];
    const tap: SipTrafficTap = {
      received: (bytes, _c, message) =>
        seen.push(`in ${bytes.toString("latin1").split("\r\n")[1]} (${message?.kind})`),
      sent: (bytes, _c, message) =>
        seen.push(`out ${bytes.toString("latin1").split("\r\n")[0]} (${message?.kind})`),
      opened: (c) => seen.push(`opened ${c.id}`),
      closed: (_c, reason) => seen.push(`closed ${reason}`),
    };
    const { conn, recorder, pair } = await connection({}, { tap });
    pair.peer.write(options("t"));
    await until(() => recorder.messages.length === 1, "the message");
    conn.send(answer(recorder.messages[0] as SipRequest));
    await until(() => pair.received().startsWith("SIP/2.0 200 OK"), "the answer");
    conn.close("done");
    expect(seen).toEqual([
      "opened c1",
      "in Via: SIP/2.0/TLS pbx.example:5061;branch=z9hG4bKt (request)",
      "out SIP/2.0 200 OK (response)",
      "closed done",
    ]);
    // The tap hears of the close before the listener forgets the connection.
    expect(recorder.closes).toEqual(["done"]);
  });

  it("hands the tap the parsed message beside its bytes, and on a hooked send the message the hook names", async () => {
    const seen: (SipMessage | undefined)[] = [];
    const tap: SipTrafficTap = {
      received: (_bytes, _c, message) => seen.push(message),
      sent: (_bytes, _c, message) => seen.push(message),
    };
    const writes: ((bytes: Buffer, message?: SipMessage) => void)[] = [];
    const faults: SipFaultHooks = {
      incoming: (_m, _c, deliver) => deliver(),
      outgoing: (_m, _c, write) => writes.push(write),
    };
    const { conn, recorder, pair } = await connection({}, { tap, faults });
    pair.peer.write(options("m"));
    await until(() => recorder.messages.length === 1, "the message");
    const ok = answer(recorder.messages[0] as SipRequest);
    conn.send(ok);
    writes[0]!(serialize(ok), ok);
    writes[0]!(Buffer.from("SIP/2.0 9x9 Corrupted\r\n\r\n"));
    await until(() => pair.received().includes("9x9"), "both writes");
    expect(seen).toEqual([recorder.messages[0], ok, undefined]);
  });

  it("sends through the fault hook, which decides what reaches the wire; a write after the close is dropped", async () => {
    const writes: ((bytes: Buffer) => void)[] = [];
    const faults: SipFaultHooks = {
      incoming: (_m, _c, deliver) => deliver(),
      outgoing: (_m, _c, write) => writes.push(write),
    };
    const { conn, recorder, pair } = await connection({}, { faults });
    pair.peer.write(options("f"));
    await until(() => recorder.messages.length === 1, "the message");
    expect(conn.send(answer(recorder.messages[0] as SipRequest))).toBe(true);
    expect(pair.received()).toBe("");
    writes[0]!(Buffer.from("SIP/2.0 503 Held\r\n\r\n"));
    await until(() => pair.received() === "SIP/2.0 503 Held\r\n\r\n", "the hook's bytes");
    conn.close();
    writes[0]!(Buffer.from("late"));
    await pair.peerClosed;
    expect(pair.received()).toBe("SIP/2.0 503 Held\r\n\r\n");
  });
});

function answer(request: SipRequest): SipMessage {
  return createResponse(request, 200, "OK");
}
