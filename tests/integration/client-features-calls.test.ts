import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ClientCall, ClientCallError } from "../../src/phone-client/index.js";
import { AL, Stage, types } from "../support/client-features-stage.js";
import { sdpOffer } from "../support/pbx-test-ua.js";
import { until } from "../support/until.js";

/*
 * Hold/retrieve, consultation and alternate, and pickup from another device, for a Unify
 * Phone client's calls through the B2BUA, as the client and the PBX see them.
 */

let stage: Stage;

beforeEach(async () => {
  stage = await Stage.start();
});
afterEach(async () => {
  await stage.close();
});

function direction(sdp: string): string | undefined {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(sdp)?.[1];
}

describe("hold and retrieve", () => {
  it("from the client: the PBX gets re-INVITEs a=sendonly then a=sendrecv; the journal says hold, retrieve", async () => {
    const phone = await stage.client();
    const { ok, call } = await stage.pbxCalls(phone);
    const held = call.hold();
    const hold = await stage.answerReinvite(ok.callId, "recvonly");
    expect(direction(hold.body.toString())).toBe("sendonly");
    await held;
    expect(call.mediaDirection).toBe("sendonly");
    const retrieved = call.retrieve();
    const retrieve = await stage.answerReinvite(ok.callId, "sendrecv");
    expect(direction(retrieve.body.toString())).toBe("sendrecv");
    await retrieved;
    expect(call.mediaDirection).toBe("sendrecv");
    const entry = await stage.entryOf(ok.callId);
    expect(types(entry).filter((t) => t === "hold" || t === "retrieve")).toEqual(["hold", "retrieve"]);
  });

  it("from the PBX: the client answers recvonly to a=sendonly, sendrecv to the retrieve", async () => {
    const { pbx } = stage;
    const phone = await stage.client();
    const { ok, call } = await stage.pbxCalls(phone);
    const port = await stage.rtpPort();
    pbx.inDialog("INVITE", ok, {
      body: sdpOffer(port, { direction: "sendonly" }),
      contentType: "application/sdp",
    });
    const holdOk = await pbx.response(ok.callId, 200);
    expect(holdOk.status).toBe(200);
    expect(direction(holdOk.body.toString())).toBe("recvonly");
    pbx.ack(holdOk, { branch: "" });
    await until(() => call.mediaDirection === "recvonly", "the client's media to be recvonly");
    pbx.inDialog("INVITE", ok, { body: sdpOffer(port), contentType: "application/sdp" });
    const retrieveOk = await pbx.response(ok.callId, 200);
    expect(direction(retrieveOk.body.toString())).toBe("sendrecv");
    pbx.ack(retrieveOk, { branch: "" });
    await until(() => call.mediaDirection === "sendrecv", "the client's media to be sendrecv");
    const entry = await stage.entryOf(ok.callId);
    expect(types(entry)).toEqual(expect.arrayContaining(["hold", "retrieve"]));
  });
});

describe("hold right after answering", () => {
  it("the client's re-INVITE waits for the ACK that brings the answer to its late offer", async () => {
    const { pbx } = stage;
    const phone = await stage.client();
    const ringing = new Promise<ClientCall>((resolve) => {
      const off = phone.onIncoming((call) => {
        off();
        resolve(call);
      });
    });
    const invite = pbx.sendInvite(AL, sdpOffer(await stage.rtpPort()));
    const call = await ringing;
    await call.answer();
    // Hold at once, before the PBX's ACK (and so the connector's ACK to the client) went out.
    const held = call.hold();
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    const hold = await stage.answerReinvite(ok.callId, "recvonly");
    expect(direction(hold.body.toString())).toBe("sendonly");
    await held;
    expect(call.mediaDirection).toBe("sendonly");
    const retrieved = call.retrieve();
    expect(direction((await stage.answerReinvite(ok.callId)).body.toString())).toBe("sendrecv");
    await retrieved;
    expect(call.mediaDirection).toBe("sendrecv");
  });
});

