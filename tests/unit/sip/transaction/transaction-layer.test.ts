import { describe, expect, it } from "vitest";
import { Headers, SipRequest, SipResponse } from "../../../../src/sip/message/index.js";
import { isRfc3261Branch } from "../../../../src/sip/transaction/branch.js";
import { isRfc3261BranchAt, newBranch, TransactionLayer } from "../../../../src/sip/transaction/index.js";
import { FakeConnection } from "../../../support/fake-connection.js";
import { ackFor, harness, outgoing, RecordingDelegate, req, res } from "./harness.js";

describe("TransactionLayer", () => {
  it("passes an ACK that matches no transaction to onAck (ACK for a 2xx)", () => {
    const { layer, user, conn } = harness(true);
    layer.receiveRequest(ackFor(req("INVITE"), "to1", "z9hG4bKack"), conn);
    expect(user.acks).toHaveLength(1);
    expect(user.requests).toHaveLength(0);
    expect(layer.size).toBe(0);
  });

  it("passes a response that matches no client transaction to onStrayResponse", () => {
    const { layer, user, conn } = harness(true);
    layer.receiveResponse(res(req("OPTIONS"), 200), conn);
    const noBranch = new SipResponse(
      200,
      "OK",
      new Headers([
        ["Via", "SIP/2.0/TLS 127.0.0.1:65061"],
        ["CSeq", "1 OPTIONS"],
      ]),
    );
    layer.receiveResponse(noBranch, conn);
    expect(user.strays).toHaveLength(2);
  });

  it("does not throw on a request whose headers it cannot read", () => {
    const { layer, user, conn } = harness(true);
    const broken = new SipRequest("OPTIONS", "sip:x@y", new Headers([["CSeq", "1 OPTIONS"]]));
    expect(() => layer.receiveRequest(broken, conn)).not.toThrow();
    const badTo = req("OPTIONS");
    badTo.headers.set("To", "<sip:unclosed");
    expect(() => layer.receiveRequest(badTo, conn)).not.toThrow();
    expect(() => layer.receiveResponse(new SipResponse(200, "OK"), conn)).not.toThrow();
    expect(user.requests).toHaveLength(0);
    expect(user.strays).toHaveLength(1);
  });

  it("refuses to start a client transaction without a usable branch, for ACK, or twice", () => {
    const { layer, conn } = harness(true);
    const delegate = new RecordingDelegate();
    expect(() => layer.sendRequest(outgoing("OPTIONS", "z9hG4bK"), conn, delegate)).toThrow(/branch/);
    expect(() => layer.sendRequest(outgoing("ACK", newBranch()), conn, delegate)).toThrow(/ACK/);
    const request = outgoing("OPTIONS", newBranch());
    layer.sendRequest(request, conn, delegate);
    expect(() => layer.sendRequest(request, conn, delegate)).toThrow(/already exists/);
    expect(layer.size).toBe(1);
  });

  it("keeps no entry for a non-INVITE answered at once over a reliable transport, and matches one answered later", () => {
    const { layer, user, conn } = harness(true);
    user.answerWith = 200;
    layer.receiveRequest(req("REGISTER", { branch: "z9hG4bKnow" }), conn);
    expect(conn.sent.map((m) => (m.kind === "response" ? m.status : 0))).toEqual([200]);
    expect(layer.size).toBe(0);
    expect(layer.pendingServerTransactions).toBe(0);
    user.answerWith = undefined;
    layer.receiveRequest(req("REGISTER", { branch: "z9hG4bKlater" }), conn);
    expect(layer.size).toBe(1);
    expect(layer.pendingServerTransactions).toBe(1);
    // A retransmission before the answer is absorbed by the live transaction, not passed on.
    layer.receiveRequest(req("REGISTER", { branch: "z9hG4bKlater" }), conn);
    expect(user.requests).toHaveLength(2);
    user.requests[1]!.respond(res(user.requests[1]!.request, 200));
    expect(layer.size).toBe(0);
    expect(layer.pendingServerTransactions).toBe(0);
  });

  it("isNewRequest: false for a live transaction's branch or merge key; hasServerTransactions: of a method", () => {
    const { layer, user, conn, clock } = harness(false);
    const topVia = req("REGISTER").topVia;
    const merge = { fromTag: "from1", callId: "call-1@10.0.0.1", seq: 1 };
    const isNew = (method: string, branch: string, m: typeof merge | undefined = merge) =>
      layer.isNewRequest(method, branch, topVia, m);
    expect(layer.hasServerTransactions("REGISTER")).toBe(false);
    expect(isNew("REGISTER", "z9hG4bKabc123")).toBe(true);
    // A live INVITE: REGISTERs are as new as before, an INVITE of its branch or key is not.
    layer.receiveRequest(req("INVITE", { branch: "z9hG4bKinv", callId: "inv", seq: 1 }), conn);
    expect(layer.hasServerTransactions("INVITE")).toBe(true);
    expect(layer.hasServerTransactions("REGISTER")).toBe(false);
    expect(isNew("INVITE", "z9hG4bKinv", undefined)).toBe(false);
    expect(isNew("INVITE", "z9hG4bKother", { ...merge, callId: "inv" })).toBe(false);
    expect(isNew("INVITE", "z9hG4bKother", { ...merge, callId: "inv", seq: 2 })).toBe(true);
    // A REGISTER over UDP stays in Completed after its 200 (Timer J): its branch and key are taken.
    layer.receiveRequest(req("REGISTER", { branch: "z9hG4bKreg" }), conn);
    user.requests[1]!.respond(res(user.requests[1]!.request, 200));
    expect(layer.hasServerTransactions("REGISTER")).toBe(true);
    expect(isNew("REGISTER", "z9hG4bKreg", undefined)).toBe(false);
    expect(isNew("REGISTER", "z9hG4bKnext")).toBe(false);
    expect(isNew("REGISTER", "z9hG4bKnext", { ...merge, seq: 2 })).toBe(true);
    // The same branch from another sent-by is another transaction.
    const elsewhere = req("REGISTER", { sentBy: "10.0.0.9:5060" }).topVia;
    expect(layer.isNewRequest("REGISTER", "z9hG4bKreg", elsewhere, undefined)).toBe(true);
    clock.advance(32_000);
    expect(layer.hasServerTransactions("REGISTER")).toBe(false);
    expect(isNew("REGISTER", "z9hG4bKreg")).toBe(true);
    expect(layer.hasServerTransactions("INVITE")).toBe(true);
    layer.close();
    expect(layer.hasServerTransactions("INVITE")).toBe(false);
  });

  it("answers a merged non-INVITE 482 while the first is unanswered, and ends one whose connection closed in the handler", () => {
    const { layer, user, conn } = harness(true);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bKfirst" }), conn);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bKsecond" }), conn);
    expect(user.requests).toHaveLength(1);
    expect(conn.sent.map((m) => (m.kind === "response" ? m.status : 0))).toEqual([482]);
    const closing = harness(true);
    closing.user.onRequest = (transaction) => transaction.connection.close("gone");
    closing.layer.receiveRequest(req("OPTIONS"), closing.conn);
    expect(closing.layer.size).toBe(0);
    expect(closing.layer.pendingServerTransactions).toBe(0);
  });

  it("creates distinct crypto-random branches with the magic cookie", () => {
    const branches = new Set(Array.from({ length: 100 }, () => newBranch()));
    expect(branches.size).toBe(100);
    for (const branch of branches) expect(branch).toMatch(/^z9hG4bK[0-9a-f]{32}$/);
  });

  it("reads an RFC 3261 branch the same from bytes as from text (a bare or miscased cookie is not one)", () => {
    const branches = ["z9hG4bKabc", "z9hG4bK", "z9hg4bKabc", "Z9HG4BKabc", "abc", "", newBranch()];
    for (const branch of branches) {
      const bytes = Buffer.from(`;branch=${branch};rport`);
      expect(isRfc3261BranchAt(bytes, 8, 8 + branch.length)).toBe(isRfc3261Branch(branch));
    }
  });

  it("on connection loss, terminates server transactions and reports a transport error to clients", () => {
    const { layer, user, conn, clock } = harness(false);
    const other = new FakeConnection({ reliable: false });
    layer.receiveRequest(req("INVITE"), conn);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bKo", callId: "other" }), other);
    const delegate = new RecordingDelegate();
    const client = layer.sendRequest(outgoing("INVITE", newBranch()), conn, delegate);
    expect(layer.size).toBe(3);
    expect(layer.pendingServerTransactions).toBe(2);
    layer.connectionClosed(conn);
    expect(user.requests[0]!.state).toBe("terminated");
    expect(user.requests[1]!.state).toBe("trying");
    expect(client.state).toBe("terminated");
    expect(delegate.transportErrors).toBe(1);
    expect(layer.size).toBe(1);
    expect(layer.pendingServerTransactions).toBe(1);
    clock.advance(64 * 500);
    expect(delegate.timeouts).toBe(0);
  });

  it("on connection loss, ends answered client transactions without reporting an error", () => {
    const { layer, conn } = harness(false);
    const delegate = new RecordingDelegate();
    const request = outgoing("OPTIONS", newBranch());
    const client = layer.sendRequest(request, conn, delegate);
    layer.receiveResponse(res(request, 200), conn);
    expect(client.state).toBe("completed");
    layer.connectionClosed(conn);
    expect(client.state).toBe("terminated");
    expect(delegate.transportErrors).toBe(0);
    expect(layer.size).toBe(0);
  });

  it("drain() resolves at once when nothing is pending", async () => {
    const { layer } = harness(true);
    await expect(layer.drain(1000)).resolves.toBeUndefined();
  });

  it("drain() resolves when the last pending server transaction gets its final response", async () => {
    const { layer, user, conn } = harness(true);
    layer.receiveRequest(req("INVITE"), conn);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bKo", callId: "other" }), conn);
    let drained = false;
    const done = layer.drain(60_000).then(() => {
      drained = true;
    });
    user.requests[0]!.respond(res(user.requests[0]!.request, 486));
    await Promise.resolve();
    expect(drained).toBe(false);
    user.requests[1]!.respond(res(user.requests[1]!.request, 200));
    await done;
    expect(drained).toBe(true);
    expect(layer.pendingServerTransactions).toBe(0);
  });

  it("drain() resolves after the timeout when a transaction stays unanswered", async () => {
    const { layer, conn, clock } = harness(true);
    layer.receiveRequest(req("INVITE"), conn);
    let drained = false;
    const done = layer.drain(5000).then(() => {
      drained = true;
    });
    clock.advance(4999);
    await Promise.resolve();
    expect(drained).toBe(false);
    clock.advance(1);
    await done;
    expect(layer.pendingServerTransactions).toBe(1);
  });

  it("close() cancels every timer and forgets every transaction", () => {
    const { layer, user, conn, clock } = harness(false);
    layer.receiveRequest(req("INVITE"), conn);
    user.requests[0]!.respond(res(user.requests[0]!.request, 486));
    const delegate = new RecordingDelegate();
    layer.sendRequest(outgoing("OPTIONS", newBranch()), conn, delegate);
    expect(clock.pendingTimers).toBeGreaterThan(0);
    layer.close();
    expect(clock.pendingTimers).toBe(0);
    expect(layer.size).toBe(0);
    const sent = conn.sent.length;
    clock.advance(100_000);
    expect(conn.sent).toHaveLength(sent);
    expect(delegate.timeouts).toBe(0);
  });

  it("uses the configured timers", () => {
    const { clock, user, conn } = harness(false);
    const delegate = new RecordingDelegate();
    const layer = new TransactionLayer({ clock, user, timers: { t1: 100 } });
    layer.sendRequest(outgoing("OPTIONS", newBranch()), conn, delegate);
    clock.advance(64 * 100);
    expect(delegate.timeouts).toBe(1);
  });
});
