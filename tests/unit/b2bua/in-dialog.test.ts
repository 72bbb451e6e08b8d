import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Call } from "../../../src/b2bua/call.js";
import { ClientConference } from "../../../src/b2bua/conference.js";
import { DialogRelay } from "../../../src/b2bua/dialog-relay.js";
import { InDialog } from "../../../src/b2bua/in-dialog.js";
import { PbxOutbound } from "../../../src/b2bua/pbx-outbound.js";
import type { DialogEntry } from "../../../src/b2bua/ports.js";
import { ClientTransfer } from "../../../src/b2bua/transfer.js";
import { Dialog } from "../../../src/sip/dialog/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { FakePorts, FakeServerTx, OFFER, reply, request, START, TRUNK } from "./b2bua-fakes.js";

const URI = "sip:+4923026672131@192.0.2.10:5061;transport=tls";
const LOCAL_TAG = "b2bua-tag";

let ports: FakePorts;
let inDialog: InDialog;
let pbx: FakeConnection;

beforeEach(() => {
  ports = new FakePorts();
  const outbound = new PbxOutbound(ports, "number");
  inDialog = new InDialog(
    ports,
    outbound,
    new DialogRelay(ports),
    new ClientTransfer(ports, outbound),
    new ClientConference(ports),
  );
  pbx = new FakeConnection({ reliable: true });
});
afterEach(() => ports.dispose());

/** An answered PBX → user call with its PBX dialog (INVITE CSeq 1). */
function answeredCall(options: { userId?: string | null } = {}) {
  const call = new Call(
    "call-1",
    "pbx-to-user",
    "tn_1",
    TRUNK.id,
    TRUNK.name,
    options.userId === undefined ? "us_al" : options.userId,
    "+4930123456",
    "+4923026672131",
    START,
    "echo",
  );
  call.state = "answered";
  ports.journal.add(call);
  const invite = request("INVITE", URI, { body: OFFER });
  const dialog = Dialog.asUas(invite, LOCAL_TAG, pbx, ports.endpoint);
  dialog.state = "confirmed";
  const entry: DialogEntry = { dialog, call, leg: "pbx" };
  ports.dialogs.set(dialog.key, entry);
  return { call, entry };
}

/** An answered call whose user side is a client's dialog over a WebSocket, joined to the PBX's. */
function clientCall() {
  const { call, entry } = answeredCall();
  const ws = new FakeConnection({ reliable: true, protocol: "WSS" });
  const toClient = request("INVITE", "sip:us_al@c.invalid;transport=ws", { callId: "client-leg" });
  const dialog = Dialog.asUac(
    toClient,
    reply(toClient, 200, "OK", { toTag: "client-tag" }),
    ws,
    ports.endpoint,
  );
  const client: DialogEntry = { dialog, call, leg: "client", peer: entry };
  entry.peer = client;
  ports.dialogs.set(dialog.key, client);
  return { call, entry, client, ws };
}

/** A request of the PBX inside the call's dialog. */
function inCall(
  method: string,
  cseq: number,
  options: { body?: string; contentType?: string; headers?: string[] } = {},
) {
  return new FakeServerTx(request(method, URI, { toTag: LOCAL_TAG, cseq, ...options }), pbx);
}

describe("InDialog: matching the dialog (RFC 3261 §12.2.2)", () => {
  it("answers 481 to a request of no dialog of ours", () => {
    answeredCall();
    const tx = new FakeServerTx(request("BYE", URI, { toTag: "someone-else", cseq: 2 }), pbx);
    inDialog.bye(tx);
    expect(tx.final?.status).toBe(481);
    expect(tx.final?.reason).toBe("Call/Transaction Does Not Exist");
  });

  it("answers 500 to a CSeq not above the last one, and leaves the call up", () => {
    const { call } = answeredCall();
    const tx = inCall("BYE", 1);
    inDialog.bye(tx);
    expect(tx.final?.status).toBe(500);
    expect(call.active).toBe(true);
  });

  it("BYE from the PBX ends the call, 200", () => {
    const { call } = answeredCall();
    const tx = inCall("BYE", 2);
    inDialog.bye(tx);
    expect(tx.final?.status).toBe(200);
    expect(call).toMatchObject({ state: "ended", endedBy: "pbx", hangupCause: "BYE from the PBX" });
  });
});

