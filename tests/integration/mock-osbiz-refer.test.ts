import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueServerCertificate } from "../../src/certs/index.js";
import type { EmulatorHandle } from "../../src/index.js";
import {
  CallFailedError,
  type DeskPhoneEvent,
  type MockCall,
  MockOsbiz,
  type MockOsbizEvents,
} from "../../src/mock-osbiz/index.js";
import { acmeSeed } from "../support/acme-seed.js";
import { startTestEmulator } from "../support/emulator.js";
import { ScriptedTrunk, type TrunkDialog } from "../support/scripted-trunk.js";
import { until } from "../support/until.js";

let emulator: EmulatorHandle;
let mock: MockOsbiz | undefined;
let trunk: ScriptedTrunk;
let lines: string[];
let events: DeskPhoneEvent[];
const CALLER = "004930123456";
const AL = "+4923026672131";
const AL2 = "+4923026672132";

/** The mock's trunk goes to a scripted connector end (an Expert Mode port change), so tests see every SIP message. */
beforeEach(async () => {
  emulator = await startTestEmulator({ adminToken: "refer-admin", seedText: acmeSeed() });
  lines = [];
  events = [];
  const ca = createCertificateAuthority({});
  mock = await MockOsbiz.start({
    url: emulator.urls.https,
    apiKey: "acme-key-0001-t7m7w6ToB8iPQCFUNQuX",
    ca: `${emulator.certificates.caCertPem!}\n${ca.certPem}`,
    systemId: "osbiz-1",
    users: [{ callno: "2131" }, { callno: "2132" }],
    rtp: { bind: "127.0.0.1", portRange: { min: 46000, max: 46999 } },
    noAnswerMs: 300,
    log: (line) => lines.push(line),
  });
  mock.onDeskPhoneEvent((e) => events.push(e));
  trunk = await ScriptedTrunk.listen(issueServerCertificate(ca, { hosts: [mock.system.sip.domain] }));
  await mock.applyExpertModeChange({ registrarPort: trunk.port });
  await until(
    () => mock!.registered,
    () => `registered with the scripted trunk\n${lines.join("\n")}`,
  );
});

afterEach(async () => {
  await mock?.stop();
  mock = undefined;
  await trunk.close();
  await emulator.close();
});

function next<K extends keyof MockOsbizEvents>(name: K): Promise<MockOsbizEvents[K]> {
  return new Promise((resolve) => {
    const off = mock!.on(name, (payload) => {
      off();
      resolve(payload);
    });
  });
}

function log(): string {
  return lines.join("\n");
}

/** The mock calls `user` from CALLER, the connector answers: the answered call and its dialog. */
async function answeredCall(user: string): Promise<{ call: MockCall; dialog: TrunkDialog }> {
  const placed = mock!.call(user, { fromCallno: CALLER });
  const invite = await trunk.invite(user);
  const dialog = trunk.answer(invite);
  const call = await placed;
  expect(call.state).toBe("answered");
  return { call, dialog };
}

const referTo = (number: string, extra = "") => ({ "Refer-To": `<sip:${number}@phoneapp.test${extra}>` });

async function byeIn(dialog: TrunkDialog): Promise<void> {
  await trunk.request("BYE", (r) => r.callId === dialog.callId);
}

