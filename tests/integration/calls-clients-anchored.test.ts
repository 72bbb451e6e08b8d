import dgram from "node:dgram";
import type { Invitation, Session } from "sip.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";
import type { EmulatorHandle } from "../../src/index.js";
import { type ClientCall, UnifyPhoneClient } from "../../src/phone-client/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";
import type { BrowserPeer } from "../support/webrtc-browser-peer.js";
import { WebRtcSipClient } from "../support/webrtc-sip-client.js";

/*
 * Anchored media of client calls (issue 14): the PBX (a raw-SIP test UA with a UDP socket)
 * sees only the connector's ports from --rtp-ports; Node clients (plain RTP) and a werift
 * peer behind sip.js (WebRTC, as a browser) see the connector's too; packets are counted
 * on both legs, codecs must meet, and RTP fault rules bite on the client leg.
 */

const SEED = `
tenants:
  - name: Acme
    apiKey: acme-key-0001-t7m7w6ToB8iPQCFUNQuX
    systems:
      - systemId: osbiz-1
        simultaneousCalls: 4
        numbering: { schema: international, countryCode: "49", areaCode: "2302", pabxNumber: "667" }
        trunk: { username: "${TRUNK.username}", password: "${TRUNK.password}" }
    users:
      - { emailAddress: al@acme.test, firstName: Al, lastName: Ace, locale: de-DE, callno: "2131", system: osbiz-1 }
`;
const NUMBER = "+4923026672131";
const PASSWORD = "client-pass-1";
const RANGE = { min: 46200, max: 46399 };

let emulator: EmulatorHandle;
let pbx: PbxTestUa;
let http: ReturnType<typeof httpClient>;
let rtp: dgram.Socket;
let tenantId: string;
let userId: string;
const fromConnector: Buffer[] = [];
const closers: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: "anchor-admin", seedText: SEED, rtpPorts: RANGE });
  http = httpClient(emulator);
  tenantId = emulator.store.tenants.list()[0]!.id;
  userId = emulator.store.users.getByEmail(tenantId, "al@acme.test")!.id;
  const path = `/api/admin/tenants/${tenantId}/users/${userId}/client-password`;
  expect((await http.admin("PUT", path, { password: PASSWORD })).status).toBe(204);
  const behaviour = await http.admin("PATCH", `/api/admin/tenants/${tenantId}/users/${userId}`, {
    callBehaviour: { routing: "clients-only" },
  });
  expect(behaviour.status).toBe(200);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  rtp = dgram.createSocket("udp4");
  fromConnector.length = 0;
  rtp.on("message", (data) => fromConnector.push(data));
  await new Promise<void>((r) => rtp.bind(0, "127.0.0.1", () => r()));
});

afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((close) => close()));
  rtp.close();
  pbx.close();
  await emulator.close();
});

const wsUrl = () => `${emulator.urls.https.replace(/^https:/, "wss:")}/ws`;

async function nodeClient(): Promise<UnifyPhoneClient> {
  const c = await UnifyPhoneClient.connect({
    url: wsUrl(),
    userId,
    password: PASSWORD,
    ca: emulator.certificates.caCertPem!,
  });
  closers.push(() => c.close());
  await c.register();
  return c;
}