describe("InDialog: with the virtual user", () => {
  it("journals a DTMF digit sent as SIP INFO", () => {
    const { call } = answeredCall();
    const tx = inCall("INFO", 2, {
      body: "Signal=5\r\nDuration=160\r\n",
      contentType: "application/dtmf-relay",
    });
    inDialog.info(tx);
    expect(tx.final?.status).toBe(200);
    expect(call.dtmf).toEqual([{ digit: "5", via: "info", at: START }]);
    expect(ports.noteTypes(call)).toEqual(["dtmf"]);
  });

  it("asks to retry a re-INVITE with an offer while no session of ours exists yet (clients ringing)", () => {
    answeredCall();
    const tx = inCall("INVITE", 2, { body: OFFER });
    inDialog.renegotiate(tx);
    expect(tx.final?.status).toBe(500);
    expect(tx.final?.headers.get("retry-after")).toBe("1");
  });

  it("refuses a REFER without a usable Refer-To (400) and one for a call of no user (403)", () => {
    answeredCall();
    const bad = inCall("REFER", 2, { headers: ["Refer-To: <tel:+4930>"] });
    inDialog.refer(bad);
    expect(bad.final?.status).toBe(400);
    ports.dialogs.clear();
    answeredCall({ userId: null });
    const orphan = inCall("REFER", 3, { headers: ["Refer-To: <sip:+4930999@203.0.113.5>"] });
    inDialog.refer(orphan);
    expect(orphan.final?.status).toBe(403);
  });

  it("accepts a REFER, calls the target and reports the refused transfer in a final NOTIFY", async () => {
    const { call } = answeredCall();
    // The trunk is not connected: the transfer's new call cannot start.
    const tx = inCall("REFER", 2, { headers: ["Refer-To: <sip:+4930999@203.0.113.5>"] });
    inDialog.refer(tx);
    expect(tx.final?.status).toBe(202);
    await new Promise((r) => setImmediate(r));
    const notifies = ports.sentOf("NOTIFY").map((n) => n.request);
    expect(notifies.map((n) => n.body.toString())).toEqual([
      "SIP/2.0 100 Trying\r\n",
      "SIP/2.0 503 Service Unavailable\r\n",
    ]);
    expect(notifies[1]?.headers.get("subscription-state")).toBe("terminated;reason=noresource");
    expect(ports.noteTypes(call)).toEqual(["refer", "transfer-failed"]);
  });
});

describe("InDialog: a call joining the PBX and a client is relayed", () => {
  it("INFO goes to the client, and the PBX gets the client's answer", () => {
    const { ws } = clientCall();
    const tx = inCall("INFO", 2, {
      body: "Signal=7\r\nDuration=160\r\n",
      contentType: "application/dtmf-relay",
    });
    inDialog.info(tx);
    const [forwarded] = ports.sentOf("INFO");
    expect(forwarded?.connection).toBe(ws);
    expect(forwarded?.request.body.toString()).toBe("Signal=7\r\nDuration=160\r\n");
    expect(tx.final).toBeUndefined();
    forwarded!.delegate.onResponse(reply(forwarded!.request, 415, "Unsupported Media Type"));
    expect(tx.final?.status).toBe(415);
  });

  it("a second offer from the other side while one is in flight is glare: 491 (RFC 3261 §14.2)", () => {
    const { client, ws } = clientCall();
    inDialog.renegotiate(inCall("INVITE", 2, { body: OFFER }));
    expect(ports.sentOf("INVITE")).toHaveLength(1);
    // The client's own offer in its dialog (Call-ID client-leg, its tag in From).
    const fromClient = new FakeServerTx(
      request("UPDATE", "sip:connector@c.invalid;transport=ws", {
        callId: "client-leg",
        fromTag: "client-tag",
        toTag: client.dialog.localTag,
        cseq: 2,
        body: OFFER,
      }),
      ws,
    );
    inDialog.renegotiate(fromClient);
    expect(fromClient.final?.status).toBe(491);
  });

  it("BYE from the PBX is answered and the call ends by the PBX", () => {
    const { call } = clientCall();
    const tx = inCall("BYE", 2);
    inDialog.bye(tx);
    expect(tx.final?.status).toBe(200);
    expect(call).toMatchObject({ state: "ended", endedBy: "pbx", hangupCause: "BYE from the PBX" });
  });
});