describe("REFER on the mock's trunk calls (RFC 3515, RFC 3891)", () => {
  it("to a number outside: 202, NOTIFY 100 / 180 / 200 (terminated), then BYE on the trunk leg", async () => {
    const { call, dialog } = await answeredCall(AL);
    const referred = next("referred");
    const accepted = await trunk.send(dialog, "REFER", referTo("004989700"));
    expect(accepted.status).toBe(202);
    expect(await referred).toMatchObject({ kind: "external", target: "004989700", status: 200 });
    await byeIn(dialog);
    expect(trunk.notifies(dialog.callId)).toEqual([
      "SIP/2.0 100 Trying",
      "SIP/2.0 180 Ringing",
      "SIP/2.0 200 OK",
    ]);
    const notifies = trunk.received.filter((m) => m.kind === "request" && m.method === "NOTIFY");
    expect(notifies[0]!.headers.get("event")).toBe("refer");
    expect(notifies[0]!.headers.get("content-type")).toBe("message/sipfrag;version=2.0");
    expect(notifies[0]!.headers.get("subscription-state")).toMatch(/^active;expires=\d+/);
    expect(notifies.at(-1)!.headers.get("subscription-state")).toMatch(/^terminated/);
    await until(() => !call.active, log);
  });

  it("with Refer-Sub: false (RFC 4488): 202 with Refer-Sub: false, no NOTIFY, still BYE once done", async () => {
    const { call, dialog } = await answeredCall(AL);
    const referred = next("referred");
    const accepted = await trunk.send(dialog, "REFER", { ...referTo("004989700"), "Refer-Sub": "false" });
    expect([accepted.status, accepted.headers.get("refer-sub")]).toEqual([202, "false"]);
    expect(await referred).toMatchObject({ kind: "external", status: 200 });
    await byeIn(dialog);
    expect(trunk.notifies(dialog.callId)).toEqual([]);
    expect(call.active).toBe(false);
  });

  it("to another user: that user is called (INVITE with Referred-By, desk phone rings too); answered → 200, BYE", async () => {
    const { dialog } = await answeredCall(AL);
    const referred = next("referred");
    const accepted = await trunk.send(dialog, "REFER", {
      ...referTo("2132"),
      "Referred-By": "<sip:2131@phoneapp.test>",
    });
    expect(accepted.status).toBe(202);
    const invite = await trunk.invite(AL2);
    expect(invite.from.uri.user).toBe(CALLER);
    expect(invite.headers.get("referred-by")).toBe("<sip:2131@phoneapp.test>");
    await until(() => mock!.deskPhone("2132").state === "ringing", log);
    trunk.answer(invite);
    expect(await referred).toMatchObject({ kind: "user", target: "2132", status: 200 });
    await byeIn(dialog);
    // The Unify Phone leg answered first: the desk phone stops ringing.
    await until(() => mock!.deskPhone("2132").state === "idle", log);
    expect(trunk.notifies(dialog.callId)).toEqual([
      "SIP/2.0 100 Trying",
      "SIP/2.0 180 Ringing",
      "SIP/2.0 200 OK",
    ]);
  });

  it("to a number of the PBX's range that is no user here: still over the trunk (the connector's answer counts)", async () => {
    const { call, dialog } = await answeredCall(AL);
    const referred = next("referred");
    expect((await trunk.send(dialog, "REFER", referTo("2199"))).status).toBe(202);
    trunk.refuse(await trunk.invite("+4923026672199"), 404, "Not Found");
    expect(await referred).toMatchObject({ kind: "user", status: 404 });
    await until(() => trunk.notifies(dialog.callId).includes("SIP/2.0 404 Not Found"), log);
    expect(call.state).toBe("answered");
  });

  it("to another user who refuses: NOTIFY with the refusal, the trunk leg stays", async () => {
    mock!.deskPhone("2132").setDnd(true);
    const { call, dialog } = await answeredCall(AL);
    const referred = next("referred");
    expect((await trunk.send(dialog, "REFER", referTo("2132"))).status).toBe(202);
    trunk.refuse(await trunk.invite(AL2), 486, "Busy Here");
    expect(await referred).toMatchObject({ kind: "user", status: 486 });
    await until(() => trunk.notifies(dialog.callId).includes("SIP/2.0 486 Busy Here"), log);
    expect(call.state).toBe("answered");
  });

  it("to the same user: push to the desk phone — it rings, answered it takes the caller, the trunk leg gets BYE", async () => {
    const { dialog } = await answeredCall(AL);
    const referred = next("referred");
    expect((await trunk.send(dialog, "REFER", referTo("+4923026672131"))).status).toBe(202);
    await until(() => mock!.deskPhone("2131").state === "ringing", log);
    expect(mock!.deskPhone("2131").snapshot().peer).toBe(CALLER);
    await until(() => trunk.notifies(dialog.callId).includes("SIP/2.0 180 Ringing"), log);
    mock!.deskPhone("2131").answer();
    expect(await referred).toMatchObject({ kind: "push", status: 200 });
    await byeIn(dialog);
    expect(mock!.deskPhone("2131").snapshot()).toMatchObject({ state: "connected", peer: CALLER });
  });

  it("push to a desk phone on DND: NOTIFY 486, the call stays on the trunk", async () => {
    const { call, dialog } = await answeredCall(AL);
    mock!.deskPhone("2131").setDnd(true);
    const referred = next("referred");
    expect((await trunk.send(dialog, "REFER", referTo("2131"))).status).toBe(202);
    expect(await referred).toMatchObject({ kind: "push", status: 486 });
    expect(call.state).toBe("answered");
  });

  it("with Replaces naming another trunk call: the two remote parties are joined, both legs get BYE", async () => {
    const a = await answeredCall(AL);
    const b = await answeredCall(AL2);
    const referred = next("referred");
    const replaces = encodeURIComponent(ScriptedTrunk.replaces(b.dialog));
    // The party is the one Replaces names: an anonymous user part does not matter.
    const accepted = await trunk.send(a.dialog, "REFER", referTo("anonymous", `?Replaces=${replaces}`));
    expect(accepted.status).toBe(202);
    expect(await referred).toMatchObject({ kind: "join", status: 200 });
    await byeIn(a.dialog);
    await byeIn(b.dialog);
    expect(a.call.active || b.call.active).toBe(false);
  });

  it("refuses bad REFERs with 400 / 416 / 481 / 403, and 501 when REFER is off", async () => {
    const { call, dialog } = await answeredCall(AL);
    const none = await trunk.send(dialog, "REFER");
    expect([none.status, none.reason]).toEqual([
      400,
      "Bad Request: a REFER needs exactly one Refer-To (got 0)",
    ]);
    const scheme = await trunk.send(dialog, "REFER", { "Refer-To": "<mailto:al@acme.test>" });
    expect(scheme.status).toBe(416);
    const word = await trunk.send(dialog, "REFER", referTo("reception"));
    expect([word.status, word.reason]).toEqual([
      400,
      "Bad Request: Refer-To names no number this PBX can dial",
    ]);
    const unknown = await trunk.send(
      dialog,
      "REFER",
      referTo("2132", `?Replaces=${encodeURIComponent("nope@x;to-tag=1;from-tag=2")}`),
    );
    expect([unknown.status, unknown.reason]).toEqual([
      481,
      "Call/Transaction Does Not Exist: Replaces names no call of this PBX",
    ]);
    const itself = await trunk.send(
      dialog,
      "REFER",
      referTo("2132", `?Replaces=${encodeURIComponent(ScriptedTrunk.replaces(dialog))}`),
    );
    expect([itself.status, itself.reason]).toEqual([
      403,
      "Forbidden: Replaces names the referred call itself",
    ]);
    const noTags = await trunk.send(
      dialog,
      "REFER",
      referTo("2132", `?Replaces=${encodeURIComponent("abc")}`),
    );
    expect(noTags.status).toBe(400);

    mock!.referEnabled = false;
    const off = await trunk.send(dialog, "REFER", referTo("004989700"));
    expect([off.status, off.reason]).toEqual([501, "Not Implemented: this PBX takes no REFER (refer off)"]);
    expect(off.headers.get("allow")).not.toContain("REFER");
    expect(call.state).toBe("answered");
    expect(trunk.notifies(dialog.callId)).toEqual([]);
  });
});

