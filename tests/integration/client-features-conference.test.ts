import { SessionState } from "sip.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeG711 } from "../../src/media/g711.js";
import { decodeG711 } from "../../src/media/mixer.js";
import { rawRefer, Stage, types } from "../support/client-features-stage.js";
import { until } from "../support/until.js";
import { WebRtcSipClient } from "../support/webrtc-sip-client.js";

/*
 * A 3-way conference mixed by the emulator: Al's client has a call from the PBX and a
 * consultation call, calls the conference factory and joins both (REFER with Replaces).
 */

let stage: Stage;

beforeEach(async () => {
  stage = await Stage.start();
});
afterEach(async () => {
  await stage.close();
});

function mediaPort(sdp: string): number {
  return Number(/^m=audio (\d+)/m.exec(sdp)![1]);
}

/** The loudest sample of a G.711 A-law payload. */
function peak(payload: Buffer): number {
  return Math.max(...[...decodeG711(payload, "PCMA")].map((s) => Math.abs(s)));
}

const TONE = encodeG711(
  Int16Array.from({ length: 160 }, (_, n) => Math.round(8000 * Math.sin((2 * Math.PI * n) / 8))),
  "PCMA",
);

describe("3-way conference mixed by the emulator", () => {
  it("each party hears the other two, not itself; journal marks; ending the conference ends both calls", async () => {
    const phone = await stage.client();
    const first = await stage.pbxCalls(phone);
    const held = first.call.hold();
    await stage.answerReinvite(first.ok.callId, "recvonly");
    await held;
    const consult = await stage.clientCalls(phone, "2132");

    const conferencing = phone.conference(first.call, consult.call);
    // The held call comes off hold as it joins.
    expect((await stage.answerReinvite(first.ok.callId)).body.toString()).toMatch(/a=sendrecv/);
    const focus = await conferencing;
    // The client legs of both calls are replaced by the conference.
    await first.call.ended();
    await consult.call.ended();
    expect(focus.state).toBe("established");
    focus.setMediaMode("silence");

    // The first call's far end talks (a tone); the consultation's far end is silent.
    const toFirst = mediaPort(first.ok.body.toString());
    const toConsult = mediaPort(consult.invite.body.toString());
    const silence = Buffer.alloc(160, 0xd5);
    await Promise.all([
      stage.talk(first.port, toFirst, TONE, 25),
      stage.talk(consult.port, toConsult, silence, 25),
    ]);
    const heardByConsult = stage.received.get(consult.port)!;
    const heardByFirst = stage.received.get(first.port)!;
    await until(() => heardByConsult.some((p) => peak(p) > 4000), "the tone at the consultation's far end");
    expect(heardByFirst.length).toBeGreaterThan(0);
    // N-1: the talker does not hear itself (the others are silent).
    expect(heardByFirst.every((p) => peak(p) < 200)).toBe(true);
    await until(() => focus.stats.packetsReceived > 0, "mixed audio at the client");

    // The journal counts the mixed packets on each PBX leg, both ways.
    for (const callId of [first.ok.callId, consult.invite.callId]) {
      const { id } = await stage.entryOf(callId);
      const media = (await stage.http.admin("GET", `/api/admin/calls/${id}`)).body.media;
      expect(media.pbx.stats.packetsReceived).toBeGreaterThan(0);
      expect(media.pbx.stats.packetsSent).toBeGreaterThan(0);
    }
    const entry = await stage.entryOf(first.ok.callId);
    expect(entry.state).toBe("answered");
    expect(types(entry)).toContain("conference");
    expect(types(await stage.entryOf(consult.invite.callId))).toContain("conference");

    await focus.hangup();
    for (const callId of [first.ok.callId, consult.invite.callId]) {
      const bye = await stage.pbx.incoming("BYE", callId);
      stage.pbx.respond(bye, 200, "OK");
      expect((await stage.untilEnded(callId)).hangupCause).toMatch(/^the conference call-\d+ ended$/);
    }
  });

  it("a browser (WebRTC) client as the conference's party: it hears the PBX side's tone, mixed", async () => {
    const phone = await stage.client();
    const first = await stage.pbxCalls(phone);
    const consult = await stage.clientCalls(phone, "2132");
    const browser = await WebRtcSipClient.connect({
      url: stage.wsUrl,
      userId: stage.userId,
      password: stage.password,
      ca: stage.emulator.certificates.caCertPem!,
    });
    try {
      const focus = await browser.call("conference");
      expect(focus.state).toBe(SessionState.Established);
      // The browser joins the Node client's calls: the same user, Replaces naming each dialog.
      for (const call of [first.call, consult.call]) {
        const { callId, localTag, remoteTag } = call.dialogId;
        const replaces = encodeURIComponent(`${callId};to-tag=${remoteTag};from-tag=${localTag}`);
        const dialog = focus.dialog!;
        const status = await new Promise<number>((resolve) => {
          const settle = (r: { message: { statusCode?: number } }) => resolve(r.message.statusCode ?? 0);
          dialog.refer(
            { onAccept: settle, onReject: settle },
            { extraHeaders: [`Refer-To: <sip:x@phoneapp.unify.com?Replaces=${replaces}>`] },
          );
        });
        expect(status).toBe(202);
        await call.ended();
      }
      const peer = browser.peers.at(-1)!;
      await stage.talk(first.port, mediaPort(first.ok.body.toString()), TONE, 25);
      await until(() => peer.received.length > 0, "mixed audio at the browser");
      expect(peer.received.every((p) => p.payloadType === 0)).toBe(true);
      await until(
        () => stage.received.get(consult.port)!.some((p) => peak(p) > 4000),
        "the tone at the consultation's far end",
      );
    } finally {
      await browser.close();
    }
  });

  it("REFER to the focus without Replaces → 400; Replaces naming no call → NOTIFY 481", async () => {
    const phone = await stage.client();
    const focus = await phone.call("conference");
    expect(await rawRefer(focus, ["Refer-To: <sip:2132@phoneapp.unify.com>"])).toEqual({
      status: 400,
      reason: "Bad Request: a REFER to the conference needs Replaces naming one of your calls",
    });
    const refused = new Promise<string>((resolve) => {
      focus.session.delegate = {
        ...focus.session.delegate,
        onNotify: (n) => {
          n.accept().catch(() => undefined);
          const line = (n.request.body ?? "").split(/\r?\n/)[0]!;
          if (!line.includes(" 100 ")) resolve(line);
        },
      };
    });
    const replaces = "Replaces=nope%3Bto-tag%3Da%3Bfrom-tag%3Db";
    expect((await rawRefer(focus, [`Refer-To: <sip:x@phoneapp.unify.com?${replaces}>`])).status).toBe(202);
    expect(await refused).toBe("SIP/2.0 481 Call/Transaction Does Not Exist");
  });
});
