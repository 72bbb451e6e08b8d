import dgram from "node:dgram";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import { startTestEmulator, TRUNK } from "../support/emulator.js";
import { httpClient } from "../support/http.js";
import { PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

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
      - { emailAddress: bo@acme.test, firstName: Bo, lastName: Busy, locale: de-DE, callno: "2132", system: osbiz-1 }
  - name: Other
    systems:
      - systemId: other-1
        numbering: { schema: international, countryCode: "49", areaCode: "89", pabxNumber: "555" }
        trunk: { username: "5550000001", password: "other-password-1" }
    users:
      - { emailAddress: zed@other.test, firstName: Zed, lastName: Other, locale: en-US, callno: "7000", system: other-1 }
`;

let emulator: EmulatorHandle;
let pbx: PbxTestUa;
let http: ReturnType<typeof httpClient>;
let rtp: dgram.Socket;

beforeEach(async () => {
  emulator = await startTestEmulator({
    adminToken: "calls-admin",
    seedText: SEED,
    rtpPorts: { min: 41000, max: 41999 },
  });
  http = httpClient(emulator);
  pbx = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
  expect((await pbx.register()).status).toBe(200);
  rtp = dgram.createSocket("udp4");
  await new Promise<void>((r) => rtp.bind(0, "127.0.0.1", () => r()));
});

afterEach(async () => {
  rtp.close();
  pbx.close();
  await emulator.close();
});

async function setBehaviour(email: string, behaviour: Record<string, unknown>): Promise<string> {
  const acme = (await http.admin("GET", "/api/admin/tenants")).body.find(
    (t: { name: string }) => t.name === "Acme",
  );
  const users = (await http.admin("GET", `/api/admin/tenants/${acme.id}/users?search=${email}`)).body.items;
  await http.admin("PATCH", `/api/admin/tenants/${acme.id}/users/${users[0].id}`, {
    callBehaviour: behaviour,
  });
  return users[0].id;
}

async function journal(callId?: string) {
  const calls = (await http.admin("GET", "/api/admin/calls")).body;
  return callId
    ? calls.find((c: { legs: { callId: string }[] }) => c.legs.some((l) => l.callId === callId))
    : calls;
}

function rtpPort(sdp: string): number {
  return Number(/^m=audio (\d+)/m.exec(sdp)![1]);
}

describe("PBX → user", () => {
  it("rings, answers with SDP, echoes RTP by content, and ends with BYE; the journal has it all", async () => {
    await setBehaviour("al@acme.test", { mode: "answer", ringMs: 50 });
    const invite = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    const ringing = await pbx.response(invite.callId, 180);
    expect(ringing.status).toBe(180);
    const ok = await pbx.response(invite.callId, 200);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("application/sdp");
    const answer = ok.body.toString();
    expect(answer).toMatch(/a=rtpmap:8 PCMA\/8000/);
    pbx.ack(ok, invite);

    const payload = Buffer.from("0102030405060708090a0b0c0d0e0f10".repeat(10), "hex");
    const echoed = new Promise<Buffer>((resolve) => rtp.once("message", (m) => resolve(m)));
    const packet = Buffer.concat([Buffer.from([0x80, 8, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4]), payload]);
    rtp.send(packet, rtpPort(answer), "127.0.0.1");
    const back = await echoed;
    expect(back[1]! & 0x7f).toBe(8);
    expect(back.subarray(12)).toEqual(payload);

    const callId = pbx.inDialog("BYE", ok);
    expect((await pbx.response(callId, 200, "BYE")).status).toBe(200);
    const entry = await journal(invite.callId);
    expect(entry).toMatchObject({
      direction: "pbx-to-user",
      state: "ended",
      finalStatus: 200,
      endedBy: "pbx",
      hangupCause: "BYE from the PBX",
      from: TRUNK.username,
      to: "+4923026672131",
      trunk: "gtc-001",
    });
    expect(entry.media.stats.packetsReceived).toBeGreaterThanOrEqual(1);
    expect(entry.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["invite", "ringing", "answered", "ack", "ended"]),
    );
  });

  it("finds the user by 0049…, +49… and by the internal callno form", async () => {
    await setBehaviour("al@acme.test", { mode: "busy" });
    for (const dialed of ["004923026672131", "+4923026672131"]) {
      const inv = pbx.sendInvite(dialed, sdpOffer(rtp.address().port));
      expect((await pbx.response(inv.callId)).status).toBe(486);
    }
  });

  it.each([
    [{ mode: "busy" }, 486],
    [{ mode: "reject" }, 603],
    [{ mode: "unavailable" }, 480],
    [{ mode: "no-answer", ringMs: 100 }, 480],
  ])("behaviour %o answers %i", async (behaviour, status) => {
    await setBehaviour("al@acme.test", behaviour);
    const inv = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    const res = await pbx.response(inv.callId);
    expect(res.status).toBe(status);
    pbx.ack(res, inv);
    expect((await journal(inv.callId)).finalStatus).toBe(status);
  });

  it("forward: 302 with the target in Contact", async () => {
    await setBehaviour("al@acme.test", { mode: "forward", to: "+4930123456" });
    const inv = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    const res = await pbx.response(inv.callId);
    expect(res.status).toBe(302);
    expect(res.headers.get("contact")).toContain("+4930123456");
  });

  it("voicemail: answers and plays a tone", async () => {
    await setBehaviour("al@acme.test", { mode: "voicemail", ringMs: 10 });
    const inv = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    const ok = await pbx.response(inv.callId);
    expect(ok.status).toBe(200);
    pbx.ack(ok, inv);
    const packet = await new Promise<Buffer>((resolve) => rtp.once("message", resolve));
    expect(packet.length).toBe(12 + 160);
  });

  it("answers an unknown number with 404 naming the numbering plan, another tenant's user with 404", async () => {
    const unknown = pbx.sendInvite("2131", sdpOffer(rtp.address().port));
    const res = await pbx.response(unknown.callId);
    expect(res.status).toBe(404);
    expect(res.reason).toMatch(/numbering plan/);
    const foreign = pbx.sendInvite("+49895557000", sdpOffer(rtp.address().port));
    expect((await pbx.response(foreign.callId)).status).toBe(404);
  });

  it("refuses an INVITE from a connection that has not registered with 403", async () => {
    const stranger = await PbxTestUa.connect(emulator, TRUNK.username, TRUNK.password);
    const inv = stranger.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    const res = await stranger.response(inv.callId);
    expect(res.status).toBe(403);
    stranger.close();
  });

  it("refuses an SRTP-only offer with 488", async () => {
    const inv = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port, { srtpOnly: true }));
    const res = await pbx.response(inv.callId);
    expect(res.status).toBe(488);
    expect(res.reason).toMatch(/SRTP|SAVP/);
  });

  it("refuses the call beyond the trunk's simultaneous-call limit with 503, and takes it once a line is free", async () => {
    await setBehaviour("al@acme.test", { mode: "answer", ringMs: 0 });
    const answered = [];
    for (let i = 0; i < 2; i++) {
      const inv = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
      const ok = await pbx.response(inv.callId);
      pbx.ack(ok, inv);
      answered.push(ok);
    }
    const third = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    const busy = await pbx.response(third.callId);
    expect(busy.status).toBe(503);
    expect(busy.reason).toBe("Service Unavailable: all trunk lines busy (2/2)");
    expect((await journal(third.callId)).hangupCause).toBe("all trunk lines busy");
    pbx.inDialog("BYE", answered[0]!);
    await pbx.response(answered[0]!.callId, 200, "BYE");
    const fourth = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    expect((await pbx.response(fourth.callId)).status).toBe(200);
  });

  it("CANCEL before the answer gets 200 for the CANCEL and 487 for the INVITE", async () => {
    await setBehaviour("al@acme.test", { mode: "answer", ringMs: 5000 });
    const inv = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    await pbx.response(inv.callId, 180);
    const cancel = inv.text
      .replace(/^INVITE /, "CANCEL ")
      .replace(/CSeq: (\d+) INVITE/, "CSeq: $1 CANCEL")
      .replace(/Content-Type: application\/sdp\r\n/, "")
      .replace(/Content-Length: \d+\r\n\r\n[\s\S]*$/, "Content-Length: 0\r\n\r\n");
    pbx.client.write(cancel);
    expect((await pbx.response(inv.callId, 200, "CANCEL")).status).toBe(200);
    const final = await pbx.response(inv.callId);
    expect(final.status).toBe(487);
    pbx.ack(final, inv);
    expect(await journal(inv.callId)).toMatchObject({
      finalStatus: 487,
      hangupCause: "cancelled by the PBX",
    });
  });
});

describe("in the call", () => {
  async function answeredCall() {
    await setBehaviour("al@acme.test", { mode: "answer", ringMs: 0 });
    const inv = pbx.sendInvite("+4923026672131", sdpOffer(rtp.address().port));
    const ok = await pbx.response(inv.callId);
    pbx.ack(ok, inv);
    return { inv, ok };
  }

  it("re-INVITE with sendonly holds (we answer recvonly), sendrecv retrieves", async () => {
    const { inv, ok } = await answeredCall();
    pbx.inDialog("INVITE", ok, {
      body: sdpOffer(rtp.address().port, { direction: "sendonly" }),
      contentType: "application/sdp",
    });
    const held = await pbx.response(inv.callId, 200);
    expect(held.body.toString()).toMatch(/a=recvonly/);
    pbx.ack(held, inv);
    expect((await journal(inv.callId)).onHold).toBe(true);
    pbx.inDialog("INVITE", ok, { body: sdpOffer(rtp.address().port), contentType: "application/sdp" });
    const back = await pbx.response(inv.callId, 200);
    expect(back.body.toString()).toMatch(/a=sendrecv/);
    const entry = await journal(inv.callId);
    expect(entry.onHold).toBe(false);
    expect(entry.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["hold", "retrieve"]),
    );
  });

  it("records DTMF from SIP INFO (dtmf-relay) and from RFC 4733 packets", async () => {
    const { inv, ok } = await answeredCall();
    pbx.inDialog("INFO", ok, { body: "Signal=5\r\nDuration=160\r\n", contentType: "application/dtmf-relay" });
    expect((await pbx.response(inv.callId, 200, "INFO")).status).toBe(200);
    const port = rtpPort(ok.body.toString());
    // RFC 4733: event 9, end bit on the last three packets, same timestamp.
    for (const [end, seq] of [
      [0, 10],
      [0, 11],
      [1, 12],
      [1, 13],
      [1, 14],
    ] as const) {
      const packet = Buffer.from([0x80, 101, 0, seq, 0, 0, 1, 0, 9, 8, 9, 9, end ? 0x8a : 0x0a, 0, 3, 0x20]);
      packet[12] = 9;
      packet[13] = end ? 0x8a : 0x0a;
      rtp.send(packet, port, "127.0.0.1");
    }
    const digits = async () =>
      (await journal(inv.callId)).dtmf.map((d: { digit: string; via: string }) => `${d.digit}:${d.via}`);
    await until(async () => (await digits()).length >= 2, "two DTMF digits in the journal");
    expect(await digits()).toEqual(["5:info", "9:rfc4733"]);
  });

  it("REFER: 202, NOTIFY progress as sipfrag, and a new call to the target over the trunk", async () => {
    const { inv, ok } = await answeredCall();
    pbx.inDialog("REFER", ok, {
      headers: ["Refer-To: <sip:+4930999@phoneapp.unify.com>", "Referred-By: <sip:2000@pbx>"],
    });
    expect((await pbx.response(inv.callId, 200, "REFER")).status).toBe(202);
    const trying = await pbx.incoming("NOTIFY", inv.callId);
    expect(trying.body.toString()).toMatch(/^SIP\/2\.0 100 Trying/);
    expect(trying.headers.get("event")).toBe("refer");
    pbx.respond(trying, 200, "OK");
    const newInvite = await pbx.incoming("INVITE");
    expect(newInvite.requestUri.user).toBe("+4930999");
    expect(newInvite.from.uri.user).toBe("+4923026672131");
    pbx.respond(newInvite, 200, "OK", { sdp: sdpOffer(rtp.address().port), toTag: "target1" });
    const final = await pbx.client.waitFor(
      (m): m is typeof trying =>
        m.kind === "request" && m.method === "NOTIFY" && /200 OK/.test(m.body.toString()),
      10_000,
    );
    expect(final.headers.get("subscription-state")).toMatch(/^terminated/);
    pbx.respond(final, 200, "OK");
    expect(await pbx.incoming("ACK", newInvite.callId)).toBeDefined();
    expect((await journal(inv.callId)).events.map((e: { type: string }) => e.type)).toContain("transferred");
  });

  it("the PBX connection dropping ends its calls, and the journal says why", async () => {
    const { inv } = await answeredCall();
    pbx.close();
    await until(async () => (await journal(inv.callId)).state === "ended", "the call to end");
    const entry = await journal(inv.callId);
    expect(entry.hangupCause).toMatch(/^PBX connection lost/);
  });
});

describe("user → PBX", () => {
  it("sends the INVITE over the registered connection, From the user's E.164 number; hang-up sends BYE", async () => {
    const userId = await setBehaviour("al@acme.test", { mode: "answer" });
    const started = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930123456" });
    expect(started.status).toBe(201);
    const invite = await pbx.incoming("INVITE");
    expect(invite.from.uri.user).toBe("+4923026672131");
    expect(invite.requestUri.user).toBe("+4930123456");
    expect(invite.headers.get("content-type")).toBe("application/sdp");
    pbx.respond(invite, 180, "Ringing", { toTag: "callee" });
    pbx.respond(invite, 200, "OK", { sdp: sdpOffer(rtp.address().port), toTag: "callee" });
    await pbx.incoming("ACK", invite.callId);
    const answered = (await http.admin("GET", `/api/admin/calls/${started.body.id}`)).body;
    expect(answered).toMatchObject({ state: "answered", direction: "user-to-pbx", finalStatus: 200 });
    await http.admin("DELETE", `/api/admin/calls/${started.body.id}`);
    const bye = await pbx.incoming("BYE", invite.callId);
    pbx.respond(bye, 200, "OK");
    const ended = (await http.admin("GET", `/api/admin/calls/${started.body.id}`)).body;
    expect(ended).toMatchObject({ state: "ended", endedBy: "user", hangupCause: "hung up by the user" });
  });

  it("hang-up before the answer sends CANCEL", async () => {
    const userId = await setBehaviour("al@acme.test", { mode: "answer" });
    const started = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930123456" });
    const invite = await pbx.incoming("INVITE");
    pbx.respond(invite, 180, "Ringing", { toTag: "callee" });
    await new Promise((r) => setTimeout(r, 50));
    await http.admin("DELETE", `/api/admin/calls/${started.body.id}`);
    const cancel = await pbx.incoming("CANCEL", invite.callId);
    pbx.respond(cancel, 200, "OK");
    pbx.respond(invite, 487, "Request Terminated", { toTag: "callee" });
    await pbx.incoming("ACK", invite.callId);
    const ended = (await http.admin("GET", `/api/admin/calls/${started.body.id}`)).body;
    expect(ended).toMatchObject({ state: "ended", finalStatus: 487, hangupCause: "cancelled by the user" });
  });

  it("fails with 409 trunk_not_registered when the PBX is not connected, and journals it", async () => {
    const userId = await setBehaviour("al@acme.test", { mode: "answer" });
    pbx.close();
    await until(() => emulator.bindings().length === 0, "the binding to go with the connection");
    const res = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930123456" });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("trunk_not_registered");
    const entry = (await http.admin("GET", `/api/admin/calls/${res.body.callId}`)).body;
    expect(entry.hangupCause).toMatch(/not registered/);
  });
});
