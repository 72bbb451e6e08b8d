import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ClientCall, ClientRegistrationError, UnifyPhoneClient } from "../../src/phone-client/index.js";
import type { ClientPresenceEvent } from "../../src/registrar/client-bindings.js";
import { ClientRegistrar } from "../../src/registrar/client-registrar.js";
import { digestHa1 } from "../../src/registrar/digest.js";
import { ControllableClock } from "../../src/shared/clock.js";
import {
  createResponse,
  parseMessage,
  type SipRequest,
  type SipResponse,
} from "../../src/sip/message/index.js";
import type { ServerTransaction } from "../../src/sip/transaction/index.js";
import { until } from "../support/until.js";
import { startWsStack, type WsStack } from "../support/ws-support.js";

/*
 * The sip.js-based client against the real transport and client registrar on a bare
 * HTTPS server; the far end of its calls is scripted here (a UAS on the router and a UDP
 * socket for RTP), so everything is checked without the B2BUA.
 */

const REALM = "phoneapp.unify.com";
const USER = "us_k3v9q2m7xa";
const PASSWORD = "client-pass-1";
const NUMBER = "+4923026672131";

/** RTP packets as the test's UDP peer saw them. */
interface Packet {
  payloadType: number;
  marker: boolean;
  timestamp: number;
  payload: Buffer;
}

class UdpPeer {
  readonly packets: Packet[] = [];
  private constructor(
    readonly socket: dgram.Socket,
    readonly port: number,
  ) {
    socket.on("message", (data) =>
      this.packets.push({
        payloadType: data[1]! & 0x7f,
        marker: (data[1]! & 0x80) !== 0,
        timestamp: data.readUInt32BE(4),
        payload: Buffer.from(data.subarray(12)),
      }),
    );
  }

  static async open(): Promise<UdpPeer> {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new UdpPeer(socket, socket.address().port);
  }

  send(
    port: number,
    payloadType: number,
    seq: number,
    payload: Buffer,
    options: { timestamp?: number } = {},
  ) {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = payloadType;
    header.writeUInt16BE(seq, 2);
    header.writeUInt32BE(options.timestamp ?? seq * 160, 4);
    header.writeUInt32BE(0x1234, 8);
    this.socket.send(Buffer.concat([header, payload]), port, "127.0.0.1");
  }

  close(): void {
    this.socket.close();
  }
}

let clock: ControllableClock;
let stack: WsStack;
let registrar: ClientRegistrar;
let presence: ClientPresenceEvent[];
let peer: UdpPeer;
let requests: SipRequest[];
let clients: UnifyPhoneClient[];
/** How the scripted far end answers an initial INVITE. */
let answerInvite: (tx: ServerTransaction) => void;

beforeEach(async () => {
  clock = new ControllableClock();
  const ha1 = {
    MD5: digestHa1("MD5", USER, REALM, PASSWORD),
    "SHA-256": digestHa1("SHA-256", USER, REALM, PASSWORD),
  };
  registrar = new ClientRegistrar(
    {
      realm: REALM,
      defaultExpires: 600,
      minExpires: 60,
      maxExpires: 3600,
      maxContactsPerUser: 10,
      nonceTtlMs: 300_000,
      // sip.js reads only the last WWW-Authenticate and knows only MD5: MD5 must come last.
      digestAlgorithms: ["SHA-256", "MD5"],
      maxAuthFailures: 10,
      lockoutMs: 60_000,
    },
    {
      findClientAccount: (id) =>
        id === USER ? { userId: USER, tenantId: "tn_acme", realm: REALM, ha1 } : undefined,
    },
    clock,
  );
  presence = [];
  registrar.bindings.onPresence((e) => presence.push(e));
  peer = await UdpPeer.open();
  requests = [];
  clients = [];
  answerInvite = (tx) => respondWithSdp(tx, 200, answerTo(tx.request));
  stack = await startWsStack({
    setup: (router, sip) => {
      router.on("REGISTER", (tx) => registrar.handleRegister(tx));
      sip.connectionClosed.on(({ connection, reason }) => registrar.connectionClosed(connection.id, reason));
      router.on(
        "INVITE",
        (tx) => {
          requests.push(tx.request);
          if (tx.request.to.params.tag) respondWithSdp(tx, 200, answerTo(tx.request));
          else answerInvite(tx);
        },
        { acceptBody: ["application/sdp"] },
      );
      router.onAckFor((ack) => requests.push(ack));
      for (const method of ["BYE", "INFO", "REFER"] as const) {
        router.on(
          method,
          (tx) => {
            requests.push(tx.request);
            tx.respond(createResponse(tx.request, method === "REFER" ? 202 : 200, undefined, "uas-tag"));
          },
          { acceptBody: ["application/dtmf-relay"] },
        );
      }
    },
  });
});

