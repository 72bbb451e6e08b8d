import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Call } from "../../../src/b2bua/call.js";
import { PbxInbound } from "../../../src/b2bua/pbx-inbound.js";
import { MediaEngine } from "../../../src/media/index.js";
import type { SipConnection } from "../../../src/sip/transport/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { until } from "../../support/until.js";
import { FakePorts, FakeServerTx, OFFER, reply, request, START, TRUNK, user } from "./b2bua-fakes.js";

let ports: FakePorts;
let inbound: PbxInbound;
let pbx: SipConnection;

beforeEach(() => {
  ports = new FakePorts();
  inbound = new PbxInbound(ports);
  pbx = ports.trunkConnection();
});
afterEach(() => ports.dispose());

/** The PBX dials `number` with an SDP offer; returns the transaction and the call it made, if any. */
function dial(number: string, options: { connection?: SipConnection; body?: string } = {}) {
  const tx = new FakeServerTx(
    request("INVITE", `sip:${number}@192.0.2.10:5061;transport=tls`, { body: options.body ?? OFFER }),
    options.connection ?? pbx,
  );
  inbound.handle(tx);
  return { tx, call: ports.journal.list()[0] };
}

function behave(behaviour: Record<string, unknown>): void {
  ports.users.set("us_al", user({ callBehaviour: behaviour }));
}

describe("PbxInbound: who may call whom", () => {
  it("refuses an INVITE from a connection no trunk registered on, and journals nothing", () => {
    const { tx } = dial("+4923026672131", { connection: new FakeConnection({ reliable: true }) });
    expect(tx.final?.status).toBe(403);
    expect(tx.final?.reason).toBe("Forbidden: INVITE not from a registered trunk connection");
    expect(ports.journal.list()).toEqual([]);
  });

  it("answers 503 when every line of the trunk is busy, and journals the refused call", () => {
    for (let i = 0; i < 2; i++)
      ports.journal.add(
        new Call(`busy-${i}`, "pbx-to-user", "tn_1", TRUNK.id, TRUNK.name, null, "a", "b", START, "echo"),
      );
    const tx = new FakeServerTx(request("INVITE", "sip:+4923026672131@192.0.2.10", { body: OFFER }), pbx);
    inbound.handle(tx);
    expect(tx.final?.status).toBe(503);
    expect(tx.final?.reason).toBe("Service Unavailable: all trunk lines busy (2/2)");
    const refused = ports.journal.list({ state: "ended" })[0]!;
    expect(refused).toMatchObject({
      finalStatus: 503,
      hangupCause: "all trunk lines busy",
      endedBy: "emulator",
    });
    // The refused call gave its line back: still the two busy ones.
    expect(ports.journal.linesInUse(TRUNK.id)).toBe(2);
  });

  it("answers 404 in the vendor's words when a short number reaches an international plan", () => {
    const { tx, call } = dial("2131");
    expect(tx.final?.status).toBe(404);
    expect(tx.final?.reason).toBe(
      "Not Found: 2131 does not match the Unify Phone numbering plan (international E.164, e.g. +49…)",
    );
    expect(call).toMatchObject({ state: "ended", finalStatus: 404, endedBy: "emulator" });
  });

  it("finds the user whatever international form the PBX dials (00…, +…)", () => {
    behave({ mode: "busy" });
    const { tx, call } = dial("004923026672131");
    expect(tx.final?.status).toBe(486);
    expect(call?.userId).toBe("us_al");
  });
});

