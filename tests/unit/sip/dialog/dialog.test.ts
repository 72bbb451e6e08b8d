import { describe, expect, it } from "vitest";
import {
  copyRecordRoute,
  Dialog,
  type LocalEndpoint,
  routeRequest,
} from "../../../../src/sip/dialog/index.js";
import { createResponse, parseMessage, type SipRequest } from "../../../../src/sip/message/index.js";
import { FakeConnection } from "../../../support/fake-connection.js";

const endpoint: LocalEndpoint = {
  via: (c) => `SIP/2.0/${c.protocol} emulator.test:${c.localPort}`,
  contact: (c) => `sip:connector@emulator.test:${c.localPort}`,
};

function invite(extra: string[] = []): SipRequest {
  const text = [
    "INVITE sip:+4923026672131@emulator.test SIP/2.0",
    "Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKinv1",
    "Max-Forwards: 70",
    "From: <sip:pbx@10.0.0.1>;tag=pbx",
    "To: <sip:+4923026672131@emulator.test>",
    "Call-ID: dlg-1",
    "CSeq: 7 INVITE",
    "Contact: <sip:pbx@10.0.0.1:5061;transport=tls>",
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe("routeRequest (RFC 3261 §12.2.1.1)", () => {
  const target = "sip:pbx@10.0.0.1:5061;transport=tls";

  it("without a route set: the remote target, no Route", () => {
    expect(routeRequest(target, [])).toEqual({ requestUri: target, routes: [] });
  });

  it("loose routing: the remote target as Request-URI, the route set as Route", () => {
    const set = ["<sip:p1.test;lr>", "<sip:p2.test;lr>"];
    expect(routeRequest(target, set)).toEqual({ requestUri: target, routes: set });
  });

  it("strict routing: the first route as Request-URI (no method, no headers), the remote target last", () => {
    const set = ["<sip:p1.test;transport=tcp;method=INVITE?x=y>", "<sip:p2.test;lr>"];
    expect(routeRequest(target, set)).toEqual({
      requestUri: "sip:p1.test;transport=tcp",
      routes: ["<sip:p2.test;lr>", `<${target}>`],
    });
  });
});

describe("copyRecordRoute (RFC 3261 §12.1.1)", () => {
  const request = invite([
    "Record-Route: <sip:p1.test;lr>, <sip:p2.test;lr>",
    "Record-Route: <sip:p3.test;lr>",
  ]);

  it.each([180, 183, 200])("copies every Record-Route, in order, into a %i", (status) => {
    const response = createResponse(request, status, undefined, "uas");
    copyRecordRoute(request, response);
    expect(response.headers.getAll("record-route")).toEqual([
      "<sip:p1.test;lr>",
      "<sip:p2.test;lr>",
      "<sip:p3.test;lr>",
    ]);
  });

  it.each([100, 486])("leaves a %i alone", (status) => {
    const response = createResponse(request, status, undefined, "uas");
    copyRecordRoute(request, response);
    expect(response.headers.has("record-route")).toBe(false);
  });
});

describe("Dialog", () => {
  it("as UAS, sends its requests with the Record-Route list as Route, in order", () => {
    const request = invite(["Record-Route: <sip:p1.test;lr>", "Record-Route: <sip:p2.test;lr>"]);
    const dialog = Dialog.asUas(request, "uas", new FakeConnection({ reliable: true }), endpoint);
    const bye = dialog.createRequest("BYE");
    expect(bye.headers.getAll("route")).toEqual(["<sip:p1.test;lr>", "<sip:p2.test;lr>"]);
    expect(bye.uri).toBe("sip:pbx@10.0.0.1:5061;transport=tls");
    expect(bye.cseq).toEqual({ seq: 1, method: "BYE" });
  });

  it("as UAC, takes the 2xx's Record-Route in reverse order; its ACK carries it", () => {
    const request = invite();
    const ok = createResponse(request, 200, undefined, "uas");
    ok.headers.set("contact", "<sip:callee@10.0.0.2:5061;transport=tls>");
    ok.headers.set("record-route", ["<sip:near-uas.test;lr>", "<sip:near-uac.test;lr>"]);
    const dialog = Dialog.asUac(request, ok, new FakeConnection({ reliable: true }), endpoint);
    const ack = dialog.createAck(7);
    expect(ack.headers.getAll("route")).toEqual(["<sip:near-uac.test;lr>", "<sip:near-uas.test;lr>"]);
    expect(ack.uri).toBe("sip:callee@10.0.0.2:5061;transport=tls");
    expect(ack.cseq).toEqual({ seq: 7, method: "ACK" });
  });

  it("follows its flow: a new open connection takes over; when it has none, the last one stays", () => {
    const first = new FakeConnection({ reliable: true });
    const second = new FakeConnection({ reliable: true });
    let current: FakeConnection | undefined = first;
    const dialog = Dialog.asUas(invite(), "uas", first, endpoint);
    dialog.followFlow(() => current);
    expect(dialog.connection).toBe(first);
    current = second;
    expect(dialog.connection).toBe(second);
    current = undefined;
    expect(dialog.connection).toBe(second);
    second.close();
    current = first;
    expect(dialog.connection).toBe(first);
  });

  it("keeps its connection when an in-dialog request arrives on another one", () => {
    const registered = new FakeConnection({ reliable: true });
    const dialog = Dialog.asUas(invite(), "uas", registered, endpoint);
    const info = invite();
    info.method = "INFO";
    info.headers.set("cseq", "8 INFO");
    expect(dialog.acceptIncoming(info)).toBe(true);
    expect(dialog.connection).toBe(registered);
  });
});