afterEach(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack.close();
  peer.close();
  clock.dispose();
});

async function connect(password = PASSWORD): Promise<UnifyPhoneClient> {
  const client = await UnifyPhoneClient.connect({
    url: `wss://127.0.0.1:${stack.port}/ws`,
    userId: USER,
    password,
    ca: stack.ca,
  });
  clients.push(client);
  return client;
}

function respondWithSdp(tx: ServerTransaction, status: number, sdp: string): void {
  const response = createResponse(tx.request, status, undefined, "uas-tag");
  response.headers.set("contact", "<sip:uas@127.0.0.1;transport=ws>");
  response.headers.set("content-type", "application/sdp");
  response.body = Buffer.from(sdp);
  tx.respond(response);
}

function sdp(port: number, formats: string, direction: string, protocol = "RTP/AVP"): string {
  const maps: Record<string, string> = { "0": "PCMU/8000", "8": "PCMA/8000", "101": "telephone-event/8000" };
  return [
    "v=0",
    "o=- 1 1 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} ${protocol} ${formats}`,
    ...formats.split(" ").map((pt) => `a=rtpmap:${pt} ${maps[pt]}`),
    `a=${direction}`,
    "",
  ].join("\r\n");
}

/** The far end's answer: PCMA + telephone-event on the peer's port, direction mirrored (RFC 3264 §6.1). */
function answerTo(offer: SipRequest): string {
  const offered = /a=(sendrecv|sendonly|recvonly|inactive)/.exec(offer.body.toString())?.[1] ?? "sendrecv";
  const mirrored = { sendonly: "recvonly", recvonly: "sendonly" }[offered as "sendonly"] ?? offered;
  return sdp(peer.port, "8 101", mirrored);
}

/** The client's RTP port as its SDP (offer or answer) says. */
function clientRtpPort(body: Buffer): number {
  return Number(/m=audio (\d+)/.exec(body.toString())![1]);
}

function lastRequest(method: string): SipRequest {
  const found = requests.filter((r) => r.method === method).at(-1);
  expect(found, `a ${method} reached the far end`).toBeDefined();
  return found!;
}

async function establishedCall(): Promise<{ client: UnifyPhoneClient; call: ClientCall; rtpPort: number }> {
  const client = await connect();
  await client.register();
  const call = await client.call(NUMBER);
  return { client, call, rtpPort: clientRtpPort(lastRequest("INVITE").body) };
}

describe("UnifyPhoneClient registration", () => {
  it("registers as sip:<userId>@<domain> with digest and unregisters", async () => {
    const client = await connect();
    expect(client.aor).toBe(`sip:${USER}@${REALM}`);
    await client.register();
    expect(client.registered).toBe(true);
    const [binding] = registrar.bindings.forUser(USER);
    expect(binding).toMatchObject({ transport: "WSS", userAgent: expect.stringContaining("SIP.js") });
    expect(binding!.contact).toMatch(/;transport=ws$/);
    await client.unregister();
    expect(registrar.bindings.forUser(USER)).toEqual([]);
    expect(presence.map((e) => [e.status, e.reason])).toEqual([
      ["online", "registered"],
      ["offline", "unregistered"],
    ]);
  });

  it("rejects register() with the 403 of a wrong password", async () => {
    const client = await connect("not-the-password");
    const error = await client.register().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientRegistrationError);
    expect((error as ClientRegistrationError).status).toBe(403);
    expect(client.registered).toBe(false);
  });

  it("closes its WebSocket on close(); the registrar no longer knows it", async () => {
    const client = await connect();
    await client.register();
    await client.close();
    await until(() => stack.closed.length === 1);
    expect(registrar.bindings.forUser(USER)).toEqual([]);
  });
});

