import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PbxInbound } from "../../../src/b2bua/pbx-inbound.js";
import { PbxOutbound } from "../../../src/b2bua/pbx-outbound.js";
import type { Binding } from "../../../src/registrar/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { FakePorts, FakeServerTx, OFFER, request, user } from "./b2bua-fakes.js";

/*
 * A tenant that is not functional (its JWT, decided by the services): the B2BUA refuses its
 * calls both ways with the cause it is given, journals them, and asks again on every call.
 */

const EXPIRED = { code: "jwt_expired", cause: "JWT expired", detail: "the JWT of tenant Acme expired" };
const TEXT = "Unify Phone not functional: JWT expired";

let ports: FakePorts;

beforeEach(() => {
  ports = new FakePorts();
});
afterEach(() => ports.dispose());

describe("PBX → user while the tenant is not functional", () => {
  it("answers 480 with the cause in the reason and a Warning 399, and journals the call", () => {
    ports.outages.set("tn_1", EXPIRED);
    const tx = new FakeServerTx(
      request("INVITE", "sip:+4923026672131@192.0.2.10", { body: OFFER }),
      ports.trunkConnection(),
    );
    new PbxInbound(ports).handle(tx);
    expect(tx.final?.status).toBe(480);
    expect(tx.final?.reason).toBe(`Temporarily Unavailable: ${TEXT}`);
    expect(tx.final?.headers.get("warning")).toBe(`399 ${ports.domain} "${TEXT}"`);
    expect(ports.journal.list()[0]).toMatchObject({
      state: "ended",
      finalStatus: 480,
      hangupCause: TEXT,
      endedBy: "emulator",
    });
  });

  it("is asked on every INVITE: functional again, the user is reached", () => {
    ports.outages.set("tn_1", EXPIRED);
    const inbound = new PbxInbound(ports);
    const pbx = ports.trunkConnection();
    const first = new FakeServerTx(request("INVITE", "sip:+4923026672131@192.0.2.10", { body: OFFER }), pbx);
    inbound.handle(first);
    ports.outages.clear();
    ports.users.set("us_al", user({ callBehaviour: { mode: "busy" } }));
    const second = new FakeServerTx(request("INVITE", "sip:+4923026672131@192.0.2.10", { body: OFFER }), pbx);
    inbound.handle(second);
    expect([first.final?.status, second.final?.status]).toEqual([480, 486]);
  });
});

describe("user → PBX while the tenant is not functional", () => {
  it("refuses before any INVITE, naming the outage; the call is journalled with the cause", async () => {
    const pbx = new FakeConnection({ reliable: true });
    ports.flow = {
      binding: { contact: "sip:x@203.0.113.5", connectionId: pbx.id } as Binding,
      connection: pbx,
    };
    ports.outages.set("tn_1", EXPIRED);
    const started = await new PbxOutbound(ports, "number").start(user(), "+4930123");
    expect(started).toMatchObject({ kind: "tenant_not_functional", outage: EXPIRED, detail: EXPIRED.detail });
    expect((started as { call: unknown }).call).toMatchObject({ finalStatus: 480, hangupCause: TEXT });
    expect(ports.sent).toEqual([]);
  });

  it("names the outage even for a user without a trunk (nothing to journal)", async () => {
    ports.outages.set("tn_1", EXPIRED);
    const started = await new PbxOutbound(ports, "number").start(user({ trunkId: undefined }), "+4930123");
    expect(started).toEqual({ kind: "tenant_not_functional", outage: EXPIRED, detail: EXPIRED.detail });
  });
});
