import { describe, expect, it } from "vitest";
import { harness, req, res, statusesOf } from "./harness.js";

const T1 = 500;

describe("non-INVITE server transaction (RFC 3261 §17.2.2)", () => {
  it("on a reliable transport, is gone as soon as the final response is sent, with no timer", () => {
    const { layer, user, conn, clock } = harness(true);
    user.answerWith = 200;
    layer.receiveRequest(req("REGISTER"), conn);
    expect(statusesOf(conn.sent)).toEqual([200]);
    expect(user.requests[0]!.state).toBe("terminated");
    expect(layer.size).toBe(0);
    expect(layer.pendingServerTransactions).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("discards retransmissions in Trying and repeats the last provisional response in Proceeding", () => {
    const { layer, user, conn } = harness(false);
    const request = req("OPTIONS");
    layer.receiveRequest(request, conn);
    const tx = user.requests[0]!;
    expect(tx.state).toBe("trying");
    layer.receiveRequest(req("OPTIONS"), conn);
    expect(conn.sent).toHaveLength(0);
    tx.respond(res(request, 100));
    expect(tx.state).toBe("proceeding");
    layer.receiveRequest(req("OPTIONS"), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 100]);
    expect(user.requests).toHaveLength(1);
  });

  it("on an unreliable transport, answers retransmissions from Completed until Timer J (64*T1)", () => {
    const { layer, user, conn, clock } = harness(false);
    const request = req("BYE", { toTag: "to1" });
    layer.receiveRequest(request, conn);
    const tx = user.requests[0]!;
    tx.respond(res(request, 200));
    expect(tx.state).toBe("completed");
    expect(layer.pendingServerTransactions).toBe(0);
    clock.advance(64 * T1 - 1);
    expect(conn.sent).toHaveLength(1);
    layer.receiveRequest(req("BYE", { toTag: "to1" }), conn);
    expect(statusesOf(conn.sent)).toEqual([200, 200]);
    clock.advance(1);
    expect(tx.state).toBe("terminated");
    expect(layer.size).toBe(0);
    layer.receiveRequest(req("BYE", { toTag: "to1" }), conn);
    expect(user.requests).toHaveLength(2);
  });

  it("refuses a second final response", () => {
    const { layer, user, conn } = harness(false);
    const request = req("OPTIONS");
    layer.receiveRequest(request, conn);
    user.requests[0]!.respond(res(request, 200));
    expect(() => user.requests[0]!.respond(res(request, 500))).toThrow(/already sent a final response/);
  });

  it("terminates when the response cannot be sent", () => {
    const { layer, user, conn } = harness(false);
    const request = req("OPTIONS");
    layer.receiveRequest(request, conn);
    conn.failSends = true;
    user.requests[0]!.respond(res(request, 200));
    expect(user.requests[0]!.state).toBe("terminated");
    expect(layer.size).toBe(0);
  });
});

describe("server request matching (RFC 3261 §17.2.3)", () => {
  it("tells transactions apart by branch, sent-by and method", () => {
    const { layer, user, conn } = harness(false);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bKone" }), conn);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bKtwo", seq: 2 }), conn);
    layer.receiveRequest(
      req("OPTIONS", { branch: "z9hG4bKone", sentBy: "10.0.0.2:5060", fromTag: "x" }),
      conn,
    );
    layer.receiveRequest(req("INFO", { branch: "z9hG4bKone", toTag: "t" }), conn);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bKone" }), conn);
    expect(user.requests).toHaveLength(4);
  });

  it("matches requests without the magic cookie by Request-URI, tags, Call-ID, CSeq and top Via (RFC 2543)", () => {
    const { layer, user, conn } = harness(false);
    const invite = req("INVITE", { branch: null });
    layer.receiveRequest(invite, conn);
    layer.receiveRequest(req("INVITE", { branch: null }), conn);
    expect(user.requests).toHaveLength(1);
    expect(statusesOf(conn.sent)).toEqual([100, 100]);
    user.requests[0]!.respond(res(invite, 486, "uas1"));
    // The ACK carries the To tag of the response; a different tag is not this transaction's.
    layer.receiveRequest(req("ACK", { branch: null, toTag: "other" }), conn);
    expect(user.acks).toHaveLength(1);
    layer.receiveRequest(req("ACK", { branch: null, toTag: "uas1" }), conn);
    expect(user.acks).toHaveLength(1);
    expect(user.requests[0]!.state).toBe("confirmed");
    layer.receiveRequest(req("INVITE", { branch: null, uri: "sip:200@emulator.test", fromTag: "f2" }), conn);
    expect(user.requests).toHaveLength(2);
  });

  it("treats a branch of just the magic cookie as no branch (RFC 4475 badbranch)", () => {
    const { layer, user, conn } = harness(false);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bK" }), conn);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bK" }), conn);
    expect(user.requests).toHaveLength(1);
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bK", callId: "another" }), conn);
    expect(user.requests).toHaveLength(2);
  });

  it("answers a merged request (same From tag, Call-ID, CSeq, other branch) with 482 itself (§8.2.2.2)", () => {
    const { layer, user, conn } = harness(true);
    layer.receiveRequest(req("INVITE", { branch: "z9hG4bKpath1" }), conn);
    conn.clear();
    layer.receiveRequest(req("INVITE", { branch: "z9hG4bKpath2" }), conn);
    expect(user.requests).toHaveLength(1);
    expect(statusesOf(conn.sent)).toEqual([100, 482]);
    const answer = conn.last;
    expect(answer?.kind === "response" && answer.to.params.tag).toBeTruthy();
    // Requests inside a dialog (with a To tag) are not checked for merging.
    layer.receiveRequest(req("OPTIONS", { branch: "z9hG4bKpath3", seq: 1, toTag: "t1" }), conn);
    expect(user.requests).toHaveLength(2);
  });

  it("does not take a new request after the merged-with transaction ended for a merge", () => {
    const { layer, user, conn } = harness(true);
    user.answerWith = 200;
    layer.receiveRequest(req("REGISTER", { branch: "z9hG4bKr1" }), conn);
    layer.receiveRequest(req("REGISTER", { branch: "z9hG4bKr2" }), conn);
    expect(user.requests).toHaveLength(2);
    expect(statusesOf(conn.sent)).toEqual([200, 200]);
  });
});