describe("UnifyPhoneClient outgoing calls", () => {
  it("offers G.711 and telephone-event, sends and echoes real RTP, hangs up with BYE", async () => {
    const { call, rtpPort } = await establishedCall();
    const invite = lastRequest("INVITE");
    expect(invite.uri).toBe(`sip:${NUMBER}@${REALM}`);
    const offer = invite.body.toString();
    expect(offer).toMatch(/m=audio \d+ RTP\/AVP 8 0 101/);
    expect(offer).toContain("a=rtpmap:101 telephone-event/8000");
    expect(call.state).toBe("established");
    expect(call.direction).toBe("outgoing");
    expect(call.remote).toBe(NUMBER);
    // Nothing to echo yet: G.711 A-law silence every 20 ms.
    await until(() => peer.packets.length >= 3);
    expect(peer.packets[0]).toMatchObject({ payloadType: 8 });
    expect(peer.packets[0]!.payload).toEqual(Buffer.alloc(160, 0xd5));
    // Echo, checked by content: what the far end sends comes back.
    const pattern = (i: number) => Buffer.alloc(160, 0x10 + i);
    for (let i = 0; i < 5; i++) peer.send(rtpPort, 8, 1000 + i, pattern(i));
    await until(() => peer.packets.some((p) => p.payload.equals(pattern(4))));
    const echoed = peer.packets.filter((p) => p.payload[0]! >= 0x10 && p.payload[0]! < 0x15);
    expect(echoed.map((p) => p.payload[0])).toEqual([0x10, 0x11, 0x12, 0x13, 0x14]);
    expect(call.stats.packetsReceived).toBe(5);
    expect(call.stats.packetsLost).toBe(0);
    await call.hangup();
    expect(lastRequest("BYE").callId).toBe(call.callId);
    expect(call.state).toBe("terminated");
    const sent = call.stats.packetsSent;
    expect(sent).toBeGreaterThan(5);
  });

  it("rejects call() with the far end's final status", async () => {
    answerInvite = (tx) => tx.respond(createResponse(tx.request, 486, "Busy Here", "uas-tag"));
    const client = await connect();
    await client.register();
    await expect(client.call(NUMBER)).rejects.toMatchObject({ status: 486, reason: "Busy Here" });
  });

  it("holds with a sendonly re-INVITE and resumes with sendrecv", async () => {
    const { call } = await establishedCall();
    await call.hold();
    expect(lastRequest("INVITE").body.toString()).toContain("a=sendonly");
    expect(call.mediaDirection).toBe("sendonly");
    await call.unhold();
    expect(lastRequest("INVITE").body.toString()).toContain("a=sendrecv");
    expect(call.mediaDirection).toBe("sendrecv");
  });

  it("sends DTMF as RFC 4733 events and as SIP INFO", async () => {
    const { call } = await establishedCall();
    await call.sendDtmf("1#");
    const events = peer.packets.filter((p) => p.payloadType === 101);
    const ends = events.filter((p) => (p.payload[1]! & 0x80) !== 0);
    // Per digit: 5 packets of one event (first with the marker bit), the last 3 marked end.
    expect(events.map((p) => p.payload[0])).toEqual([1, 1, 1, 1, 1, 1, 1, 11, 11, 11, 11, 11, 11, 11]);
    expect(events.filter((p) => p.marker)).toHaveLength(2);
    expect(ends).toHaveLength(6);
    expect(ends.every((p) => p.payload.readUInt16BE(2) === 800)).toBe(true);
    expect(new Set(events.slice(0, 7).map((p) => p.timestamp)).size).toBe(1);
    expect(call.stats.dtmfSent).toBe("1#");
    await call.sendDtmf("5", { via: "info" });
    const info = lastRequest("INFO");
    expect(info.headers.get("content-type")).toBe("application/dtmf-relay");
    expect(info.body.toString()).toContain("Signal=5");
  });

  it("records digits the far end sends by SIP INFO (application/dtmf-relay)", async () => {
    const { call } = await establishedCall();
    sendInDialog(call, "INFO", ["Content-Type: application/dtmf-relay"], "Signal=9\r\nDuration=160\r\n");
    await until(() => responseTo("INFO") !== undefined);
    expect(responseTo("INFO")!.status).toBe(200);
    expect(call.infoDtmfReceived).toBe("9");
  });

  it("transfers with REFER and records the NOTIFY progress", async () => {
    const { call } = await establishedCall();
    await call.transfer("2131");
    expect(lastRequest("REFER").headers.get("refer-to")).toContain(`sip:2131@${REALM}`);
    sendInDialog(
      call,
      "NOTIFY",
      [
        "Event: refer",
        "Subscription-State: terminated;reason=noresource",
        "Content-Type: message/sipfrag;version=2.0",
      ],
      "SIP/2.0 200 OK\r\n",
    );
    await until(() => responseTo("NOTIFY") !== undefined);
    expect(responseTo("NOTIFY")!.status).toBe(200);
    expect(call.transferProgress).toEqual(["SIP/2.0 200 OK"]);
  });
});

