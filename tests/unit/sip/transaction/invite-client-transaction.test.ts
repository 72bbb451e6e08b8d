import { describe, expect, it } from "vitest";
import type { SipRequest } from "../../../../src/sip/message/index.js";
import { newBranch } from "../../../../src/sip/transaction/index.js";
import { harness, outgoing, RecordingDelegate, res, statusesOf } from "./harness.js";

const T1 = 500;

function start(reliable: boolean) {
  const h = harness(reliable);
  const delegate = new RecordingDelegate();
  const invite = outgoing("INVITE", newBranch(), ["Route: <sip:proxy1.test;lr>, <sip:proxy2.test;lr>"]);
  const tx = h.layer.sendRequest(invite, h.conn, delegate);
  return { ...h, delegate, invite, tx };
}

function sendTimes(h: ReturnType<typeof start>, until: number, step = 100): number[] {
  const at: number[] = [];
  for (let t = step; t <= until; t += step) {
    h.clock.advance(step);
    while (at.length < h.conn.sent.length) at.push(t);
  }
  return at;
}

describe("INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)", () => {
  it("retransmits with Timer A (T1, doubling) on unreliable transports and times out with Timer B", () => {
    const h = start(false);
    expect(h.tx.state).toBe("calling");
    expect(statusesOf(h.conn.sent)).toEqual(["INVITE"]);
    h.conn.clear();
    const at = sendTimes(h, 64 * T1 - 100);
    expect(at).toEqual([500, 1500, 3500, 7500, 15_500, 31_500]);
    expect(h.delegate.timeouts).toBe(0);
    h.clock.advance(100);
    expect(h.delegate.timeouts).toBe(1);
    expect(h.tx.state).toBe("terminated");
    expect(h.layer.size).toBe(0);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it("does not retransmit on reliable transports but still times out after 64*T1", () => {
    const h = start(true);
    h.clock.advance(64 * T1 - 1);
    expect(h.conn.sent).toHaveLength(1);
    expect(h.delegate.timeouts).toBe(0);
    h.clock.advance(1);
    expect(h.delegate.timeouts).toBe(1);
  });

  it("stops retransmitting and Timer B on a provisional response", () => {
    const h = start(false);
    h.layer.receiveResponse(res(h.invite, 180), h.conn);
    expect(h.tx.state).toBe("proceeding");
    expect(h.delegate.responses.map((r) => r.status)).toEqual([180]);
    h.clock.advance(200 * T1);
    expect(h.conn.sent).toHaveLength(1);
    expect(h.delegate.timeouts).toBe(0);
    expect(h.tx.state).toBe("proceeding");
  });

  it("ACKs a 486 itself per §17.1.1.3 and absorbs its retransmissions for Timer D (32 s)", () => {
    const h = start(false);
    h.layer.receiveResponse(res(h.invite, 486, "busy1"), h.conn);
    expect(h.tx.state).toBe("completed");
    expect(h.delegate.responses.map((r) => r.status)).toEqual([486]);
    const ack = h.conn.last as SipRequest;
    expect(ack.kind).toBe("request");
    expect(ack.method).toBe("ACK");
    expect(ack.uri).toBe(h.invite.uri);
    expect(ack.headers.count("Via")).toBe(1);
    expect(ack.topVia.branch).toBe(h.invite.topVia.branch);
    expect(ack.headers.getAll("Route")).toEqual(["<sip:proxy1.test;lr>", "<sip:proxy2.test;lr>"]);
    expect(ack.to.params.tag).toBe("busy1");
    expect(ack.from.params.tag).toBe(h.invite.from.params.tag);
    expect(ack.callId).toBe(h.invite.callId);
    expect(ack.cseq).toEqual({ seq: h.invite.cseq.seq, method: "ACK" });
    h.layer.receiveResponse(res(h.invite, 486, "busy1"), h.conn);
    expect(statusesOf(h.conn.sent)).toEqual(["INVITE", "ACK", "ACK"]);
    expect(h.delegate.responses).toHaveLength(1);
    h.clock.advance(32_000 - 1);
    expect(h.tx.state).toBe("completed");
    h.clock.advance(1);
    expect(h.tx.state).toBe("terminated");
    expect(h.layer.size).toBe(0);
  });

  it("ends at once after ACKing a non-2xx on a reliable transport (Timer D = 0)", () => {
    const h = start(true);
    h.layer.receiveResponse(res(h.invite, 100), h.conn);
    h.layer.receiveResponse(res(h.invite, 603), h.conn);
    expect(statusesOf(h.conn.sent)).toEqual(["INVITE", "ACK"]);
    expect(h.tx.state).toBe("terminated");
    expect(h.layer.size).toBe(0);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it("passes every 2xx to the TU in Accepted and ends with Timer M (64*T1); no ACK of its own", () => {
    const h = start(false);
    h.layer.receiveResponse(res(h.invite, 200, "a"), h.conn);
    expect(h.tx.state).toBe("accepted");
    h.layer.receiveResponse(res(h.invite, 200, "a"), h.conn);
    h.layer.receiveResponse(res(h.invite, 200, "forked"), h.conn);
    h.layer.receiveResponse(res(h.invite, 486), h.conn);
    expect(h.delegate.responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(statusesOf(h.conn.sent)).toEqual(["INVITE"]);
    h.clock.advance(64 * T1);
    expect(h.tx.state).toBe("terminated");
    h.layer.receiveResponse(res(h.invite, 200, "a"), h.conn);
    expect(h.user.strays).toHaveLength(1);
  });

  it("reports a transport error when the INVITE cannot be sent", () => {
    const h = harness(false);
    const delegate = new RecordingDelegate();
    h.conn.failSends = true;
    const tx = h.layer.sendRequest(outgoing("INVITE", newBranch()), h.conn, delegate);
    expect(delegate.transportErrors).toBe(1);
    expect(tx.state).toBe("terminated");
    expect(h.layer.size).toBe(0);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it("reports a transport error when a retransmission cannot be sent", () => {
    const h = start(false);
    h.conn.failSends = true;
    h.clock.advance(T1);
    expect(h.delegate.transportErrors).toBe(1);
    expect(h.tx.state).toBe("terminated");
  });

  it("gives up on an INVITE still unanswered 64*T1 after its CANCEL (§9.1)", () => {
    const h = start(true);
    h.layer.receiveResponse(res(h.invite, 180), h.conn);
    h.clock.advance(10_000);
    const cancelDelegate = new RecordingDelegate();
    const cancel = outgoing("CANCEL", h.invite.topVia.branch!);
    h.layer.sendRequest(cancel, h.conn, cancelDelegate);
    h.layer.receiveResponse(res(cancel, 200), h.conn);
    expect(cancelDelegate.responses.map((r) => r.status)).toEqual([200]);
    h.clock.advance(64 * T1 - 1);
    expect(h.delegate.timeouts).toBe(0);
    h.clock.advance(1);
    expect(h.delegate.timeouts).toBe(1);
    expect(h.layer.size).toBe(0);
  });

  it("keeps the INVITE when its final response arrives after the CANCEL", () => {
    const h = start(true);
    h.layer.receiveResponse(res(h.invite, 180), h.conn);
    h.layer.sendRequest(outgoing("CANCEL", h.invite.topVia.branch!), h.conn, new RecordingDelegate());
    h.layer.receiveResponse(res(h.invite, 487), h.conn);
    h.clock.advance(64 * T1);
    expect(h.delegate.timeouts).toBe(0);
    expect(h.delegate.responses.map((r) => r.status)).toEqual([180, 487]);
  });
});