describe("twinning: a call to a user rings the desk phone and the Unify Phone leg together", () => {
  it("the desk phone answers first: the trunk INVITE is CANCELled with Reason 'Call completed elsewhere'", async () => {
    const placed = mock!.call(AL, { fromCallno: CALLER });
    const invite = await trunk.invite(AL);
    trunk.ring(invite);
    await until(() => mock!.deskPhone("2131").state === "ringing", log);
    const ringing = events.find((e) => e.type === "Delivered" && e.device === "2131");
    mock!.deskPhone("2131").answer();
    const cancel = await trunk.request("CANCEL", (r) => r.callId === invite.callId);
    expect(cancel.headers.get("reason")).toBe('SIP;cause=200;text="Call completed elsewhere"');
    const call = await placed;
    expect(call.state).toBe("ended");
    expect(call.endCause).toContain("Call completed elsewhere");
    expect(mock!.deskPhone("2131").snapshot()).toMatchObject({ state: "connected", peer: CALLER });
    // One CSTA call id from ringing to answered.
    const established = events.find((e) => e.type === "Established" && e.device === "2131");
    expect(established && "call" in established && established.call.id).toBe(
      ringing && "call" in ringing && ringing.call.id,
    );
  });

  it("the connector answers first: the desk phone stops ringing (ConnectionCleared, same call id)", async () => {
    const placed = mock!.call(AL, { fromCallno: CALLER });
    const invite = await trunk.invite(AL);
    await until(() => mock!.deskPhone("2131").state === "ringing", log);
    const id = mock!.deskPhone("2131").snapshot().call!.id;
    trunk.answer(invite);
    expect((await placed).state).toBe("answered");
    expect(mock!.deskPhone("2131").state).toBe("idle");
    expect(events.filter((e) => "call" in e && e.call.id === id).map((e) => e.type)).toEqual([
      "Delivered",
      "ConnectionCleared",
    ]);
  });

  it("the Unify Phone leg refuses: the desk phone rings on and can still answer", async () => {
    const placed = mock!.call(AL, { fromCallno: CALLER });
    trunk.refuse(await trunk.invite(AL), 480, "Temporarily Unavailable");
    await until(() => lines.some((l) => l.includes("rings on")), log);
    expect(mock!.deskPhone("2131").state).toBe("ringing");
    mock!.deskPhone("2131").answer();
    expect((await placed).status).toBe(480);
    expect(mock!.deskPhone("2131").state).toBe("connected");
  });

  it("DND on the desk phone silences it; the Unify Phone leg still rings", async () => {
    mock!.deskPhone("2131").setDnd(true);
    const placed = mock!.call(AL, { fromCallno: CALLER });
    trunk.answer(await trunk.invite(AL));
    expect((await placed).state).toBe("answered");
    expect(events.some((e) => e.type === "Delivered")).toBe(false);
  });

  it("forwardImmediate to another user: that user's legs ring instead (Diverted on the first)", async () => {
    mock!.deskPhone("2131").setForwarding("forwardImmediate", "2132");
    const placed = mock!.call(AL, { fromCallno: CALLER });
    const invite = await trunk.invite(AL2);
    expect(events.find((e) => e.type === "Diverted")).toMatchObject({ device: "2131", to: "2132" });
    await until(() => mock!.deskPhone("2132").state === "ringing", log);
    trunk.answer(invite);
    expect((await placed).to).toBe(AL2);
    expect(trunk.received.some((m) => m.kind === "request" && m.requestUri.user === AL)).toBe(false);
  });

  it("forwardImmediate to a number outside: no trunk INVITE, CallFailedError 302", async () => {
    mock!.deskPhone("2131").setForwarding("forwardImmediate", "004989700");
    const error = await mock!.call(AL, { fromCallno: CALLER }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallFailedError);
    expect((error as CallFailedError).status).toBe(302);
    expect(trunk.received.some((m) => m.kind === "request" && m.method === "INVITE")).toBe(false);
  });

  it("forwardBusy while the desk phone is in a call; forwardNoAns after the no-answer time", async () => {
    const desk = mock!.deskPhone("2131");
    desk.makeCall("004989700");
    desk.setForwarding("forwardBusy", "2132");
    const busy = mock!.call(AL, { fromCallno: CALLER });
    trunk.answer(await trunk.invite(AL2));
    expect((await busy).to).toBe(AL2);
    desk.hangup();
    desk.setForwarding("forwardBusy", undefined);

    desk.setForwarding("forwardNoAns", "2132");
    const unanswered = mock!.call(AL, { fromCallno: CALLER });
    const first = await trunk.invite(AL);
    trunk.ring(first);
    const cancel = await trunk.request("CANCEL", (r) => r.callId === first.callId);
    expect(cancel.headers.get("reason")).toContain("cause=480");
    const second = await trunk.request(
      "INVITE",
      (r) => r.requestUri.user === AL2 && r.callId !== first.callId && !trunk.dialogs.get(r.callId)?.answered,
    );
    trunk.answer(second);
    expect((await unanswered).to).toBe(AL2);
    expect(desk.state).toBe("idle");
  });
});

