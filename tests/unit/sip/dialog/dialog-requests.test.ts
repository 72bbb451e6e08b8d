import { describe, expect, it } from "vitest";
import { Dialog, type LocalEndpoint } from "../../../../src/sip/dialog/index.js";
import { createResponse, parseMessage, type SipRequest } from "../../../../src/sip/message/index.js";
import { FakeConnection } from "../../../support/fake-connection.js";

const endpoint: LocalEndpoint = {
  via: (c) => `SIP/2.0/${c.protocol} emulator.test:${c.localPort}`,
  contact: (c) => `sip:connector@emulator.test:${c.localPort};transport=tls`,
};

/** A request from the PBX (tag "pbx") to us; `to` may carry our tag for an in-dialog one. */
function fromPbx(method: string, seq: number, extra: string[] = [], toTag = ""): SipRequest {
  const text = [
    `${method} sip:+4923026672131@emulator.test SIP/2.0`,
    `Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK${method}${seq}`,
    "Max-Forwards: 70",
    'From: "Front Desk" <sip:pbx@10.0.0.1>;tag=pbx',
    `To: <sip:+4923026672131@emulator.test>${toTag ? `;tag=${toTag}` : ""}`,
    "Call-ID: seq-1",
    `CSeq: ${seq} ${method}`,
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  return parseMessage(Buffer.from(text)) as SipRequest;
}

const CONTACT = "Contact: <sip:pbx@10.0.0.1:5061;transport=tls>";

function uasDialog(extra: string[] = [CONTACT]) {
  const connection = new FakeConnection({ reliable: true });
  return { dialog: Dialog.asUas(fromPbx("INVITE", 7, extra), "uas", connection, endpoint), connection };
}

describe("Dialog as UAS (RFC 3261 §12.1.1)", () => {
  it("names both sides from the INVITE: our From is its To, our To its From, each with its tag", () => {
    const { dialog } = uasDialog();
    const bye = dialog.createRequest("BYE");
    expect(bye.headers.get("from")).toBe("<sip:+4923026672131@emulator.test>;tag=uas");
    expect(bye.headers.get("to")).toBe('"Front Desk" <sip:pbx@10.0.0.1>;tag=pbx');
    expect(bye.callId).toBe("seq-1");
    expect(dialog).toMatchObject({ localTag: "uas", remoteTag: "pbx", state: "early" });
  });

  it("targets the INVITE's Contact, or its From URI when it has none", () => {
    expect(uasDialog().dialog.remoteTarget).toBe("sip:pbx@10.0.0.1:5061;transport=tls");
    expect(uasDialog([]).dialog.remoteTarget).toBe("sip:pbx@10.0.0.1");
  });

  it("reads the URI of a Contact with a quoted display name holding '<', and of a bare addr-spec", () => {
    const quoted = uasDialog(['Contact: "a <b>" <sip:quoted@10.0.0.1>;expires=60']).dialog;
    expect(quoted.remoteTarget).toBe("sip:quoted@10.0.0.1");
    const bare = uasDialog(["Contact: sip:bare@10.0.0.1:5061;expires=60"]).dialog;
    expect(bare.remoteTarget).toBe("sip:bare@10.0.0.1:5061");
  });
});

describe("Dialog CSeq (RFC 3261 §12.2)", () => {
  it("numbers our requests from 1 upward as UAS; ACK and CANCEL reuse the number", () => {
    const { dialog } = uasDialog();
    expect(dialog.createRequest("INFO").cseq).toEqual({ seq: 1, method: "INFO" });
    expect(dialog.createRequest("INVITE").cseq).toEqual({ seq: 2, method: "INVITE" });
    expect(dialog.createRequest("CANCEL").cseq).toEqual({ seq: 2, method: "CANCEL" });
    expect(dialog.createRequest("BYE").cseq).toEqual({ seq: 3, method: "BYE" });
  });

  it("continues after our INVITE's number as UAC", () => {
    const invite = fromPbx("INVITE", 41);
    const ok = createResponse(invite, 200, undefined, "callee");
    const dialog = Dialog.asUac(invite, ok, new FakeConnection({ reliable: true }), endpoint);
    expect(dialog.createRequest("BYE").cseq.seq).toBe(42);
  });

  it("accepts the peer's requests only in increasing order (an old or repeated one is refused)", () => {
    const { dialog } = uasDialog();
    expect(dialog.acceptIncoming(fromPbx("INFO", 8, [], "uas"))).toBe(true);
    expect(dialog.acceptIncoming(fromPbx("INFO", 8, [], "uas"))).toBe(false);
    expect(dialog.acceptIncoming(fromPbx("INFO", 5, [], "uas"))).toBe(false);
    expect(dialog.acceptIncoming(fromPbx("BYE", 20, [], "uas"))).toBe(true);
    expect(dialog.remoteSeq).toBe(20);
  });

  it("takes ACK and CANCEL whatever their number, without moving the peer's sequence", () => {
    const { dialog } = uasDialog();
    expect(dialog.acceptIncoming(fromPbx("ACK", 7, [], "uas"))).toBe(true);
    expect(dialog.acceptIncoming(fromPbx("CANCEL", 7, [], "uas"))).toBe(true);
    expect(dialog.remoteSeq).toBe(7);
  });

  it("as UAC, takes the peer's first request at any number (it has sent none yet)", () => {
    const invite = fromPbx("INVITE", 41);
    const dialog = Dialog.asUac(
      invite,
      createResponse(invite, 200, undefined, "callee"),
      new FakeConnection({ reliable: true }),
      endpoint,
    );
    expect(dialog.remoteSeq).toBeUndefined();
    expect(dialog.acceptIncoming(fromPbx("BYE", 1, [], "uas"))).toBe(true);
    expect(dialog.remoteSeq).toBe(1);
  });
});

describe("Dialog remote target refresh (RFC 3261 §12.2.2)", () => {
  it("moves to the Contact of a re-INVITE or UPDATE, not of other requests", () => {
    const { dialog } = uasDialog();
    dialog.acceptIncoming(fromPbx("INFO", 8, ["Contact: <sip:elsewhere@10.0.0.9>"], "uas"));
    expect(dialog.remoteTarget).toBe("sip:pbx@10.0.0.1:5061;transport=tls");
    dialog.acceptIncoming(fromPbx("INVITE", 9, ["Contact: <sip:moved@10.0.0.2:5061>"], "uas"));
    expect(dialog.remoteTarget).toBe("sip:moved@10.0.0.2:5061");
    dialog.acceptIncoming(fromPbx("UPDATE", 10, ["Contact: <sip:again@10.0.0.3>"], "uas"));
    expect(dialog.createRequest("BYE").uri).toBe("sip:again@10.0.0.3");
  });

  it("keeps the target of a re-INVITE without Contact, and of one it refused as out of order", () => {
    const { dialog } = uasDialog();
    dialog.acceptIncoming(fromPbx("INVITE", 9, [], "uas"));
    expect(dialog.remoteTarget).toBe("sip:pbx@10.0.0.1:5061;transport=tls");
    expect(dialog.acceptIncoming(fromPbx("INVITE", 3, ["Contact: <sip:stale@10.0.0.4>"], "uas"))).toBe(false);
    expect(dialog.remoteTarget).toBe("sip:pbx@10.0.0.1:5061;transport=tls");
  });
});

describe("Dialog UAC state and target (RFC 3261 §12.1.2)", () => {
  it("is early from a 1xx with a To tag and confirmed from a 2xx; targets the response's Contact", () => {
    const invite = fromPbx("INVITE", 1);
    const ringing = createResponse(invite, 180, undefined, "callee");
    ringing.headers.set("contact", "<sip:callee@10.0.0.2>");
    const early = Dialog.asUac(invite, ringing, new FakeConnection({ reliable: true }), endpoint);
    expect(early.state).toBe("early");
    expect(early.remoteTarget).toBe("sip:callee@10.0.0.2");
    const confirmed = Dialog.asUac(
      invite,
      createResponse(invite, 200, undefined, "callee"),
      new FakeConnection({ reliable: true }),
      endpoint,
    );
    expect(confirmed.state).toBe("confirmed");
    // No Contact in the 2xx: the INVITE's Request-URI stays the target.
    expect(confirmed.remoteTarget).toBe(invite.uri);
  });
});

describe("Dialog requests (RFC 3261 §12.2.1.1)", () => {
  it("gives each request a fresh RFC 3261 branch on our Via for the dialog's connection", () => {
    const { dialog, connection } = uasDialog();
    const one = dialog.createRequest("INFO");
    const two = dialog.createRequest("INFO");
    expect(one.topVia.branch).toMatch(/^z9hG4bK/);
    expect(one.topVia.branch).not.toBe(two.topVia.branch);
    expect(one.headers.get("via")).toMatch(
      new RegExp(`^SIP/2\\.0/TLS emulator\\.test:${connection.localPort};branch=`),
    );
    expect(one.headers.get("max-forwards")).toBe("70");
  });

  it("puts our Contact on requests that may refresh the target, not on ACK, CANCEL or BYE", () => {
    const { dialog } = uasDialog();
    const contact = "<sip:connector@emulator.test:65061;transport=tls>";
    expect(dialog.createRequest("INVITE").headers.get("contact")).toBe(contact);
    expect(dialog.createRequest("INFO").headers.get("contact")).toBe(contact);
    for (const method of ["ACK", "CANCEL", "BYE"]) {
      expect(dialog.createRequest(method).headers.has("contact"), method).toBe(false);
    }
  });

  it("carries a body with its type and extra headers, which may replace the defaults", () => {
    const { dialog } = uasDialog();
    const info = dialog.createRequest("INFO", {
      body: "Signal=5\r\nDuration=160\r\n",
      contentType: "application/dtmf-relay",
      headers: { "max-forwards": "10", subject: "dtmf" },
    });
    expect(info.body.toString()).toBe("Signal=5\r\nDuration=160\r\n");
    expect(info.headers.get("content-type")).toBe("application/dtmf-relay");
    expect(info.headers.get("max-forwards")).toBe("10");
    expect(info.headers.get("subject")).toBe("dtmf");
  });

  it("sends an ACK for a 2xx without a transaction, over the dialog's connection", () => {
    const invite = fromPbx("INVITE", 3);
    const connection = new FakeConnection({ reliable: true });
    const dialog = Dialog.asUac(
      invite,
      createResponse(invite, 200, undefined, "callee"),
      connection,
      endpoint,
    );
    const ack = dialog.createAck(3);
    expect(dialog.sendStateless(ack)).toBe(true);
    expect(connection.last).toBe(ack);
    connection.close();
    expect(dialog.sendStateless(dialog.createAck(3))).toBe(false);
  });
});
