import pino from "pino";
import { describe, expect, it } from "vitest";
import { ControllableClock } from "../../../../src/shared/clock.js";
import { SipRouter, SipStack } from "../../../../src/sip/core/index.js";
import { createResponse, type SipMessage } from "../../../../src/sip/message/index.js";
import { newBranch } from "../../../../src/sip/transaction/index.js";
import type { SipConnection, SipFaultHooks, TransportLimits } from "../../../../src/sip/transport/index.js";
import { FakeConnection } from "../../../support/fake-connection.js";
import { outgoing, RecordingDelegate, req, res } from "../transaction/harness.js";

const LIMITS: TransportLimits = {
  maxMessageSize: 4096,
  maxHeaders: 50,
  maxConnectionsPerSource: 4,
  maxConnections: 16,
  idleTimeoutMs: 60_000,
  partialMessageTimeoutMs: 60_000,
};

function stack(faults?: SipFaultHooks) {
  const router = new SipRouter(pino({ level: "silent" }));
  const sip = new SipStack(
    LIMITS,
    new ControllableClock({ frozen: true }),
    router,
    pino({ level: "silent" }),
    faults,
  );
  return { router, sip, conn: new FakeConnection({ reliable: true }) };
}

describe("SipStack: transport → transaction → router", () => {
  it("delivers a received request through the transaction layer to the router's handler", () => {
    const { router, sip, conn } = stack();
    router.on("INFO", (tx) => tx.respond(createResponse(tx.request, 200, "OK")));
    sip.onMessage(req("INFO", { branch: newBranch() }), conn);
    expect(conn.last?.kind === "response" && conn.last.status).toBe(200);
  });

  it("discards a response with more than one Via (RFC 3261 §8.1.3.3), takes the same with one", () => {
    const { sip, conn } = stack();
    const delegate = new RecordingDelegate();
    const request = outgoing("OPTIONS", newBranch());
    sip.transactions.sendRequest(request, conn, delegate);
    const twoVias = res(request, 200);
    twoVias.headers.set("via", [
      ...twoVias.headers.getAll("via"),
      "SIP/2.0/TLS proxy.example;branch=z9hG4bKx",
    ]);
    sip.onMessage(twoVias, conn);
    expect(delegate.responses).toEqual([]);
    sip.onMessage(res(request, 200), conn);
    expect(delegate.responses.map((r) => r.status)).toEqual([200]);
  });

  it("passes received messages through the sip.in fault hook, which decides whether they arrive", () => {
    const held: (() => void)[] = [];
    const faults: SipFaultHooks = {
      incoming: (_message, _connection, deliver) => held.push(deliver),
      outgoing: (_message, _connection, write) => write(Buffer.alloc(0)),
    };
    const { router, sip, conn } = stack(faults);
    const handled: string[] = [];
    router.on("INFO", (tx) => handled.push(tx.request.callId));
    sip.onMessage(req("INFO", { branch: newBranch(), callId: "held" }), conn);
    expect(handled).toEqual([]);
    held[0]!();
    expect(handled).toEqual(["held"]);
  });

  it("survives a fault hook or a layer that throws: the message is lost, the process is not", () => {
    const throwing: SipFaultHooks = {
      incoming: () => {
        throw new Error("hook bug");
      },
      outgoing: () => {},
    };
    expect(() =>
      stack(throwing).sip.onMessage(
        req("INFO", { branch: newBranch() }),
        new FakeConnection({ reliable: true }),
      ),
    ).not.toThrow();
    const { sip, conn } = stack();
    const broken = { kind: "request", method: "INFO" } as unknown as SipMessage;
    expect(() => sip.onMessage(broken, conn)).not.toThrow();
  });

  it("ends a closed connection's transactions and tells its listeners why", () => {
    const { sip, conn } = stack();
    const closed: { connection: SipConnection; reason: string }[] = [];
    sip.connectionClosed.on((event) => closed.push(event));
    const delegate = new RecordingDelegate();
    sip.transactions.sendRequest(outgoing("OPTIONS", newBranch()), conn, delegate);
    sip.onConnectionClosed(conn, "closed by peer");
    expect(delegate.transportErrors).toBe(1);
    expect(closed).toEqual([{ connection: conn, reason: "closed by peer" }]);
  });

  it("shuts down once: endCalls runs one time however often shutdown is asked for, and a failing one does not stop it", async () => {
    const { sip } = stack();
    let ended = 0;
    const endCalls = () => {
      ended++;
      throw new Error("BYE failed");
    };
    const first = sip.shutdown(100, endCalls);
    expect(sip.shutdown(100, endCalls)).toBe(first);
    await first;
    expect(ended).toBe(1);
  });
});