describe("the connector calls a desk user: the desk phone is the PBX end", () => {
  it("rings the desk phone; answered there, the INVITE gets 200; a desk hang-up sends BYE", async () => {
    const answering = trunk.call("2132", "2131");
    await until(() => mock!.deskPhone("2132").state === "ringing", log);
    mock!.deskPhone("2132").answer();
    const { response, dialog } = await answering;
    expect(response.status).toBe(200);
    mock!.deskPhone("2132").hangup();
    await byeIn(dialog);
  });

  it("a BYE from the connector clears the desk phone; DND answers 486", async () => {
    const answering = trunk.call("2132", "2131");
    await until(() => mock!.deskPhone("2132").state === "ringing", log);
    mock!.deskPhone("2132").answer();
    const { dialog } = await answering;
    expect((await trunk.send(dialog, "BYE")).status).toBe(200);
    await until(() => mock!.deskPhone("2132").state === "idle", log);

    mock!.deskPhone("2132").setDnd(true);
    const { response } = await trunk.call("2132", "2131");
    expect([response.status, response.reason]).toEqual([486, "Busy Here"]);
  });
});

describe("pull: a desk phone's call moves to the same user's Unify Phone side", () => {
  it("single-step transfer to its own number: desk cleared, INVITE to the user with Referred-By, connected on answer", async () => {
    const desk = mock!.deskPhone("2131");
    desk.ring(CALLER);
    desk.answer();
    desk.transfer("2131");
    expect(desk.state).toBe("idle");
    expect(events.at(-1)).toMatchObject({ type: "ConnectionCleared", device: "2131", releasing: "2131" });
    const invite = await trunk.invite(AL);
    expect(invite.from.uri.user).toBe(CALLER);
    expect(invite.headers.get("referred-by")).toBe(`<sip:2131@${mock!.system.sip.domain}>`);
    trunk.answer(invite);
    await until(() => mock!.calls.some((c) => c.callId === invite.callId && c.state === "answered"), log);
    // The pulled call does not ring the desk phone again.
    expect(desk.state).toBe("idle");
  });

  it("deflect of a ringing call to its own number: a new INVITE when only the desk phone rang", async () => {
    const desk = mock!.deskPhone("2131");
    desk.ring(CALLER);
    desk.deflect("2131");
    expect(desk.state).toBe("idle");
    const invite = await trunk.invite(AL);
    expect(invite.headers.get("referred-by")).toBe(`<sip:2131@${mock!.system.sip.domain}>`);
  });

  it("deflect of a twinned call to its own number: the desk phone stops, the Unify Phone leg rings on", async () => {
    const placed = mock!.call(AL, { fromCallno: CALLER });
    const invite = await trunk.invite(AL);
    await until(() => mock!.deskPhone("2131").state === "ringing", log);
    mock!.deskPhone("2131").deflect("2131");
    expect(mock!.deskPhone("2131").state).toBe("idle");
    trunk.answer(invite);
    expect((await placed).state).toBe("answered");
    expect(trunk.received.filter((m) => m.kind === "request" && m.method === "INVITE")).toHaveLength(1);
  });
});