async function browserClient(): Promise<WebRtcSipClient> {
  const c = await WebRtcSipClient.connect({
    url: wsUrl(),
    userId,
    password: PASSWORD,
    ca: emulator.certificates.caCertPem!,
  });
  closers.push(() => c.close());
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

async function journalEntry(sipCallId: string) {
  const calls = (await http.admin("GET", "/api/admin/calls")).body;
  return calls.find((c: { legs: { callId: string }[] }) => c.legs.some((l) => l.callId === sipCallId));
}

function rtpPort(sdp: string): number {
  return Number(/^m=audio (\d+)/m.exec(sdp)![1]);
}

function inRange(port: number): boolean {
  return port >= RANGE.min && port <= RANGE.max;
}

function rtpPacket(seq: number, payloadType: number): Buffer {
  const header = Buffer.from([0x80, payloadType, 0, seq, 0, 0, 0, 160, 0, 0, 0x12, 0x34]);
  header.writeUInt32BE(seq * 160, 4);
  return Buffer.concat([header, Buffer.alloc(160, payloadType === 0 ? 0xff : 0xd5)]);
}

/** Sends `count` packets to the connector's PBX-leg port, one per 20 ms. */
async function pbxSends(port: number, count: number, payloadType = 8): Promise<void> {
  for (let seq = 1; seq <= count; seq++) {
    rtp.send(rtpPacket(seq, payloadType), port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * An RFC 4733 event from the werift "browser" on telephone-event/8000 (PT 126): werift sends
 * with its sender codec's payload type, so the codec is swapped for these packets.
 */
async function browserDigit(peer: BrowserPeer, event: number): Promise<void> {
  const sender = peer.pc.getTransceivers()[0]!.sender;
  const codec = sender.codec!;
  for (let i = 0; i < 6; i++) {
    const end = i >= 3 ? 0x80 : 0;
    const header = new RtpHeader({
      payloadType: 126,
      sequenceNumber: 500 + i,
      timestamp: 48_000,
      marker: i === 0,
    });
    sender.codec = new RTCRtpCodecParameters({ ...codec, payloadType: 126 });
    try {
      sender
        .sendRtp(new RtpPacket(header, Buffer.from([event, end | 10, 0, 160 * (i + 1)])))
        .catch(() => undefined);
    } finally {
      sender.codec = codec;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("anchored media with a Node (plain RTP) client", () => {
  it("PBX → client: counters on both legs; the journal shows both legs with their peers", async () => {
    const a = await nodeClient();
    const ringing = nextIncoming(a);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const call = await ringing;
    // Late offer: the client's INVITE has no SDP; it offers in its 200.
    await call.answer();
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    await call.established();
    const port = rtpPort(ok.body.toString());
    expect(inRange(port)).toBe(true);
    await pbxSends(port, 10);
    await until(() => call.stats.packetsReceived >= 10, "the client to receive the PBX's packets");
    // The client echoes: the PBX receives from the connector's port.
    await until(() => fromConnector.length >= 5, "the echo to reach the PBX");
    await until(async () => {
      const { media } = await journalEntry(invite.callId);
      return media.pbx.stats.packetsReceived >= 10 && media.client.stats.packetsReceived >= 5;
    }, "the journal's counters");
    const { media } = await journalEntry(invite.callId);
    expect(media).toMatchObject({
      mode: "relay",
      localPort: port,
      pbx: { kind: "rtp", codec: "PCMA", remote: `127.0.0.1:${rtp.address().port}` },
      client: { kind: "rtp", codec: "PCMA", remote: `127.0.0.1:${call.stats.localPort}` },
    });
    expect(media.pbx.stats.packetsSent).toBeGreaterThanOrEqual(5);
    expect(media.client.stats.packetsSent).toBeGreaterThanOrEqual(10);
    expect(inRange(media.client.localPort)).toBe(true);
    expect(media.client.stats.rtcp).toMatchObject({ cname: expect.any(String) });

    // At the end both legs' counters go to the journal (and the live stream) as one event.
    pbx.inDialog("BYE", ok);
    expect((await pbx.response(invite.callId, 200, "BYE")).status).toBe(200);
    await call.ended();
    const ended = await journalEntry(invite.callId);
    const summary = ended.events.find((e: { type: string }) => e.type === "media-summary");
    expect(summary.detail).toMatch(
      /^PBX leg rtp PCMA: sent \d+, received \d+, lost 0, .*; client leg rtp PCMA: sent/,
    );
  });

  it("maps telephone-event payload types: the PBX's 96, the client's 101 (RFC 4733 DTMF both ways)", async () => {
    const a = await nodeClient();
    const ringing = nextIncoming(a);
    const offer = [
      "v=0",
      "o=osbiz 1 1 IN IP4 127.0.0.1",
      "s=-",
      "c=IN IP4 127.0.0.1",
      "t=0 0",
      `m=audio ${rtp.address().port} RTP/AVP 8 96`,
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:96 telephone-event/8000",
      "a=fmtp:96 0-15",
      "a=sendrecv",
      "",
    ].join("\r\n");
    const invite = pbx.sendInvite(NUMBER, offer);
    const call = await ringing;
    await call.answer();
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    await call.established();
    expect(ok.body.toString()).toMatch(/^m=audio \d+ RTP\/AVP 8 96$/m);
    // The connector's answer comes in the ACK (late offer).
    await until(() => call.mediaDirection === "sendrecv", "the client to take the connector's answer");
    // The client's DTMF reaches the PBX as payload type 96.
    await call.sendDtmf("5");
    await until(() => fromConnector.some((p) => (p[1]! & 0x7f) === 96), "telephone-event at the PBX");
    expect(fromConnector.some((p) => (p[1]! & 0x7f) === 101)).toBe(false);
    // The PBX's digit 7 (event 7, end bit on the last packets) reaches the client as 101.
    const port = rtpPort(ok.body.toString());
    for (let i = 0; i < 6; i++) {
      const header = Buffer.from([
        0x80,
        i === 0 ? 0x80 | 96 : 96,
        0,
        100 + i,
        0,
        0,
        0x10,
        0,
        0,
        0,
        0x12,
        0x34,
      ]);
      const end = i >= 3 ? 0x80 : 0;
      const event = Buffer.from([7, end | 10, 0, 160 * (i + 1)]);
      rtp.send(Buffer.concat([header, event]), port, "127.0.0.1");
    }
    await until(() => call.stats.dtmfReceived === "7", "the digit at the client");
    await until(async () => (await journalEntry(invite.callId)).dtmf.length >= 2);
    const { dtmf } = await journalEntry(invite.callId);
    expect(dtmf.map((d: { digit: string }) => d.digit).sort()).toEqual(["5", "7"]);
  });

  it("an offerless re-INVITE from the PBX: the client offers, the PBX gets the connector's offer and answers in its ACK", async () => {
    const a = await nodeClient();
    const ringing = nextIncoming(a);
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port));
    const call = await ringing;
    await call.answer();
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    await until(() => call.mediaDirection === "sendrecv", "the client to take the connector's answer");
    const port = rtpPort(ok.body.toString());
    pbx.inDialog("INVITE", ok);
    const reoffer = await pbx.response(invite.callId, 200);
    // The connector's PBX leg offers (same port), never the client's address.
    expect(rtpPort(reoffer.body.toString())).toBe(port);
    expect(reoffer.body.toString()).not.toContain(String(call.stats.localPort));
    pbx.ack(reoffer, invite, sdpOffer(rtp.address().port));
    // Media still flows end to end.
    const before = call.stats.packetsReceived;
    await pbxSends(port, 10);
    await until(() => call.stats.packetsReceived >= before + 5, "audio after the re-INVITE");
    const { events } = await journalEntry(invite.callId);
    expect(events.some((e: { type: string }) => e.type === "media-error")).toBe(false);
  });

  it("PBX → client with no codec in common: the client gets ACK and BYE, the PBX 488", async () => {
    const a = await nodeClient();
    const ringing = nextIncoming(a);
    // G.722 only: the Node client speaks G.711 only.
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port, { codecs: "9 101" }));
    const call = await ringing;
    await call.answer().catch(() => undefined);
    const final = await pbx.response(invite.callId);
    expect(final.status).toBe(488);
    expect(final.reason).toMatch(/no common codec/);
    pbx.ack(final, invite);
    await call.ended();
    expect(await journalEntry(invite.callId)).toMatchObject({
      state: "ended",
      finalStatus: 488,
      media: null,
    });
  });

  it("client → PBX: an rtp.out drop rule on the call drops the relayed packets toward the client", async () => {
    const a = await nodeClient();
    const placing = a.call("+4930123456");
    const invite = await pbx.incoming("INVITE");
    const offer = invite.body.toString();
    expect(inRange(rtpPort(offer))).toBe(true);
    pbx.respond(invite, 200, "OK", { sdp: sdpOffer(rtp.address().port), toTag: "callee" });
    const call = await placing;
    await pbx.incoming("ACK", invite.callId);
    const entry = await journalEntry(invite.callId);
    const added = await http.admin("POST", "/api/admin/faults", {
      id: "client-leg-mute",
      layer: "rtp",
      match: { callId: entry.id, direction: "out" },
      action: { type: "drop", percent: 100 },
    });
    expect(added.status).toBe(201);
    await pbxSends(rtpPort(offer), 10);
    await until(async () => (await journalEntry(invite.callId)).media.pbx.stats.packetsReceived >= 10);
    // The relay built the packets (counted as sent) but the rule dropped them toward the client.
    const { media } = await journalEntry(invite.callId);
    expect(media.client.stats.packetsSent).toBeGreaterThanOrEqual(10);
    expect(call.stats.packetsReceived).toBe(0);
    const hits = (await http.admin("GET", "/api/admin/faults")).body;
    const rule = (Array.isArray(hits) ? hits : hits.rules).find(
      (r: { id: string }) => r.id === "client-leg-mute",
    );
    expect(rule.hits).toBeGreaterThanOrEqual(10);
  });
});

describe("anchored media with a WebRTC (browser) client", () => {
  it("browser → PBX: the PBX gets plain RTP/AVP from the connector's range; audio flows both ways", async () => {
    const browser = await browserClient();
    const placing = browser.call("+4930123456");
    const invite = await pbx.incoming("INVITE");
    const offer = invite.body.toString();
    expect(offer).toMatch(/^m=audio \d+ RTP\/AVP /m);
    expect(offer).not.toMatch(/fingerprint|ice-ufrag|candidate/);
    expect(inRange(rtpPort(offer))).toBe(true);
    pbx.respond(invite, 200, "OK", {
      sdp: sdpOffer(rtp.address().port, { codecs: "0 101" }),
      toTag: "callee",
    });
    const session: Session = await placing;
    expect(session.state).toBe("Established");
    await pbx.incoming("ACK", invite.callId);
    const peer = browser.peers[0]!;
    await until(() => peer.pc.connectionState === "connected", "ICE + DTLS with the connector");
    // Browser → PBX.
    await peer.send(10);
    await until(() => fromConnector.length >= 5, "the browser's audio at the PBX");
    // PBX → browser.
    await pbxSends(rtpPort(offer), 10, 0);
    await until(() => peer.received.length >= 5, "the PBX's audio at the browser");
    const { media } = await journalEntry(invite.callId);
    expect(media).toMatchObject({
      mode: "relay",
      pbx: { kind: "rtp", codec: "PCMU" },
      client: { kind: "webrtc", codec: "PCMU" },
    });
    expect(media.client.stats.packetsReceived).toBeGreaterThanOrEqual(5);
    expect(media.client.stats.packetsSent).toBeGreaterThanOrEqual(5);

    // The browser's RFC 4733 digit (as Chromium sends it: telephone-event/8000, PT 126) reaches
    // the PBX under the PBX's payload type and the journal.
    await browserDigit(peer, 9);
    await until(async () => (await journalEntry(invite.callId)).dtmf.length === 1, "the browser's digit");
    expect((await journalEntry(invite.callId)).dtmf[0]).toMatchObject({ digit: "9", via: "rfc4733" });
    await until(() => fromConnector.some((p) => (p[1]! & 0x7f) === 101), "the event at the PBX");

    // An rtp.in drop rule on the call bites on the WebRTC leg too: the browser's audio stops there.
    const entry = await journalEntry(invite.callId);
    const added = await http.admin("POST", "/api/admin/faults", {
      id: "browser-mute",
      layer: "rtp",
      match: { callId: entry.id, direction: "in" },
      action: { type: "drop", percent: 100 },
    });
    expect(added.status).toBe(201);
    const reached = fromConnector.length;
    await peer.send(10);
    const hits = async () => {
      const body = (await http.admin("GET", "/api/admin/faults")).body;
      return (Array.isArray(body) ? body : body.rules).find((r: { id: string }) => r.id === "browser-mute")
        .hits;
    };
    await until(async () => (await hits()) >= 10, "the rule to drop the browser's packets");
    expect(fromConnector.length).toBe(reached);
  });

  it("PBX → browser: late offer (the browser offers in its 200, the connector answers in the ACK); hold and retrieve from the PBX", async () => {
    const browser = await browserClient();
    const invite = pbx.sendInvite(NUMBER, sdpOffer(rtp.address().port, { codecs: "0 8 101" }));
    const invitation: Invitation = await browser.nextIncoming();
    expect(invitation.request.body ?? "").toBe("");
    await invitation.accept();
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    const answer = ok.body.toString();
    expect(answer).toMatch(/^m=audio \d+ RTP\/AVP 0 /m);
    expect(inRange(rtpPort(answer))).toBe(true);
    const peer = browser.peers[0]!;
    await until(() => peer.pc.connectionState === "connected", "ICE + DTLS with the connector");
    await pbxSends(rtpPort(answer), 10, 0);
    await until(() => peer.received.length >= 5, "the PBX's audio at the browser");
    await peer.send(10);
    await until(() => fromConnector.length >= 5, "the browser's audio at the PBX");
    const { media } = await journalEntry(invite.callId);
    expect(media.client).toMatchObject({ kind: "webrtc", codec: "PCMU" });

    // The PBX holds: the browser gets a re-INVITE from the connector (same ICE and DTLS,
    // a=sendonly) and answers it; the PBX gets the PBX leg's recvonly.
    pbx.inDialog("INVITE", ok, {
      body: sdpOffer(rtp.address().port, { direction: "sendonly", codecs: "0 101" }),
      contentType: "application/sdp",
    });
    const held = await pbx.response(invite.callId, 200);
    expect(held.body.toString()).toMatch(/^a=recvonly$/m);
    pbx.ack(held, invite);
    await until(async () => (await journalEntry(invite.callId)).media.client.direction === "sendonly");
    pbx.inDialog("INVITE", ok, {
      body: sdpOffer(rtp.address().port, { codecs: "0 101" }),
      contentType: "application/sdp",
    });
    const back = await pbx.response(invite.callId, 200);
    expect(back.body.toString()).toMatch(/^a=sendrecv$/m);
    pbx.ack(back, invite);
    expect(peer.pc.connectionState).toBe("connected");
    // Retrieved: the PBX's audio reaches the browser again over the same DTLS-SRTP.
    const before = peer.received.length;
    await pbxSends(rtpPort(answer), 10, 0);
    await until(() => peer.received.length >= before + 5, "audio after retrieve");
  });
});