describe("consultation and alternate", () => {
  it("a second call while the first is held; alternate holds one and retrieves the other", async () => {
    const phone = await stage.client();
    const first = await stage.pbxCalls(phone);
    const held = first.call.hold();
    await stage.answerReinvite(first.ok.callId, "recvonly");
    await held;

    const consult = await stage.clientCalls(phone, "2132");
    expect(consult.call.state).toBe("established");
    expect(phone.stats.activeCalls).toBe(2);

    // Alternate: hold the consultation, retrieve the first.
    const holdConsult = consult.call.hold();
    expect(direction((await stage.answerReinvite(consult.invite.callId, "recvonly")).body.toString())).toBe(
      "sendonly",
    );
    await holdConsult;
    const back = first.call.retrieve();
    expect(direction((await stage.answerReinvite(first.ok.callId)).body.toString())).toBe("sendrecv");
    await back;
    expect([first.call.mediaDirection, consult.call.mediaDirection]).toEqual(["sendrecv", "sendonly"]);
    const calls = (await stage.journal()).filter((c) => c.state !== "ended");
    expect(calls).toHaveLength(2);
  });

  it("lines: a call beyond the trunk's simultaneous calls is refused with 503, the others go on", async () => {
    const phone = await stage.client();
    const calls = [await stage.pbxCalls(phone)];
    for (const n of ["2132", "+4930111", "+4930222"])
      calls.push((await stage.clientCalls(phone, n)) as never);
    await expect(phone.call("+4930333")).rejects.toMatchObject({
      status: 503,
    } satisfies Partial<ClientCallError>);
    expect(phone.stats.activeCalls).toBe(4);
  });
});

describe("pickup from another device (INVITE with Replaces)", () => {
  it("the second client takes the call over, the first gets BYE; the PBX sees nothing, its RTP reaches the new device", async () => {
    const desk = await stage.client();
    const mobile = await stage.client();
    const ringingMobile = new Promise<void>((resolve) => {
      const off = mobile.onIncoming((call) => {
        off();
        call.ended().then(resolve, resolve);
      });
    });
    const { ok, call } = await stage.pbxCalls(desk);
    await ringingMobile; // the other device stopped ringing (CANCEL)

    // The PBX answers whatever renegotiation the takeover needs.
    const renegotiations: string[] = [];
    let stop = false;
    const answering = (async () => {
      while (!stop) {
        const reinvite = await stage.pbx.incoming("INVITE", ok.callId).catch(() => undefined);
        if (!reinvite) continue;
        renegotiations.push(reinvite.body.toString());
        stage.pbx.respond(reinvite, 200, "OK", { sdp: sdpOffer(await stage.rtpPort()) });
      }
    })();
    const taken = await mobile.pickup(call.dialogId);
    expect(taken.state).toBe("established");
    await call.ended();
    stop = true;
    // Anchored media: the new device gets a new client leg; the PBX is not asked to renegotiate.
    expect(renegotiations).toEqual([]);
    await stage.sendRtp(Number(/^m=audio (\d+)/m.exec(ok.body.toString())![1]), 5);
    await until(() => taken.stats.packetsReceived > 0, "RTP from the PBX at the new device");
    const entry = await stage.entryOf(ok.callId);
    expect(entry.state).toBe("answered");
    expect(types(entry)).toContain("pickup");
    expect(entry.legs.filter((l) => l.kind === "client" && l.status === 200)).toHaveLength(2);

    // The call lives on with the new device: its BYE reaches the PBX.
    await taken.hangup();
    const bye = await stage.pbx.incoming("BYE", ok.callId);
    stage.pbx.respond(bye, 200, "OK");
    await stage.untilEnded(ok.callId);
    void answering;
  });

  it("Replaces naming no dialog → 481", async () => {
    const phone = await stage.client();
    await expect(phone.pickup({ callId: "nope", localTag: "a", remoteTag: "b" })).rejects.toMatchObject({
      status: 481,
    });
  });
});