describe("PbxInbound: the virtual user's behaviour", () => {
  it("busy, reject and unavailable answer at once, ended by the user", () => {
    const cases = [
      [{ mode: "busy" }, 486, "Busy Here", "user busy"],
      [{ mode: "reject" }, 603, "Decline", "rejected by the user"],
      [{ mode: "unavailable" }, 480, "Temporarily Unavailable", "user unavailable"],
    ] as const;
    for (const [behaviour, status, reason, cause] of cases) {
      behave({ ...behaviour, routing: "virtual-only" });
      const tx = new FakeServerTx(request("INVITE", "sip:+4923026672131@192.0.2.10", { body: OFFER }), pbx);
      inbound.handle(tx);
      expect(tx.statuses()).toEqual([status]);
      expect(tx.final?.reason).toBe(reason);
      const call = ports.journal.list().find((c) => c.hangupCause === cause);
      expect(call).toMatchObject({ endedBy: "user", finalStatus: status });
    }
    expect(ports.journal.linesInUse(TRUNK.id)).toBe(0);
  });

  it("forward answers 302 with the target in Contact and the dialled user in Diversion", () => {
    behave({ mode: "forward", to: "+4930999" });
    const { tx, call } = dial("+4923026672131");
    expect(tx.final?.status).toBe(302);
    expect(tx.final?.headers.get("contact")).toBe("<sip:+4930999@unify.test>");
    expect(tx.final?.headers.get("diversion")).toBe("<sip:+4923026672131@unify.test>;reason=unconditional");
    expect(call?.hangupCause).toBe("forwarded to +4930999");
  });

  it("answers 503 when no RTP port is free for the virtual user's media", async () => {
    const { tx, call } = dial("+4923026672131");
    await until(() => tx.final !== undefined, "the final response");
    expect(tx.final?.reason).toBe("Service Unavailable: no media port free");
    expect(call).toMatchObject({
      endedBy: "emulator",
      hangupCause: "no media port: no free port in 40000-40001",
    });
  });

  it("clients-only with no client registered answers 480 without ringing anyone", () => {
    behave({ routing: "clients-only" });
    const { tx, call } = dial("+4923026672131");
    expect(tx.statuses()).toEqual([480]);
    expect(tx.final?.reason).toBe("Temporarily Unavailable: no client of the user is registered");
    expect(call?.endedBy).toBe("emulator");
    expect(ports.sent).toEqual([]);
  });
});

