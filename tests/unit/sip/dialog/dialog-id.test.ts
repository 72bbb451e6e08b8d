import { describe, expect, it } from "vitest";
import {
  Dialog,
  dialogKey,
  dialogKeyOfIncoming,
  type LocalEndpoint,
} from "../../../../src/sip/dialog/index.js";
import { parseMessage, type SipRequest } from "../../../../src/sip/message/index.js";
import { FakeConnection } from "../../../support/fake-connection.js";

const endpoint: LocalEndpoint = {
  via: (c) => `SIP/2.0/${c.protocol} emulator.test:${c.localPort}`,
  contact: (c) => `sip:connector@emulator.test:${c.localPort}`,
};

function request(method: string, from: string, to: string, callId = "id-1"): SipRequest {
  const text = [
    `${method} sip:100@emulator.test SIP/2.0`,
    "Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKid",
    `From: ${from}`,
    `To: ${to}`,
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    "Contact: <sip:pbx@10.0.0.1:5061>",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe("dialog ids (RFC 3261 §12)", () => {
  it("are Call-ID, local tag and remote tag: any of them differing is another dialog", () => {
    const key = dialogKey("c1", "a", "b");
    expect(dialogKey("c1", "a", "b")).toBe(key);
    expect(
      new Set([key, dialogKey("c2", "a", "b"), dialogKey("c1", "x", "b"), dialogKey("c1", "a", "x")]).size,
    ).toBe(4);
    // The parts cannot run into each other: ("c1a", "b") is not ("c1", "ab").
    expect(dialogKey("c1a", "", "b")).not.toBe(dialogKey("c1", "a", "b"));
  });

  it("of an incoming request: our tag is in To, the peer's in From", () => {
    const bye = request("BYE", "<sip:pbx@10.0.0.1>;tag=theirs", "<sip:100@emulator.test>;tag=ours");
    expect(dialogKeyOfIncoming(bye)).toBe(dialogKey("id-1", "ours", "theirs"));
  });

  it("an incoming request without both tags belongs to no dialog", () => {
    expect(
      dialogKeyOfIncoming(request("INVITE", "<sip:pbx@10.0.0.1>;tag=theirs", "<sip:100@emulator.test>")),
    ).toBe(undefined);
    expect(
      dialogKeyOfIncoming(request("BYE", "<sip:pbx@10.0.0.1>", "<sip:100@emulator.test>;tag=ours")),
    ).toBe(undefined);
  });

  it("a UAS dialog's key is the key of the peer's later requests in it", () => {
    const invite = request("INVITE", "<sip:pbx@10.0.0.1>;tag=theirs", "<sip:100@emulator.test>");
    const dialog = Dialog.asUas(invite, "ours", new FakeConnection({ reliable: true }), endpoint);
    const bye = request("BYE", "<sip:pbx@10.0.0.1>;tag=theirs", "<sip:100@emulator.test>;tag=ours");
    expect(dialog.key).toBe(dialogKeyOfIncoming(bye));
  });
});
