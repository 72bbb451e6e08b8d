import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeG711 } from "../../src/media/g711.js";
import { parseUri } from "../../src/sip/message/index.js";
import { rawRefer, referNotify, Stage, types } from "../support/client-features-stage.js";
import { sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";
import { RawWsClient } from "../support/ws-support.js";

/*
 * Blind and attended transfer asked for by a Unify Phone client (REFER in its call): the
 * connector transfers on the PBX side with REFER, or bridges locally when the PBX refuses.
 */

let stage: Stage;

const TONE = encodeG711(
  Int16Array.from({ length: 160 }, (_, n) => Math.round(8000 * Math.sin((2 * Math.PI * n) / 8))),
  "PCMA",
);

function mediaPort(sdp: string): number {
  return Number(/^m=audio (\d+)/m.exec(sdp)![1]);
}

beforeEach(async () => {
  stage = await Stage.start();
});
afterEach(async () => {
  await stage.close();
});

describe("blind transfer from a client", () => {
  it("REFER on the PBX leg (Refer-To in the PBX's numbering, Referred-By the user); NOTIFYs relayed; the client's leg ends", async () => {
    const { pbx } = stage;
    const phone = await stage.client();
    const { ok, call } = await stage.pbxCalls(phone);

    const accepted = call.transfer("2132");
    const refer = await pbx.incoming("REFER", ok.callId);
    expect(refer.headers.get("refer-to")).toBe("<sip:2132@phoneapp.unify.com>");
    expect(refer.headers.get("referred-by")).toBe(`<sip:+4923026672131@phoneapp.unify.com>`);
    pbx.respond(refer, 202, "Accepted");
    await accepted;

    pbx.inDialog("NOTIFY", ok, referNotify("SIP/2.0 180 Ringing", false));
    expect((await pbx.response(ok.callId, 200, "NOTIFY")).status).toBe(200);
    pbx.inDialog("NOTIFY", ok, referNotify("SIP/2.0 200 OK", true));
    expect((await pbx.response(ok.callId, 200, "NOTIFY")).status).toBe(200);

    expect(await call.transferOutcome()).toBe("SIP/2.0 200 OK");
    expect(call.transferProgress).toEqual(["SIP/2.0 100 Trying", "SIP/2.0 180 Ringing", "SIP/2.0 200 OK"]);
    await call.ended();
    // RFC 5589 §6: the transferor hangs up its call with the transferee.
    const bye = await pbx.incoming("BYE", ok.callId);
    pbx.respond(bye, 200, "OK");
    const entry = await stage.untilEnded(ok.callId);
    expect(entry.hangupCause).toBe("transferred to 2132");
    expect(types(entry)).toEqual(expect.arrayContaining(["refer", "refer-accepted", "transferred"]));
  });

  it("the PBX answers REFER 501: the connector calls the target and relays the two PBX legs' media itself", async () => {
    const { pbx } = stage;
    const phone = await stage.client();
    const { ok, call, port: transfereePort } = await stage.pbxCalls(phone);

    await call.transfer("2132");
    const refer = await pbx.incoming("REFER", ok.callId);
    pbx.respond(refer, 501, "Not Implemented");

    // The connector's own call to the target, with an offer from its anchored port.
    const invite = await pbx.incoming("INVITE");
    expect(invite.callId).not.toBe(ok.callId);
    expect(parseUri(invite.uri).user).toBe("2132");
    const toTarget = mediaPort(invite.body.toString());
    pbx.respond(invite, 180, "Ringing", { toTag: "target" });
    const targetPort = await stage.rtpPort();
    pbx.respond(invite, 200, "OK", { sdp: sdpOffer(targetPort), toTag: "target" });
    await pbx.incoming("ACK", invite.callId);

    expect(await call.transferOutcome()).toBe("SIP/2.0 200 OK");
    expect(call.transferProgress).toEqual(["SIP/2.0 100 Trying", "SIP/2.0 180 Ringing", "SIP/2.0 200 OK"]);
    await call.ended();
    const transferred = await stage.entryOf(ok.callId);
    expect(types(transferred)).toEqual(expect.arrayContaining(["refer-refused-by-pbx", "transferred"]));
    const bridge = await stage.entryOf(invite.callId);
    expect(bridge.legs.map((l) => l.kind)).toEqual(["pbx", "pbx"]);
    expect(types(bridge)).toContain("transfer");

    // Media both ways through the connector: the transferee's RTP reaches the target and back.
    const toTransferee = mediaPort(ok.body.toString());
    await Promise.all([
      stage.talk(transfereePort, toTransferee, TONE, 10),
      stage.talk(targetPort, toTarget, TONE, 10),
    ]);
    await until(() => (stage.received.get(targetPort)?.length ?? 0) > 0, "RTP at the target");
    await until(() => (stage.received.get(transfereePort)?.length ?? 0) > 0, "RTP at the transferee");

    // The bridged calls end together: BYE on the transferee's leg brings BYE to the target's.
    pbx.inDialog("BYE", ok);
    expect((await pbx.response(ok.callId, 200, "BYE")).status).toBe(200);
    const bye = await pbx.incoming("BYE", invite.callId);
    pbx.respond(bye, 200, "OK");
    await stage.untilEnded(invite.callId);
  });

  it("bad REFERs → 400 with the reason (no Refer-To, a tel: URI, no number); the call goes on", async () => {
    const phone = await stage.client();
    const { call } = await stage.pbxCalls(phone);
    expect(await rawRefer(call, [])).toEqual({ status: 400, reason: "Bad Request: no Refer-To header" });
    expect(await rawRefer(call, ["Refer-To: <tel:+4930123>"])).toEqual({
      status: 400,
      reason: "Bad Request: Refer-To must be a SIP URI, not tel:",
    });
    expect(await rawRefer(call, ["Refer-To: <sip:phoneapp.unify.com>"])).toEqual({
      status: 400,
      reason: "Bad Request: Refer-To has no number to call in its user part",
    });
    expect(await rawRefer(call, ["Refer-To: <sip:2132@phoneapp.unify.com?Replaces=x>"])).toEqual({
      status: 400,
      reason: "Bad Request: the Replaces in Refer-To is malformed",
    });
    expect(call.state).toBe("established");
    const entry = await stage.entryOf(call.callId);
    expect(types(entry).filter((t) => t === "refer-refused")).toHaveLength(4);
  });
});

describe("REFER outside a call", () => {
  it("a client's REFER with no dialog → 481", async () => {
    const { emulator } = stage;
    const ws = await RawWsClient.connect(emulator.ports.https, emulator.certificates.caCertPem!);
    try {
      const response = await ws.request(
        [
          "REFER sip:connector@phoneapp.unify.com SIP/2.0",
          "Via: SIP/2.0/WSS refer.invalid;branch=z9hG4bK-refer-1",
          "Max-Forwards: 70",
          "From: <sip:us_x@phoneapp.unify.com>;tag=c1",
          "To: <sip:connector@phoneapp.unify.com>",
          "Call-ID: refer-no-call",
          "CSeq: 1 REFER",
          "Refer-To: <sip:2132@phoneapp.unify.com>",
          "Content-Length: 0",
          "",
          "",
        ].join("\r\n"),
      );
      expect(response.status).toBe(481);
    } finally {
      ws.close();
    }
  });
});

describe("attended transfer from a client", () => {
  it("REFER with Replaces naming the consultation call's PBX-side dialog; the PBX joins them", async () => {
    const { pbx } = stage;
    const phone = await stage.client();
    const first = await stage.pbxCalls(phone);
    const consult = await stage.clientCalls(phone, "2132");

    const accepted = first.call.attendedTransfer(consult.call);
    const refer = await pbx.incoming("REFER", first.ok.callId);
    const referTo = refer.headers.get("refer-to")!;
    const uri = parseUri(referTo.slice(1, -1));
    expect(uri.user).toBe("2132");
    const fromTag = consult.invite.from.params.tag;
    const toTag = consult.invite.to.params.tag;
    expect(uri.headers.Replaces).toBe(`${consult.invite.callId};to-tag=${toTag};from-tag=${fromTag}`);
    pbx.respond(refer, 202, "Accepted");
    await accepted;
    pbx.inDialog("NOTIFY", first.ok, referNotify("SIP/2.0 200 OK", true));
    await pbx.response(first.ok.callId, 200, "NOTIFY");

    expect(await first.call.transferOutcome()).toBe("SIP/2.0 200 OK");
    await first.call.ended();
    // RFC 3891: the PBX ends the replaced dialog; the client's consultation call ends with it.
    stage.sendAsCallee("BYE", consult.invite);
    await consult.call.ended();
    const entry = await stage.untilEnded(first.ok.callId);
    expect(entry.events.find((e) => e.type === "refer")?.detail).toContain("attended transfer to 2132");
    await stage.untilEnded(consult.invite.callId);
  });

  it("the PBX refuses the REFER: the held leg is retrieved, the connector relays the two PBX legs' media", async () => {
    const { pbx } = stage;
    const phone = await stage.client();
    const first = await stage.pbxCalls(phone);
    const held = first.call.hold();
    await stage.answerReinvite(first.ok.callId, "recvonly");
    await held;
    const consult = await stage.clientCalls(phone, "2132");

    await first.call.attendedTransfer(consult.call);
    const refer = await pbx.incoming("REFER", first.ok.callId);
    pbx.respond(refer, 405, "Method Not Allowed");
    // The first call was on hold: its PBX leg is offered sendrecv again before the bridge carries it.
    const retrieve = await stage.answerReinvite(first.ok.callId);
    expect(retrieve.body.toString()).toMatch(/a=sendrecv/);

    expect(await first.call.transferOutcome()).toBe("SIP/2.0 200 OK");
    await first.call.ended();
    await consult.call.ended();
    const entry = await stage.entryOf(first.ok.callId);
    expect(entry.state).toBe("answered");
    expect(types(entry)).toContain("transferred");

    // The PBX is not asked to renegotiate; its two legs now hear each other through the connector.
    await Promise.all([
      stage.talk(first.port, mediaPort(first.ok.body.toString()), TONE, 10),
      stage.talk(consult.port, mediaPort(consult.invite.body.toString()), TONE, 10),
    ]);
    await until(() => (stage.received.get(consult.port)?.length ?? 0) > 0, "RTP at the consulted party");
    await until(() => (stage.received.get(first.port)?.length ?? 0) > 0, "RTP at the transferee");

    // Joined: the consultation side's BYE ends the first call too.
    stage.sendAsCallee("BYE", consult.invite);
    const bye = await pbx.incoming("BYE", first.ok.callId);
    pbx.respond(bye, 200, "OK");
    await stage.untilEnded(first.ok.callId);
    await stage.untilEnded(consult.invite.callId);
  });

  it("Replaces naming no call of the user: 202, then a final NOTIFY 481", async () => {
    const phone = await stage.client();
    const { call } = await stage.pbxCalls(phone);
    const refused = new Promise<string>((resolve) => {
      call.session.delegate = {
        ...call.session.delegate,
        onNotify: (n) => {
          n.accept().catch(() => undefined);
          const line = (n.request.body ?? "").split(/\r?\n/)[0]!;
          if (!line.includes(" 100 ")) resolve(line);
        },
      };
    });
    const replaces = "Replaces=nope%3Bto-tag%3Da%3Bfrom-tag%3Db";
    expect((await rawRefer(call, [`Refer-To: <sip:2132@phoneapp.unify.com?${replaces}>`])).status).toBe(202);
    expect(await refused).toBe("SIP/2.0 481 Call/Transaction Does Not Exist");
    expect(call.state).toBe("established");
  });
});