describe("UnifyPhoneClient incoming calls", () => {
  it("rings, answers with an SDP answer, detects RFC 4733 DTMF and ends on BYE", async () => {
    const client = await connect();
    await client.register();
    const incoming: ClientCall[] = [];
    client.onIncoming((call) => incoming.push(call));
    const dialog = sendInvite(sdp(peer.port, "0 101", "sendrecv"));
    await until(() => incoming.length === 1 && responseTo("INVITE", dialog.callId, 180) !== undefined);
    const call = incoming[0]!;
    expect(call).toMatchObject({ direction: "incoming", remote: NUMBER, state: "ringing" });
    await call.answer();
    await until(() => responseTo("INVITE", dialog.callId, 200) !== undefined);
    const ok = responseTo("INVITE", dialog.callId, 200)!;
    const answer = ok.body.toString();
    expect(answer).toMatch(/m=audio \d+ RTP\/AVP 0 101/);
    expect(answer).toContain("a=sendrecv");
    sendAck(dialog, ok);
    const rtpPort = clientRtpPort(ok.body);
    await until(() => peer.packets.some((p) => p.payloadType === 0));
    expect(peer.packets.find((p) => p.payloadType === 0)!.payload).toEqual(Buffer.alloc(160, 0xff));
    // Digit 7: two progress packets, then the end packet three times (one digit, not three).
    for (const [i, end] of [false, false, true, true, true].entries()) {
      peer.send(rtpPort, 101, 50 + i, Buffer.from([7, end ? 0x8a : 0x0a, 0x01, 0x40]), { timestamp: 4242 });
    }
    await until(() => call.stats.dtmfReceived === "7");
    sendRequestTo(ok, dialog, "BYE");
    await call.ended();
    await until(() => responseTo("BYE", dialog.callId) !== undefined);
    expect(responseTo("BYE", dialog.callId)!.status).toBe(200);
    expect(call.state).toBe("terminated");
  });

  it("rejects an incoming call with the status asked for", async () => {
    const client = await connect();
    await client.register();
    client.onIncoming((call) => void call.reject(486));
    const dialog = sendInvite(sdp(peer.port, "0 101", "sendrecv"));
    await until(() => responseTo("INVITE", dialog.callId, 486) !== undefined);
  });

  it("answers an offer with SRTP only 488 and reports why", async () => {
    const client = await connect();
    await client.register();
    const failures: unknown[] = [];
    client.onIncoming((call) => void call.answer().catch((e: unknown) => failures.push(e)));
    const dialog = sendInvite(sdp(peer.port, "0 101", "sendrecv", "RTP/SAVP"));
    await until(() => failures.length === 1 && responseTo("INVITE", dialog.callId, 488) !== undefined);
    expect(failures[0]).toMatchObject({ status: 488, message: expect.stringContaining("RTP/SAVP") });
    expect(responseTo("INVITE", dialog.callId, 200)).toBeUndefined();
  });
});