describe("PbxInbound: forked to the user's clients (RFC 3261 §16.7 choice of the final response)", () => {
  let engine: MediaEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });
  /** Client calls are anchored: a real engine on loopback gives the call its two legs. */
  function anchorMedia(): void {
    engine = new MediaEngine({ host: "127.0.0.1", bind: "127.0.0.1", portRange: { min: 46600, max: 46699 } });
    (ports as { media: FakePorts["media"] }).media = engine;
  }

  it("rings the PBX once at the first client's 180, not again at the next", () => {
    behave({ routing: "clients-only" });
    ports.clientConnection("us_al");
    ports.clientConnection("us_al");
    const { tx, call } = dial("+4923026672131");
    const [a, b] = ports.sentOf("INVITE");
    // Late offer toward the clients (RFC 3261 §13.2.1): each offers what it speaks in its 2xx.
    expect(a?.request.body.length).toBe(0);
    a!.delegate.onResponse(reply(a!.request, 180, "Ringing", { toTag: "a" }));
    b!.delegate.onResponse(reply(b!.request, 180, "Ringing", { toTag: "b" }));
    expect(tx.statuses()).toEqual([180]);
    expect(call?.state).toBe("ringing");
  });

  it("the first client's 2xx wins: the PBX gets 200 with the connector's anchored SDP, the other client a CANCEL", async () => {
    anchorMedia();
    behave({ routing: "clients-only" });
    ports.clientConnection("us_al");
    ports.clientConnection("us_al");
    const { tx, call } = dial("+4923026672131");
    const [a, b] = ports.sentOf("INVITE");
    b!.delegate.onResponse(reply(b!.request, 180, "Ringing", { toTag: "b" }));
    const clientOffer =
      "v=0\r\no=- 2 2 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 5000 RTP/AVP 8\r\n";
    a!.delegate.onResponse(reply(a!.request, 200, "OK", { toTag: "a", body: clientOffer }));
    await until(() => tx.final !== undefined, "the PBX's final response");
    expect(tx.final?.status).toBe(200);
    const answer = tx.final!.body.toString();
    // The PBX sees the connector's media address and a port of its range, never the client's.
    expect(answer).toContain("c=IN IP4 127.0.0.1");
    expect(answer).toMatch(/m=audio 466\d\d RTP\/AVP 8/);
    expect(answer).not.toContain("198.51.100.7");
    expect(ports.answered.map((x) => x.tx)).toEqual([tx]);
    const cancels = ports.sentOf("CANCEL");
    expect(cancels.map((c) => c.connection)).toEqual([b!.connection]);
    expect(cancels[0]?.request.callId).toBe(b!.request.callId);
    expect(call?.state).toBe("answered");
    // Client and PBX dialogs are joined for the relay of later requests.
    const entries = [...ports.dialogs.values()];
    expect(entries.map((e) => e.leg).sort()).toEqual(["client", "pbx"]);
    expect(entries.every((e) => e.peer !== undefined)).toBe(true);
  });

  it("a client's 503 reaches the PBX as 500, so the PBX does not take the connector for down", () => {
    behave({ routing: "clients-only" });
    ports.clientConnection("us_al");
    const { tx, call } = dial("+4923026672131");
    const [a] = ports.sentOf("INVITE");
    a!.delegate.onResponse(reply(a!.request, 503, "Service Unavailable", { toTag: "a" }));
    expect(tx.final?.status).toBe(500);
    expect(tx.final?.reason).toBe("Server Internal Error");
    expect(call?.hangupCause).toContain("503 Service Unavailable");
  });

  it("when every branch fails, a 6xx wins over the virtual user's 4xx", () => {
    behave({ mode: "unavailable" });
    ports.clientConnection("us_al");
    const { tx } = dial("+4923026672131");
    // The virtual user refused at once; the PBX hears nothing until the client answers.
    expect(tx.final).toBeUndefined();
    const [a] = ports.sentOf("INVITE");
    a!.delegate.onResponse(reply(a!.request, 603, "Decline", { toTag: "a" }));
    expect(tx.final?.status).toBe(603);
  });

  it("within one class the first failure to arrive is the answer (the virtual user's 480 before the client's 486)", () => {
    behave({ mode: "unavailable" });
    ports.clientConnection("us_al");
    const { tx, call } = dial("+4923026672131");
    const [a] = ports.sentOf("INVITE");
    a!.delegate.onResponse(reply(a!.request, 486, "Busy Here", { toTag: "a" }));
    expect(tx.final?.status).toBe(480);
    expect(call).toMatchObject({ hangupCause: "user unavailable", endedBy: "user" });
  });

  it("a CANCEL from the PBX answers 487 and cancels the ringing clients", () => {
    behave({ routing: "clients-only" });
    ports.clientConnection("us_al");
    const { tx, call } = dial("+4923026672131");
    const [a] = ports.sentOf("INVITE");
    a!.delegate.onResponse(reply(a!.request, 180, "Ringing", { toTag: "a" }));
    inbound.cancelled(tx);
    expect(tx.final?.status).toBe(487);
    expect(call).toMatchObject({ endedBy: "pbx", hangupCause: "cancelled by the PBX" });
    expect(ports.sentOf("CANCEL")).toHaveLength(1);
  });

  it("the PBX CANCEL's Reason (RFC 3326) goes on to the ringing clients' CANCEL", () => {
    behave({ routing: "clients-only" });
    ports.clientConnection("us_al");
    const { tx } = dial("+4923026672131");
    const [a] = ports.sentOf("INVITE");
    a!.delegate.onResponse(reply(a!.request, 180, "Ringing", { toTag: "a" }));
    const reason = 'SIP;cause=200;text="Call completed elsewhere"';
    inbound.cancelled(tx, reason);
    expect(ports.sentOf("CANCEL")[0]!.request.headers.get("reason")).toBe(reason);
  });
});
