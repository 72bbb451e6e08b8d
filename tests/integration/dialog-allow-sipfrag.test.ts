import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmulatorHandle } from "../../src/index.js";
import type { SipMessage, SipRequest } from "../../src/sip/message/index.js";
import { AL, emulatorWithPbx, setAlBehaviour } from "../support/dialog-support.js";
import { TRUNK } from "../support/emulator.js";
import type { httpClient } from "../support/http.js";
import { type PbxTestUa, sdpOffer } from "../support/pbx-test-ua.js";

let emulator: EmulatorHandle;
let pbx: PbxTestUa;
let http: ReturnType<typeof httpClient>;

beforeEach(async () => {
  ({ emulator, http, pbx } = await emulatorWithPbx(44900));
});

afterEach(async () => {
  pbx.close();
  await emulator.close();
});

function outOfDialog(method: string): string {
  return [
    `${method} sip:phoneapp.unify.com SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:${pbx.port};branch=z9hG4bK${randomBytes(8).toString("hex")}`,
    "Max-Forwards: 70",
    `From: <sip:${TRUNK.username}@phoneapp.unify.com>;tag=${randomBytes(4).toString("hex")}`,
    "To: <sip:phoneapp.unify.com>",
    `Call-ID: ${randomBytes(8).toString("hex")}`,
    `CSeq: 1 ${method}`,
    ...(method === "SUBSCRIBE" || method === "NOTIFY" ? ["Event: presence"] : []),
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

const allowOf = (m: SipMessage) =>
  m.headers
    .getAll("allow")
    .map((v) => v.trim())
    .sort();

describe("one Allow list everywhere", () => {
  it("OPTIONS, a 2xx to INVITE, a 405 and the INVITEs we send advertise the same methods", async () => {
    const options = await pbx.client.request(outOfDialog("OPTIONS"));
    const allow = allowOf(options);
    expect(allow).toEqual(expect.arrayContaining(["ACK", "BYE", "CANCEL", "INFO", "INVITE", "OPTIONS"]));

    const refused = await pbx.client.request(outOfDialog("SUBSCRIBE"));
    expect(refused.status).toBe(405);
    expect(allowOf(refused)).toEqual(allow);
    // What is not listed is refused, and what is refused is not listed.
    const notify = await pbx.client.request(outOfDialog("NOTIFY"));
    expect(notify.status).toBe(405);
    expect(allow).not.toContain("NOTIFY");

    const userId = await setAlBehaviour(http.admin, { mode: "answer", ringMs: 0 });
    const invite = pbx.sendInvite(AL, sdpOffer(40030));
    const ok = await pbx.response(invite.callId, 200);
    expect(allowOf(ok)).toEqual(allow);
    pbx.ack(ok, invite);

    await http.admin("POST", "/api/admin/calls", { fromUser: userId, to: "+4930123456" });
    const ours = await pbx.incoming("INVITE");
    expect(allowOf(ours)).toEqual(allow);
  });
});

describe("transfer progress (RFC 3515 §2.4.5)", () => {
  it("a refused transfer target gives a NOTIFY with one status line: SIP/2.0 486 Busy Here", async () => {
    await setAlBehaviour(http.admin, { mode: "answer", ringMs: 0 });
    const invite = pbx.sendInvite(AL, sdpOffer(40032));
    const ok = await pbx.response(invite.callId, 200);
    pbx.ack(ok, invite);
    pbx.inDialog("REFER", ok, { headers: ["Refer-To: <sip:+4930999@phoneapp.unify.com>"] });
    expect((await pbx.response(invite.callId, 200, "REFER")).status).toBe(202);
    const trying = await pbx.incoming("NOTIFY", invite.callId);
    expect(trying.body.toString()).toBe("SIP/2.0 100 Trying\r\n");
    pbx.respond(trying, 200, "OK");
    const target = await pbx.incoming("INVITE");
    pbx.respond(target, 486, "Busy here", { toTag: "busy1" });
    const final = await pbx.client.waitFor(
      (m): m is SipRequest => m.kind === "request" && m.method === "NOTIFY" && m.callId === invite.callId,
      10_000,
    );
    expect(final.body.toString()).toBe("SIP/2.0 486 Busy Here\r\n");
    expect(final.headers.get("subscription-state")).toMatch(/^terminated/);
    pbx.respond(final, 200, "OK");
  });
});
