import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Call } from "../../../src/b2bua/call.js";
import { type OutboundRelay, PbxOutbound } from "../../../src/b2bua/pbx-outbound.js";
import type { Binding } from "../../../src/registrar/index.js";
import type { SipResponse } from "../../../src/sip/message/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { FakePorts, OFFER, reply, START, TRUNK, user } from "./b2bua-fakes.js";

let ports: FakePorts;
let pbx: FakeConnection;

const CONTACT = "sip:3919209257@203.0.113.5:5061;transport=tls";

beforeEach(() => {
  ports = new FakePorts();
  pbx = new FakeConnection({ reliable: true });
  ports.flow = { binding: { contact: CONTACT, connectionId: pbx.id } as Binding, connection: pbx };
});
afterEach(() => ports.dispose());

/** A client's call relayed to the PBX: what the PBX answered reaches these arrays. */
function relay(offer: string | null = OFFER) {
  const seen = { provisional: [] as number[], failed: [] as string[], answered: [] as SipResponse[] };
  const r: OutboundRelay = {
    offer,
    clientCallId: "client-call-1",
    provisional: (response) => seen.provisional.push(response.status),
    answered: (response) => seen.answered.push(response),
    failed: (status, reason) => seen.failed.push(`${status} ${reason}`),
  };
  return { relay: r, seen };
}

describe("PbxOutbound: refusals before any INVITE", () => {
  it("a user without a trunk cannot call", async () => {
    const outbound = new PbxOutbound(ports, "number");
    const started = await outbound.start(user({ trunkId: undefined }), "+4930123");
    expect(started).toEqual({ kind: "user_not_assigned", detail: "al@acme.test is not assigned to a trunk" });
    expect(ports.sent).toEqual([]);
  });

  it("a trunk whose PBX is not connected: the call is journalled and ended by the emulator", async () => {
    ports.flow = undefined;
    const outbound = new PbxOutbound(ports, "number");
    const started = await outbound.start(user(), "+4930123", { relay: relay().relay });
    expect(started).toMatchObject({ kind: "trunk_not_registered" });
    const call = (started as { call: Call }).call;
    expect(call).toMatchObject({ state: "ended", endedBy: "emulator" });
    expect(call.hangupCause).toBe(
      "trunk gtc-001 is not registered: the PBX has no connection to the connector",
    );
    expect(ports.sent).toEqual([]);
  });

  it("counts the new call among the trunk's lines: over the limit it is refused as busy", async () => {
    ports.journal.add(
      new Call("c1", "pbx-to-user", "tn_1", TRUNK.id, TRUNK.name, null, "a", "b", START, "echo"),
    );
    ports.journal.add(
      new Call("c2", "pbx-to-user", "tn_1", TRUNK.id, TRUNK.name, null, "a", "b", START, "echo"),
    );
    const outbound = new PbxOutbound(ports, "number");
    const started = await outbound.start(user(), "+4930123", { relay: relay().relay });
    expect(started).toMatchObject({ kind: "trunk_lines_busy", detail: "all trunk lines busy (2/2)" });
    expect(ports.journal.linesInUse(TRUNK.id)).toBe(2);
  });
});

describe("PbxOutbound: the INVITE toward the PBX", () => {
  it("goes over the trunk's registered connection, the number in the Request-URI (OSBiz)", async () => {
    const outbound = new PbxOutbound(ports, "number");
    await outbound.start(user(), "+4930123", { relay: relay().relay });
    const [invite] = ports.sentOf("INVITE");
    expect(invite?.connection).toBe(pbx);
    expect(invite?.request.uri).toBe("sip:+4930123@203.0.113.5:5061;transport=tls");
    expect(invite?.request.headers.get("from")).toMatch(/^<sip:\+4923026672131@unify\.test>;tag=/);
    expect(invite?.request.headers.get("to")).toBe("<sip:+4930123@unify.test>");
    expect(invite?.request.body.toString()).toBe(OFFER);
  });

  it("with --inbound-request-uri contact keeps the registered Contact, the number only in To", async () => {
    const outbound = new PbxOutbound(ports, "contact");
    await outbound.start(user(), "+4930123", { relay: relay().relay });
    expect(ports.sentOf("INVITE")[0]?.request.uri).toBe(CONTACT);
  });

  it("a PBX refusal reaches the client's relay and ends the call, by the PBX", async () => {
    const outbound = new PbxOutbound(ports, "number");
    const { relay: r, seen } = relay();
    const call = (await outbound.start(user(), "+4930123", { relay: r })) as Call;
    const [invite] = ports.sentOf("INVITE");
    invite!.delegate.onResponse(reply(invite!.request, 180, "Ringing", { toTag: "p" }));
    invite!.delegate.onResponse(reply(invite!.request, 486, "Busy Here", { toTag: "p" }));
    expect(seen.provisional).toEqual([180]);
    expect(seen.failed).toEqual(["486 Busy Here"]);
    expect(call).toMatchObject({
      state: "ended",
      finalStatus: 486,
      hangupCause: "486 Busy Here",
      endedBy: "pbx",
    });
  });

  it("hanging up before any provisional sends the CANCEL only once one arrives (RFC 3261 §9.1)", async () => {
    const outbound = new PbxOutbound(ports, "number");
    const call = (await outbound.start(user(), "+4930123", { relay: relay().relay })) as Call;
    expect(outbound.cancel(call)).toBe(true);
    expect(ports.sentOf("CANCEL")).toEqual([]);
    const [invite] = ports.sentOf("INVITE");
    invite!.delegate.onResponse(reply(invite!.request, 100, "Trying"));
    const [cancel] = ports.sentOf("CANCEL");
    expect(cancel?.request.callId).toBe(invite!.request.callId);
    expect(cancel?.request.headers.get("via")).toBe(invite!.request.headers.get("via"));
    expect(cancel?.request.cseq).toEqual({ seq: 1, method: "CANCEL" });
    invite!.delegate.onResponse(reply(invite!.request, 487, "Request Terminated", { toTag: "p" }));
    expect(call).toMatchObject({ endedBy: "user", hangupCause: "cancelled by the user" });
  });

  it("a timeout toward the PBX ends the call 408 and tells the relay", async () => {
    const outbound = new PbxOutbound(ports, "number");
    const { relay: r, seen } = relay();
    const call = (await outbound.start(user(), "+4930123", { relay: r })) as Call;
    ports.sentOf("INVITE")[0]!.delegate.onTimeout?.();
    expect(seen.failed).toEqual(["408 no answer from the PBX (timeout)"]);
    expect(call).toMatchObject({ finalStatus: 408, endedBy: "emulator" });
  });
});
