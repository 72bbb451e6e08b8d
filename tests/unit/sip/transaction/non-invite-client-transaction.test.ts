import { describe, expect, it } from "vitest";
import { newBranch } from "../../../../src/sip/transaction/index.js";
import { harness, outgoing, RecordingDelegate, res } from "./harness.js";

const T1 = 500;

function start(reliable: boolean, method = "OPTIONS") {
  const h = harness(reliable);
  const delegate = new RecordingDelegate();
  const request = outgoing(method, newBranch());
  const tx = h.layer.sendRequest(request, h.conn, delegate);
  return { ...h, delegate, request, tx };
}

function sendTimes(h: ReturnType<typeof start>, until: number, step = 100): number[] {
  const at: number[] = [];
  for (let t = step; t <= until; t += step) {
    h.clock.advance(step);
    while (at.length < h.conn.sent.length) at.push(t);
  }
  return at;
}

describe("non-INVITE client transaction (RFC 3261 §17.1.2)", () => {
  it("retransmits with Timer E (T1 doubling to T2) and times out with Timer F (64*T1)", () => {
    const h = start(false);
    expect(h.tx.state).toBe("trying");
    h.conn.clear();
    const at = sendTimes(h, 64 * T1 - 100);
    expect(at).toEqual([500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(h.delegate.timeouts).toBe(0);
    h.clock.advance(100);
    expect(h.delegate.timeouts).toBe(1);
    expect(h.tx.state).toBe("terminated");
    expect(h.layer.size).toBe(0);
  });

  it("retransmits every T2 in Proceeding, and Timer F still applies", () => {
    const h = start(false);
    h.clock.advance(T1);
    h.layer.receiveResponse(res(h.request, 100), h.conn);
    expect(h.tx.state).toBe("proceeding");
    h.conn.clear();
    const at = sendTimes(h, 64 * T1 - T1 - 100);
    // Timer E was set to 1000 ms at 500 (fires at 1500 → 1000 since the 100); then every T2.
    expect(at).toEqual([1000, 5000, 9000, 13_000, 17_000, 21_000, 25_000, 29_000]);
    h.clock.advance(100);
    expect(h.delegate.timeouts).toBe(1);
    expect(h.delegate.responses.map((r) => r.status)).toEqual([100]);
  });

  it("passes the final response up and absorbs retransmissions until Timer K (T4)", () => {
    const h = start(false);
    h.layer.receiveResponse(res(h.request, 200), h.conn);
    expect(h.tx.state).toBe("completed");
    h.layer.receiveResponse(res(h.request, 200), h.conn);
    expect(h.delegate.responses.map((r) => r.status)).toEqual([200]);
    h.clock.advance(4999);
    expect(h.layer.size).toBe(1);
    h.clock.advance(1);
    expect(h.tx.state).toBe("terminated");
    expect(h.layer.size).toBe(0);
    expect(h.conn.sent).toHaveLength(1);
  });

  it("on a reliable transport, never retransmits and ends on the final response (Timer K = 0)", () => {
    const h = start(true);
    h.clock.advance(63 * T1);
    expect(h.conn.sent).toHaveLength(1);
    h.layer.receiveResponse(res(h.request, 404), h.conn);
    expect(h.tx.state).toBe("terminated");
    expect(h.layer.size).toBe(0);
    expect(h.clock.pendingTimers).toBe(0);
    expect(h.delegate.responses.map((r) => r.status)).toEqual([404]);
  });

  it("times out on a reliable transport after 64*T1", () => {
    const h = start(true, "BYE");
    h.clock.advance(64 * T1);
    expect(h.delegate.timeouts).toBe(1);
    expect(h.tx.state).toBe("terminated");
  });

  it("matches responses by branch and CSeq method only (§17.1.3)", () => {
    const h = start(false);
    const other = outgoing("INFO", h.request.topVia.branch!);
    h.layer.receiveResponse(res(other, 200), h.conn);
    expect(h.delegate.responses).toHaveLength(0);
    expect(h.user.strays).toHaveLength(1);
    const foreign = outgoing("OPTIONS", newBranch());
    h.layer.receiveResponse(res(foreign, 200), h.conn);
    expect(h.user.strays).toHaveLength(2);
    h.layer.receiveResponse(res(h.request, 200), h.conn);
    expect(h.delegate.responses).toHaveLength(1);
  });
});
