import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClientOutbound } from "../../../src/b2bua/client-outbound.js";
import { PbxOutbound } from "../../../src/b2bua/pbx-outbound.js";
import { MediaEngine } from "../../../src/media/index.js";
import type { Binding } from "../../../src/registrar/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { until } from "../../support/until.js";
import { FakePorts, FakeServerTx, OFFER, reply, request } from "./b2bua-fakes.js";

let ports: FakePorts;
let clients: ClientOutbound;
let pbx: FakeConnection;
let engine: MediaEngine;

beforeEach(() => {
  ports = new FakePorts();
  // The client's media is anchored: a real engine on loopback gives the call its two legs.
  engine = new MediaEngine({ host: "127.0.0.1", bind: "127.0.0.1", portRange: { min: 46500, max: 46599 } });
  (ports as { media: FakePorts["media"] }).media = engine;
  pbx = new FakeConnection({ reliable: true });
  ports.flow = {
    binding: { contact: "sip:3919209257@203.0.113.5:5061;transport=tls", connectionId: pbx.id } as Binding,
    connection: pbx,
  };
  clients = new ClientOutbound(ports, new PbxOutbound(ports, "number"));
});
afterEach(async () => {
  ports.dispose();
  await engine.close();
});

/** The client of `from` dials `number` over `connection`. */
function clientDials(connection: FakeConnection, number: string, from = "us_al") {
  const tx = new FakeServerTx(
    request("INVITE", `sip:${number}@unify.test`, { from, callId: "client-call", body: OFFER }),
    connection,
  );
  void clients.handle(tx);
  return tx;
}

describe("ClientOutbound: which INVITEs are a client's", () => {
  it("a WebSocket or a connection a client registered on, never a trunk's", () => {
    const trunk = ports.trunkConnection();
    const ws = new FakeConnection({ reliable: true, protocol: "WSS" });
    const tls = new FakeConnection({ reliable: true });
    expect(clients.fromClientSide(trunk)).toBe(false);
    expect(clients.fromClientSide(ws)).toBe(true);
    expect(clients.fromClientSide(tls)).toBe(false);
    ports.usersOn.set(tls.id, ["us_al"]);
    expect(clients.fromClientSide(tls)).toBe(true);
  });
});

describe("ClientOutbound: refusals", () => {
  it("403 when no client registered on the connection", () => {
    const tx = clientDials(new FakeConnection({ reliable: true, protocol: "WSS" }), "+4930123");
    expect(tx.final?.status).toBe(403);
    expect(tx.final?.reason).toBe("Forbidden: no Unify Phone client is registered on this connection");
  });

  it("403 when the caller is not the user who registered there", () => {
    const { connection } = ports.clientConnection("us_al");
    const tx = clientDials(connection, "+4930123", "us_bob");
    expect(tx.final?.reason).toBe("Forbidden: us_bob has no client registered on this connection");
  });

  it("480 with the reason when the user's trunk is not connected, and the journal says so", async () => {
    ports.flow = undefined;
    const { connection } = ports.clientConnection("us_al");
    const tx = clientDials(connection, "+4930123");
    await until(() => tx.final !== undefined, "the final response");
    expect(tx.final?.status).toBe(480);
    expect(tx.final?.reason).toMatch(/^Temporarily Unavailable: trunk gtc-001 is not registered/);
    const call = ports.journal.list()[0];
    expect(call?.legs.find((l) => l.kind === "client")).toMatchObject({ callId: "client-call", status: 480 });
  });
});

describe("ClientOutbound: anchoring refusals", () => {
  it("503 when no media port is free for the call's legs; nothing goes to the PBX", async () => {
    (ports as { media: FakePorts["media"] }).media = new FakePorts().media;
    const { connection } = ports.clientConnection("us_al");
    const tx = clientDials(connection, "+4930123");
    await until(() => tx.final !== undefined, "the final response");
    expect(tx.final?.status).toBe(503);
    expect(tx.final?.reason).toMatch(/^Service Unavailable: no media port free/);
    expect(ports.sentOf("INVITE")).toEqual([]);
  });
});

describe("ClientOutbound: the call relayed to the PBX", () => {
  it("offers the PBX the connector's anchored media, passes the PBX's 18x and refusal back, with our To tag", async () => {
    const { connection } = ports.clientConnection("us_al");
    const tx = clientDials(connection, "+4930123");
    await until(() => ports.sentOf("INVITE").length === 1, "the INVITE to the PBX");
    const [invite] = ports.sentOf("INVITE");
    expect(invite?.connection).toBe(pbx);
    // The connector's address and a port of its range, with the client's codecs only.
    const offer = invite!.request.body.toString();
    expect(offer).toMatch(/^c=IN IP4 127\.0\.0\.1$/m);
    expect(offer).toMatch(/^m=audio 465\d\d RTP\/AVP 0 8 101$/m);
    expect(offer).not.toContain("203.0.113.5");
    invite!.delegate.onResponse(reply(invite!.request, 100, "Trying"));
    invite!.delegate.onResponse(reply(invite!.request, 183, "Session Progress", { toTag: "p" }));
    invite!.delegate.onResponse(reply(invite!.request, 486, "Busy Here", { toTag: "p" }));
    // 100 stays hop by hop; 183 and 486 go back under the tag we chose for the client.
    expect(tx.statuses()).toEqual([183, 486]);
    const tags = tx.responses.map((r) => r.to.params.tag);
    expect(tags[0]).toBeTruthy();
    expect(tags[1]).toBe(tags[0]);
    expect(tags[0]).not.toBe("p");
  });

  it("CANCEL from the client: 487 at once, the CANCEL toward the PBX after its provisional", async () => {
    const { connection } = ports.clientConnection("us_al");
    const tx = clientDials(connection, "+4930123");
    await until(() => ports.sentOf("INVITE").length === 1, "the INVITE to the PBX");
    expect(clients.cancelled(tx)).toBe(true);
    expect(tx.final?.status).toBe(487);
    expect(ports.sentOf("CANCEL")).toEqual([]);
    const [invite] = ports.sentOf("INVITE");
    invite!.delegate.onResponse(reply(invite!.request, 180, "Ringing", { toTag: "p" }));
    expect(ports.sentOf("CANCEL")).toHaveLength(1);
    // The PBX's ringing is not passed to a client that cancelled.
    expect(tx.statuses()).toEqual([487]);
  });
});
