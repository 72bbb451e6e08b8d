import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import type { SipRequest } from "../../src/sip/message/index.js";
import { AL, emulatorWithPbx, journalOf, respondRaw, setAlBehaviour } from "../support/dialog-support.js";
import { TRUNK } from "../support/emulator.js";
import type { httpClient } from "../support/http.js";
import { type PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";

/**
 * The PBX side sits behind a record-routing proxy (Kamailio in front of a PBX, or the
 * PBX's own SBC): RFC 3261 §12.1 route sets, built from Record-Route on both sides, and
 * in-dialog requests with Route headers (loose routing, §12.2.1.1).
 */
let emulator: EmulatorHandle;
let pbx: PbxTestUa;
let http: ReturnType<typeof httpClient>;

// As the request reached us: the proxy nearest to us on top (each proxy adds its own on top).
const NEAR = "<sip:edge.pbx.test;lr>";
const FAR = "<sip:127.0.0.1:5070;transport=tls;lr>";

beforeEach(async () => {
  ({ emulator, http, pbx } = await emulatorWithPbx(44000));
});

afterEach(async () => {
  pbx.close();
  await emulator.close();
});

const routes = (request: SipRequest) => request.headers.getAll("route");

describe("as UAS (a call from the PBX)", () => {
  it("copies Record-Route into the 180 and the 200, and its BYE carries the route set as Route", async () => {
    await setAlBehaviour(http.admin, { mode: "answer", ringMs: 0 });
    const invite = pbx.sendInvite(AL, sdpOffer(40000), [`Record-Route: ${NEAR}`, `Record-Route: ${FAR}`]);
    const ringing = await pbx.response(invite.callId, 180);
    expect(ringing.headers.getAll("record-route")).toEqual([NEAR, FAR]);
    const ok = await pbx.response(invite.callId, 200);
    expect(ok.headers.getAll("record-route")).toEqual([NEAR, FAR]);
    pbx.ack(ok, invite);

    const call = await journalOf(http.admin, invite.callId);
    await http.admin("DELETE", `/api/admin/calls/${call.id}`);
    const bye = await pbx.incoming("BYE", invite.callId);
    // UAS route set = Record-Route in order; loose routing keeps the PBX's Contact as Request-URI.
    expect(routes(bye)).toEqual([NEAR, FAR]);
    expect(bye.uri).toBe(`sip:${TRUNK.username}@127.0.0.1:${pbx.port};transport=tls`);
    pbx.respond(bye, 200, "OK");
  });

  it("answers a re-INVITE with the Record-Route it carried, and no Record-Route where none came", async () => {
    await setAlBehaviour(http.admin, { mode: "answer", ringMs: 0 });
    const invite = pbx.sendInvite(AL, sdpOffer(40002));
    const ok = await pbx.response(invite.callId, 200);
    expect(ok.headers.has("record-route")).toBe(false);
    pbx.ack(ok, invite);
    const reinvite = pbx.inDialog("INVITE", ok, {
      body: sdpOffer(40002, { direction: "sendonly" }),
      contentType: "application/sdp",
      headers: [`Record-Route: ${NEAR}`],
    });
    const reOk = await pbx.response(reinvite, 200);
    expect(reOk.headers.getAll("record-route")).toEqual([NEAR]);
  });
});

describe("as UAC (a call toward the PBX)", () => {
  it("takes the route set from the 200's Record-Route reversed: ACK and BYE carry it as Route", async () => {
    const userId = await setAlBehaviour(http.admin, { mode: "answer" });
    const started = await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930123456" });
    expect(started.status).toBe(201);
    const invite = await pbx.incoming("INVITE");
    const contact = `<sip:callee@127.0.0.1:${pbx.port};transport=tls>`;
    // Record-Route as the PBX's proxy returns it: the entry nearest to the PBX on top.
    const recordRoute = [`Record-Route: ${FAR}`, `Record-Route: ${NEAR}`];
    respondRaw(pbx.client, invite, 180, "Ringing", { toTag: "callee", contact, headers: recordRoute });
    respondRaw(pbx.client, invite, 200, "OK", {
      toTag: "callee",
      contact,
      headers: recordRoute,
      sdp: sdpOffer(40004),
    });
    const ack = await pbx.incoming("ACK", invite.callId);
    // UAC route set = Record-Route reversed (RFC 3261 §12.1.2): the proxy nearest to us first.
    expect(routes(ack)).toEqual([NEAR, FAR]);
    expect(ack.uri).toBe(`sip:callee@127.0.0.1:${pbx.port};transport=tls`);

    await http.admin("DELETE", `/api/admin/calls/${started.body.id}`);
    const bye = await pbx.incoming("BYE", invite.callId);
    expect(routes(bye)).toEqual([NEAR, FAR]);
    expect(bye.uri).toBe(`sip:callee@127.0.0.1:${pbx.port};transport=tls`);
    pbx.respond(bye, 200, "OK");
  });
});
