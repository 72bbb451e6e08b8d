import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseUri } from "../../src/sip/message/index.js";
import { rawRefer, referNotify, Stage, types } from "../support/client-features-stage.js";
import { sdpOffer } from "../support/pbx-test-ua.js";

/*
 * Blind and attended transfer asked for by a Unify Phone client (REFER in its call): the
 * connector transfers on the PBX side with REFER, or bridges locally when the PBX refuses.
 */

let stage: Stage;

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

  it("the PBX answers REFER 501: the connector calls the target and joins the two PBX legs (3pcc)", async () => {
    const { pbx } = stage;
    const phone = await stage.client();
    const { ok, call } = await stage.pbxCalls(phone);

    await call.transfer("2132");
    const refer = await pbx.incoming("REFER", ok.callId);
    pbx.respond(refer, 501, "Not Implemented");

    // The connector's own call to the target, without an offer (RFC 3725 flow I).
    const invite = await pbx.incoming("INVITE");
    expect(invite.callId).not.toBe(ok.callId);
    expect(parseUri(invite.uri).user).toBe("2132");
    expect(invite.body.length).toBe(0);
    pbx.respond(invite, 180, "Ringing", { toTag: "target" });
    const targetPort = await stage.rtpPort();
    pbx.respond(invite, 200, "OK", { sdp: sdpOffer(targetPort), toTag: "target" });

    // The transferee's leg is re-INVITEd with the target's offer; its answer goes in the target's ACK.
    const reinvite = await pbx.incoming("INVITE", ok.callId);
    expect(reinvite.body.toString()).toContain(`m=audio ${targetPort} `);
    const transfereePort = await stage.rtpPort();
    pbx.respond(reinvite, 200, "OK", { sdp: sdpOffer(transfereePort) });
    await pbx.incoming("ACK", ok.callId);
    const ack = await pbx.incoming("ACK", invite.callId);
    expect(ack.body.toString()).toContain(`m=audio ${transfereePort} `);

    expect(await call.transferOutcome()).toBe("SIP/2.0 200 OK");
    expect(call.transferProgress).toEqual(["SIP/2.0 100 Trying", "SIP/2.0 180 Ringing", "SIP/2.0 200 OK"]);
    await call.ended();
    const transferred = await stage.entryOf(ok.callId);
    expect(types(transferred)).toEqual(expect.arrayContaining(["refer-refused-by-pbx", "transferred"]));
    const bridge = await stage.entryOf(invite.callId);
    expect(bridge.legs.map((l) => l.kind)).toEqual(["pbx", "pbx"]);
    expect(types(bridge)).toContain("transfer");

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

  it("the PBX refuses the REFER: the two PBX legs are joined by the connector, both client legs end", async () => {
    const { pbx } = stage;
    const phone = await stage.client();
    const first = await stage.pbxCalls(phone);
    const consult = await stage.clientCalls(phone, "2132");

    await first.call.attendedTransfer(consult.call);
    const refer = await pbx.incoming("REFER", first.ok.callId);
    pbx.respond(refer, 405, "Method Not Allowed");

    // RFC 3725 flow I between the two PBX legs: offerless re-INVITE to one, its offer to the other.
    const toFirst = await pbx.incoming("INVITE", first.ok.callId);
    expect(toFirst.body.length).toBe(0);
    const firstPort = await stage.rtpPort();
    pbx.respond(toFirst, 200, "OK", { sdp: sdpOffer(firstPort) });
    const toConsult = await pbx.incoming("INVITE", consult.invite.callId);
    expect(toConsult.body.toString()).toContain(`m=audio ${firstPort} `);
    const consultPort = await stage.rtpPort();
    pbx.respond(toConsult, 200, "OK", { sdp: sdpOffer(consultPort) });
    const ackFirst = await pbx.incoming("ACK", first.ok.callId);
    expect(ackFirst.body.toString()).toContain(`m=audio ${consultPort} `);

    expect(await first.call.transferOutcome()).toBe("SIP/2.0 200 OK");
    await first.call.ended();
    await consult.call.ended();
    const entry = await stage.entryOf(first.ok.callId);
    expect(entry.state).toBe("answered");
    expect(types(entry)).toContain("transferred");

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
