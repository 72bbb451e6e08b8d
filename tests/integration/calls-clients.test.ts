import dgram from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { type ClientCall, ClientCallError, UnifyPhoneClient } from "../../src/phone-client/index.js";
import type { SipRequest } from "../../src/sip/message/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

/*
 * Unify Phone clients (sip.js over WebSocket) in calls through the B2BUA: the PBX side is a
 * raw-SIP test UA on the trunk's TLS connection with a UDP socket as its media.
 */

const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        simultaneousCalls: 2
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
`;
const NUMBER = "+4923026672131";
const PASSWORD = "client-pass-1";

let emulator: EmulatorHandle;
let pbx: PbxTestUa;
let http: ReturnType<typeof httpClient>;
let rtp: dgram.Socket;
let tenantId: string;
let userId: string;
const clients: UnifyPhoneClient[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({
    adminToken: "clients-admin",
    seedText: SEED,
    rtpPorts: { min: 43000, max: 43999 },
  });
  http = httpClient(emulator);
  tenantId = emulator.store.tenants.list()[0]!.id;
  userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  const path = `/api/admin/tenants/${tenantId}/users/${userId}/client-password`;
  expect((await http.admin("PUT", path, { password: PASSWORD })).status).toBe(204);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  rtp = dgram.createSocket("udp4");
  await new Promise<void>((r) => rtp.bind(0, "127.0.0.1", () => r()));
});

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  rtp.close();
  pbx.close();
  await emulator.close();
});

async function client(options: { register?: boolean } = {}): Promise<UnifyPhoneClient> {
  const c = await UnifyPhoneClient.connect({
    url: `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`,
    userId,
    password: PASSWORD,
    ca: emulator.certificates.caCertPem!,
  });
  clients.push(c);
  if (options.register !== false) await c.register();
  return c;
}

function nextIncoming(c: UnifyPhoneClient): Promise<ClientCall> {
  return new Promise((resolve) => {
    const off = c.onIncoming((call) => {
      off();
      resolve(call);
    });
  });
}

async function setBehaviour(behaviour: Record<string, unknown>): Promise<void> {
  const res = await http.admin("PATCH", `/api/admin/tenants/${tenantId}/users/${userId}`, {
    callBehaviour: behaviour,
  });
  expect(res.status).toBe(200);
}

async function journalEntry(sipCallId: string) {
  const calls = (await http.admin("GET", "/api/admin/calls")).body;
  return calls.find((c: { legs: { callId: string }[] }) => c.legs.some((l) => l.callId === sipCallId));
}

function eventTypes(entry: { events: { type: string }[] }): string[] {
  return entry.events.map((e) => e.type);
}

function rtpPort(sdp: string): number {
  return Number(/^m=audio (\d+)/m.exec(sdp)![1]);
}

function rtpPacket(seq: number): Buffer {
  const header = Buffer.from([0x80, 8, 0, seq, 0, 0, 0, 160, 0, 0, 0x12, 0x34]);
  return Buffer.concat([header, Buffer.alloc(160, 0xd5)]);
}

/** The status of a client leg in the journal, once the emulator has it. */
async function clientLegStatus(pbxCallId: string, clientCallId: string): Promise<number> {
  let status: number | undefined;
  await until(async () => {
    const legs: { kind: string; callId: string; status?: number }[] = (await journalEntry(pbxCallId)).legs;
    status = legs.find((l) => l.kind === "client" && l.callId === clientCallId)?.status;
    return status !== undefined;
  });
  return status!;
}

/** CANCEL for an INVITE the PBX sent (same branch, CSeq method CANCEL). */
function cancelText(inviteText: string): string {
  return inviteText
    .replace(/^INVITE /, "CANCEL ")
    .replace(/CSeq: (\d+) INVITE/, "CSeq: $1 CANCEL")
    .replace(/Content-Type: application\/sdp\r\n/, "")
    .replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, "Content-Length: 0\r\n\r\n");
}

/** A request of the PBX as callee, inside the dialog of an INVITE it received and answered. */
function calleeRequest(invite: SipRequest, toTag: string, method: string, cseq: number): void {
  const contact = /<([^>]+)>/.exec(invite.headers.get("contact")!)![1];
  pbx.client.write(
    [
      `${method} ${contact} SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:${pbx.port};branch=z9hG4bK${cseq}callee${Date.now()}`,
      "Max-Forwards: 70",
      `From: ${invite.headers.get("to")};tag=${toTag}`,
      `To: ${invite.headers.get("from")}`,
      `Call-ID: ${invite.callId}`,
      `CSeq: ${cseq} ${method}`,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
}

describe("PBX → user with Unify Phone clients", () => {
  it("rings two clients; the first to answer wins, the other gets CANCEL; RTP flows PBX ↔ client", async () => {
    await setBehaviour({ routing: "clients-only" });
    const a = await client();
    const b = await client();
    const ringingA = nextIncoming(a);
    const ringingB = nextIncoming(b);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const [callA, callB] = await Promise.all([ringingA, ringingB]);
    expect(callA.remote).toBe(TRUNK.username);
    expect((await pbx.response(invite.callId, 180)).status).toBe(180);

    await callA.answer();
    const ok = await pbx.response(invite.callId, 200);
    expect(ok.status).toBe(200);
    pbx.ack(ok, invite);
    await callB.ended();
    expect(callB.state).toBe("terminated");
    await callA.established();

    // Anchored: the 200 carries the connector's address and a port of --rtp-ports, never the
    // client's; the PBX's RTP reaches the client through the relay, and the echo comes back.
    const answer = ok.body.toString();
    expect(answer).toMatch(/^c=IN IP4 127\.0\.0\.1/m);
    const anchoredPort = rtpPort(answer);
    expect(anchoredPort).toBeGreaterThanOrEqual(43000);
    expect(anchoredPort).toBeLessThanOrEqual(43999);
    const echoed = new Promise<Buffer>((resolve) => rtp.once("message", resolve));
    for (let seq = 1; seq <= 3; seq++) rtp.send(rtpPacket(seq), anchoredPort, "127.0.0.1");
    await until(() => callA.stats.packetsReceived >= 1);
    expect((await echoed).length).toBe(12 + 160);
    expect(anchoredPort).not.toBe(callA.stats.localPort);

    const entry = await journalEntry(invite.callId);
    expect(entry).toMatchObject({
      state: "answered",
      finalStatus: 200,
      media: { mode: "relay", localPort: anchoredPort },
      userId,
    });
    expect(entry.media.pbx).toMatchObject({ kind: "rtp", localPort: anchoredPort, codec: "PCMA" });
    expect(entry.media.client).toMatchObject({
      kind: "rtp",
      codec: "PCMA",
      remote: `127.0.0.1:${callA.stats.localPort}`,
    });
    // The client sends to the connector's client-leg port, not to the PBX.
    expect(callA.stats.remotePort).toBe(entry.media.client.localPort);
    expect(answer).not.toContain(String(callA.stats.localPort));
    expect(entry.legs.map((l: { kind: string }) => l.kind)).toEqual(["pbx", "client", "client"]);
    expect(await clientLegStatus(invite.callId, callA.callId)).toBe(200);
    expect(await clientLegStatus(invite.callId, callB.callId)).toBe(487);
    const answered = entry.events.find((e: { type: string }) => e.type === "answered");
    expect(answered.detail).toMatch(/^answered by client sip:/);

    // BYE from the PBX reaches the client.
    pbx.inDialog("BYE", ok);
    expect((await pbx.response(invite.callId, 200, "BYE")).status).toBe(200);
    await callA.ended();
    expect(await journalEntry(invite.callId)).toMatchObject({
      state: "ended",
      endedBy: "pbx",
      hangupCause: "BYE from the PBX",
    });
  });

  it("parallel (default): a client answering first cancels the ringing virtual user", async () => {
    await setBehaviour({ mode: "answer", ringMs: 60_000 });
    const a = await client();
    const ringing = nextIncoming(a);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const call = await ringing;
    await call.answer();
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    rtp.send(rtpPacket(1), rtpPort(ok.body.toString()), "127.0.0.1");
    await until(() => call.stats.packetsReceived >= 1);
    const entry = await journalEntry(invite.callId);
    expect(entry.media).toMatchObject({ mode: "relay", client: { kind: "rtp" } });
    expect(entry.legs.map((l: { kind: string }) => l.kind)).toEqual(["pbx", "virtual-user", "client"]);
    // The client hangs up: the PBX hears BYE.
    await call.hangup();
    const bye = await pbx.incoming("BYE", invite.callId);
    pbx.respond(bye, 200, "OK");
    expect(await journalEntry(invite.callId)).toMatchObject({
      state: "ended",
      endedBy: "user",
      hangupCause: "BYE from the client",
    });
  });

  it("parallel: the virtual user answering first (ringMs 0) cancels the clients", async () => {
    await setBehaviour({ mode: "answer", ringMs: 0 });
    const a = await client();
    const ringing = nextIncoming(a);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    const call = await ringing;
    await call.ended();
    expect(call.state).toBe("terminated");
    const entry = await journalEntry(invite.callId);
    expect(entry.media).not.toBeNull();
    expect(entry.events.find((e: { type: string }) => e.type === "answered").detail).toBe("answered");
    expect(await clientLegStatus(invite.callId, call.callId)).toBe(487);
  });

  it("the PBX's connection dropping ends the client's call with BYE, and the journal says why", async () => {
    await setBehaviour({ routing: "clients-only" });
    const a = await client();
    const ringing = nextIncoming(a);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const call = await ringing;
    await call.answer();
    pbx.ack(await pbx.response(invite.callId, 200), invite);
    await call.established();
    pbx.close();
    await call.ended();
    expect(await journalEntry(invite.callId)).toMatchObject({
      state: "ended",
      endedBy: "emulator",
      hangupCause: expect.stringMatching(/^PBX connection lost/),
    });
  });

  it("clients-only with no client registered: 480 naming the reason", async () => {
    await setBehaviour({ routing: "clients-only" });
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const res = await pbx.response(invite.callId);
    expect(res.status).toBe(480);
    expect(res.reason).toBe("Temporarily Unavailable: no client of the user is registered");
    pbx.ack(res, invite);
  });

  it("virtual-only ignores registered clients", async () => {
    await setBehaviour({ mode: "busy", routing: "virtual-only" });
    const a = await client();
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const res = await pbx.response(invite.callId);
    expect(res.status).toBe(486);
    pbx.ack(res, invite);
    expect(a.calls).toHaveLength(0);
    const entry = await journalEntry(invite.callId);
    expect(entry.legs.some((l: { kind: string }) => l.kind === "client")).toBe(false);
  });

  it("every client refusing: the PBX gets the best final response (6xx wins, RFC 3261 §16.7)", async () => {
    await setBehaviour({ routing: "clients-only" });
    const a = await client();
    const b = await client();
    const ringingA = nextIncoming(a);
    const ringingB = nextIncoming(b);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const [callA, callB] = await Promise.all([ringingA, ringingB]);
    await callA.reject(486, "Busy Here");
    await callB.reject(603, "Decline");
    const res = await pbx.response(invite.callId);
    expect(res.status).toBe(603);
    pbx.ack(res, invite);
    expect(await journalEntry(invite.callId)).toMatchObject({ state: "ended", finalStatus: 603 });
  });

  it("PBX without an offer: the connector offers in its 200 (the client's codec), the PBX's ACK answers it", async () => {
    await setBehaviour({ routing: "clients-only" });
    const a = await client();
    const ringing = nextIncoming(a);
    const invite = pbx.sendInvite(NUMBER, null);
    const call = await ringing;
    await call.answer();
    const ok = await pbx.response(invite.callId, 200);
    const clientOffer = ok.body.toString();
    expect(clientOffer).toMatch(/^a=sendrecv/m);
    // The connector's offer: a port of the range, the Node client's first codec (PCMA) only.
    expect(rtpPort(clientOffer)).toBeGreaterThanOrEqual(43000);
    expect(clientOffer).toMatch(/^m=audio \d+ RTP\/AVP 8 101$/m);
    pbx.ack(ok, invite, sdpOffer(rtp.address().port, { codecs: "8 101" }));
    await call.established();
    // The PBX leg learnt the PBX's address from its ACK: the client's echo comes back there.
    const echoed = new Promise<Buffer>((resolve) => rtp.once("message", resolve));
    rtp.send(rtpPacket(1), rtpPort(clientOffer), "127.0.0.1");
    expect((await echoed).subarray(12)).toEqual(rtpPacket(1).subarray(12));
  });

  it("a CANCEL from the PBX while the clients ring cancels the client leg", async () => {
    await setBehaviour({ routing: "clients-only" });
    const a = await client();
    const ringing = nextIncoming(a);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const call = await ringing;
    await pbx.response(invite.callId, 180);
    pbx.client.write(cancelText(invite.text));
    expect((await pbx.response(invite.callId, 200, "CANCEL")).status).toBe(200);
    const final = await pbx.response(invite.callId);
    expect(final.status).toBe(487);
    pbx.ack(final, invite);
    await call.ended();
    const entry = await journalEntry(invite.callId);
    expect(entry).toMatchObject({ finalStatus: 487, hangupCause: "cancelled by the PBX" });
    expect(await clientLegStatus(invite.callId, call.callId)).toBe(487);
  });

  it("relays hold and retrieve both ways on the anchored legs, and INFO DTMF to the client", async () => {
    await setBehaviour({ routing: "clients-only" });
    const a = await client();
    const ringing = nextIncoming(a);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const call = await ringing;
    await call.answer();
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    await call.established();

    // The PBX holds: the client answers the relayed offer with recvonly.
    pbx.inDialog("INVITE", ok, {
      body: sdpOffer(rtp.address().port, { direction: "sendonly" }),
      contentType: "application/sdp",
    });
    const held = await pbx.response(invite.callId, 200);
    expect(held.body.toString()).toMatch(/a=recvonly/);
    pbx.ack(held, invite);
    await until(() => call.mediaDirection === "recvonly");
    expect((await journalEntry(invite.callId)).onHold).toBe(true);
    pbx.inDialog("INVITE", ok, { body: sdpOffer(rtp.address().port), contentType: "application/sdp" });
    const back = await pbx.response(invite.callId, 200);
    expect(back.body.toString()).toMatch(/a=sendrecv/);
    pbx.ack(back, invite);
    expect((await journalEntry(invite.callId)).onHold).toBe(false);

    // The client holds: the PBX gets the re-INVITE, its answer goes back, and it is ACKed.
    const holding = call.hold();
    const reinvite = await pbx.incoming("INVITE", invite.callId);
    expect(reinvite.body.toString()).toMatch(/a=sendonly/);
    // The PBX's re-INVITE offers the connector's port again, not the client's.
    expect(rtpPort(reinvite.body.toString())).toBe(rtpPort(ok.body.toString()));
    pbx.respond(reinvite, 200, "OK", { sdp: sdpOffer(rtp.address().port, { direction: "recvonly" }) });
    await holding;
    expect(await pbx.incoming("ACK", invite.callId)).toBeDefined();
    expect(call.mediaDirection).toBe("sendonly");

    // INFO DTMF from the PBX reaches the client and the journal.
    pbx.inDialog("INFO", ok, { body: "Signal=7\r\nDuration=160\r\n", contentType: "application/dtmf-relay" });
    expect((await pbx.response(invite.callId, 200, "INFO")).status).toBe(200);
    expect(call.infoDtmfReceived).toBe("7");

    const entry = await journalEntry(invite.callId);
    expect(entry.dtmf.map((d: { digit: string; via: string }) => `${d.digit}:${d.via}`)).toEqual(["7:info"]);
    expect(eventTypes(entry)).toEqual(expect.arrayContaining(["hold", "retrieve"]));
    expect(entry.onHold).toBe(true);
  });
});

describe("Unify Phone client → PBX", () => {
  it("goes to the trunk with the connector's anchored SDP; the PBX's answer comes back; BYE from the client reaches the PBX", async () => {
    const a = await client();
    const placing = a.call("+4930123456");
    const invite = await pbx.incoming("INVITE");
    expect(invite.from.uri.user).toBe(NUMBER);
    expect(invite.requestUri.user).toBe("+4930123456");
    // The PBX gets the connector's offer (a port of --rtp-ports), narrowed to the client's codecs.
    const offer = invite.body.toString();
    expect(offer).toMatch(/^a=rtpmap:8 PCMA\/8000/m);
    expect(offer).not.toMatch(/G722/);
    expect(rtpPort(offer)).toBeGreaterThanOrEqual(43000);
    expect(rtpPort(offer)).toBeLessThanOrEqual(43999);
    pbx.respond(invite, 180, "Ringing", { toTag: "callee" });
    pbx.respond(invite, 200, "OK", { sdp: sdpOffer(rtp.address().port), toTag: "callee" });
    const call = await placing;
    expect(await pbx.incoming("ACK", invite.callId)).toBeDefined();
    expect(call.state).toBe("established");

    // Media end to end through the relay: the PBX sends to the connector's port, the client
    // receives on its own; the client sends to the connector's client-leg port.
    rtp.send(rtpPacket(1), rtpPort(offer), "127.0.0.1");
    await until(() => call.stats.packetsReceived >= 1);
    expect(offer).not.toContain(String(call.stats.localPort));

    const entry = await journalEntry(invite.callId);
    expect(entry).toMatchObject({
      direction: "user-to-pbx",
      state: "answered",
      finalStatus: 200,
      media: { mode: "relay", localPort: rtpPort(offer), pbx: { codec: "PCMA" }, client: { kind: "rtp" } },
    });
    expect(call.stats.remotePort).toBe(entry.media.client.localPort);
    expect(entry.legs).toEqual([
      { kind: "client", callId: call.callId, status: 200, reason: "OK" },
      { kind: "pbx", callId: invite.callId },
    ]);

    // The client sends DTMF by INFO: journal, then the PBX.
    const dtmf = call.sendDtmf("4", { via: "info" });
    const info = await pbx.incoming("INFO", invite.callId);
    expect(info.body.toString()).toMatch(/Signal=4/);
    pbx.respond(info, 200, "OK");
    await dtmf;

    await call.hangup();
    const bye = await pbx.incoming("BYE", invite.callId);
    pbx.respond(bye, 200, "OK");
    expect(await journalEntry(invite.callId)).toMatchObject({
      state: "ended",
      endedBy: "user",
      hangupCause: "BYE from the client",
      dtmf: [expect.objectContaining({ digit: "4", via: "info" })],
    });
  });

  it("BYE from the PBX reaches the client", async () => {
    const a = await client();
    const placing = a.call("+4930123456");
    const invite = await pbx.incoming("INVITE");
    pbx.respond(invite, 200, "OK", { sdp: sdpOffer(rtp.address().port), toTag: "callee" });
    const call = await placing;
    await pbx.incoming("ACK", invite.callId);
    calleeRequest(invite, "callee", "BYE", 1);
    expect((await pbx.response(invite.callId, 200, "BYE")).status).toBe(200);
    await call.ended();
    expect(await journalEntry(invite.callId)).toMatchObject({
      endedBy: "pbx",
      hangupCause: "BYE from the PBX",
    });
  });

  it("a refusal of the PBX comes back to the client", async () => {
    const a = await client();
    const placing = a.call("+4930123456");
    const invite = await pbx.incoming("INVITE");
    pbx.respond(invite, 486, "Busy Here", { toTag: "callee" });
    await expect(placing).rejects.toMatchObject({ status: 486 });
    expect(await pbx.incoming("ACK", invite.callId)).toBeDefined();
  });

  it("without the trunk registered: 480 naming the trunk", async () => {
    const a = await client();
    pbx.close();
    await until(() => emulator.bindings().length === 0);
    const error = await a.call("+4930123456").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientCallError);
    expect((error as ClientCallError).status).toBe(480);
    expect((error as ClientCallError).reason).toMatch(/trunk gtc-001 is not registered/);
  });

  it("beyond the trunk's lines: 503 all trunk lines busy", async () => {
    const a = await client();
    for (const to of ["+4930000001", "+4930000002"]) {
      expect((await http.admin("POST", "/api/admin/calls", { fromUser: userId, to })).status).toBe(201);
      await pbx.incoming("INVITE");
    }
    const error = await a.call("+4930123456").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, reason: "Service Unavailable: all trunk lines busy (2/2)" });
  });

  it("an INVITE from a WebSocket without a registered client gets 403", async () => {
    const stranger = await client({ register: false });
    const error = await stranger.call("+4930123456").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientCallError);
    expect((error as ClientCallError).status).toBe(403);
  });
});
