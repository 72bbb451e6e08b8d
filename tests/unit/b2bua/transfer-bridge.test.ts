import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Call } from "../../../src/b2bua/call.js";
import type { DialogEntry } from "../../../src/b2bua/ports.js";
import { joinLegs } from "../../../src/b2bua/transfer-bridge.js";
import { parseReferTo, parseReplaces, pbxNumber } from "../../../src/b2bua/transfer-target.js";
import { Dialog } from "../../../src/sip/dialog/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { FakePorts, OFFER, reply, request, START, TRUNK } from "./b2bua-fakes.js";

let ports: FakePorts;
let pbx: FakeConnection;

beforeEach(() => {
  ports = new FakePorts();
  pbx = new FakeConnection({ reliable: true });
});
afterEach(() => ports.dispose());

function pbxLeg(callId: string): DialogEntry {
  const call = new Call(
    callId,
    "pbx-to-user",
    "tn_1",
    TRUNK.id,
    TRUNK.name,
    "us_al",
    "+4930",
    "+4923",
    START,
    "echo",
  );
  const invite = request("INVITE", "sip:+4923026672131@192.0.2.10:5061;transport=tls", {
    body: OFFER,
    callId,
  });
  const dialog = Dialog.asUas(invite, `tag-${callId}`, pbx, ports.endpoint, "confirmed");
  return { dialog, call, leg: "pbx" };
}

const sdp = (port: number) => OFFER.replace("m=audio 40000", `m=audio ${port}`);

describe("joinLegs: two PBX legs joined by third-party call control (RFC 3725 flow I)", () => {
  it("an offerless re-INVITE to one leg, its offer to the other, that answer in the first's ACK", async () => {
    const a = pbxLeg("a");
    const b = pbxLeg("b");
    const joined = joinLegs(ports, a, b);
    const [toA] = ports.sentOf("INVITE");
    expect(toA!.request.callId).toBe("a");
    expect(toA!.request.body.length).toBe(0);
    toA!.delegate.onResponse!(reply(toA!.request, 200, "OK", { body: sdp(41000) }));
    await Promise.resolve();
    const toB = ports.sentOf("INVITE")[1]!;
    expect(toB.request.callId).toBe("b");
    expect(toB.request.body.toString()).toContain("m=audio 41000");
    pbx.clear();
    toB.delegate.onResponse!(reply(toB.request, 200, "OK", { body: sdp(42000) }));
    expect(await joined).toEqual({ ok: true });
    const acks = pbx.sent.filter((m) => m.kind === "request" && m.method === "ACK");
    expect(acks.map((m) => [m.callId, m.body.toString().includes("m=audio 42000")])).toEqual([
      ["b", false],
      ["a", true],
    ]);
  });

  it("the second leg refuses: the first's offer is refused in its ACK (port 0), the failure returned", async () => {
    const a = pbxLeg("a");
    const b = pbxLeg("b");
    const joined = joinLegs(ports, a, b);
    const [toA] = ports.sentOf("INVITE");
    toA!.delegate.onResponse!(reply(toA!.request, 200, "OK", { body: sdp(41000) }));
    await Promise.resolve();
    const toB = ports.sentOf("INVITE")[1]!;
    toB.delegate.onResponse!(reply(toB.request, 488, "Not Acceptable Here"));
    expect(await joined).toEqual({ ok: false, status: 488, reason: "Not Acceptable Here" });
    const ack = pbx.sent.find((m) => m.kind === "request" && m.method === "ACK" && m.callId === "a");
    expect(ack?.body.toString()).toContain("m=audio 0 RTP/AVP");
  });
});

describe("Refer-To and Replaces", () => {
  it("reads a number, a Replaces (escaped in the URI) and refuses the rest", () => {
    expect(parseReferTo(["<sip:2132@phoneapp.unify.com>"])).toMatchObject({ ok: true, number: "2132" });
    expect(parseReferTo(['"Bo" <sip:0049 30 123@x>'])).toMatchObject({ ok: false });
    expect(parseReferTo(["<sip:0049-30-123@x>"])).toMatchObject({ ok: true, number: "+4930123" });
    expect(parseReferTo(["<sip:x@h?Replaces=c1%3Bto-tag%3Da%3Bfrom-tag%3Db>"])).toMatchObject({
      ok: true,
      replaces: { callId: "c1", toTag: "a", fromTag: "b", earlyOnly: false },
    });
    expect(parseReferTo([])).toEqual({ ok: false, reason: "Bad Request: no Refer-To header" });
    expect(parseReferTo(["<sip:1@x>", "<sip:2@x>"])).toMatchObject({ ok: false });
    expect(parseReplaces("c1;from-tag=b;to-tag=a;early-only")).toEqual({
      callId: "c1",
      toTag: "a",
      fromTag: "b",
      earlyOnly: true,
    });
    expect(parseReplaces("c1;to-tag=a")).toBeUndefined();
    expect(pbxNumber("0049 (30) 123-4")).toBe("+49301234");
  });
});