interface TestDialog {
  readonly callId: string;
  readonly fromTag: string;
  readonly connectionId: string;
  readonly contact: string;
}

/** An INVITE from the "PBX side" to the registered client, on its WebSocket. */
function sendInvite(body: string): TestDialog {
  const [binding] = registrar.bindings.forUser(USER);
  const dialog = {
    callId: `in-${randomBytes(4).toString("hex")}`,
    fromTag: randomBytes(4).toString("hex"),
    connectionId: binding!.connectionId,
    contact: binding!.contact,
  };
  send(
    dialog.connectionId,
    [
      `INVITE ${dialog.contact} SIP/2.0`,
      viaLine(),
      "Max-Forwards: 70",
      `From: <sip:${NUMBER}@${REALM}>;tag=${dialog.fromTag}`,
      `To: <sip:${USER}@${REALM}>`,
      `Call-ID: ${dialog.callId}`,
      "CSeq: 1 INVITE",
      "Contact: <sip:pbx@127.0.0.1;transport=ws>",
      "Content-Type: application/sdp",
    ],
    body,
  );
  return dialog;
}

function sendAck(dialog: TestDialog, ok: SipResponse): void {
  sendRequestTo(ok, dialog, "ACK", 1);
}

/** An in-dialog request of the test's INVITE dialog, toward the Contact the client answered with. */
function sendRequestTo(ok: SipResponse, dialog: TestDialog, method: string, cseq = 2): void {
  const target = /<([^>]+)>/.exec(ok.headers.get("contact")!)![1]!;
  send(dialog.connectionId, [
    `${method} ${target} SIP/2.0`,
    viaLine(),
    "Max-Forwards: 70",
    `From: <sip:${NUMBER}@${REALM}>;tag=${dialog.fromTag}`,
    `To: ${ok.headers.get("to")}`,
    `Call-ID: ${dialog.callId}`,
    `CSeq: ${cseq} ${method}`,
  ]);
}

/** An in-dialog request of a dialog the client started (its INVITE reached our scripted UAS). */
function sendInDialog(call: ClientCall, method: string, headers: string[], body: string): void {
  const invite = requests.find((r) => r.method === "INVITE" && r.callId === call.callId)!;
  const contact = /<([^>]+)>/.exec(invite.headers.get("contact")!)![1]!;
  const [binding] = registrar.bindings.forUser(USER);
  send(
    binding!.connectionId,
    [
      `${method} ${contact} SIP/2.0`,
      viaLine(),
      "Max-Forwards: 70",
      `From: ${invite.headers.get("to")};tag=uas-tag`,
      `To: ${invite.headers.get("from")}`,
      `Call-ID: ${call.callId}`,
      `CSeq: 101 ${method}`,
      "Contact: <sip:uas@127.0.0.1;transport=ws>",
      ...headers,
    ],
    body,
  );
}

function send(connectionId: string, head: string[], body = ""): void {
  const text = `${[...head, `Content-Length: ${Buffer.byteLength(body)}`].join("\r\n")}\r\n\r\n${body}`;
  const connection = stack.stack.transport.connections.get(connectionId)!;
  expect(connection.send(parseMessage(Buffer.from(text)))).toBe(true);
}

function viaLine(): string {
  return `Via: SIP/2.0/WSS 127.0.0.1:${stack.port};branch=z9hG4bK${randomBytes(6).toString("hex")}`;
}

/** The latest response the client sent for `method` (and Call-ID / status when given). */
function responseTo(method: string, callId?: string, status?: number): SipResponse | undefined {
  return stack.responses
    .filter(
      (r) =>
        r.cseq.method === method &&
        (callId === undefined || r.callId === callId) &&
        (status === undefined || r.status === status),
    )
    .at(-1);
}
