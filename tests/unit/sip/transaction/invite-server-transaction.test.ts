import { describe, expect, it } from "vitest";
import { ackFor, harness, req, res, statusesOf } from "./harness.js";

const T1 = 500;

describe("INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)", () => {
  it("sends 100 Trying at once and hands the INVITE to the TU once", () => {
    const { layer, user, conn } = harness(true);
    layer.receiveRequest(req("INVITE"), conn);
    expect(statusesOf(conn.sent)).toEqual([100]);
    expect(user.requests).toHaveLength(1);
    expect(user.requests[0]!.state).toBe("proceeding");
    expect(user.requests[0]!.method).toBe("INVITE");
    expect(layer.pendingServerTransactions).toBe(1);
  });

  it("answers a retransmitted INVITE with the latest provisional response, without the TU", () => {
    const { layer, user, conn } = harness(false);
    layer.receiveRequest(req("INVITE"), conn);
    layer.receiveRequest(req("INVITE"), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 100]);
    user.requests[0]!.respond(res(user.requests[0]!.request, 180));
    layer.receiveRequest(req("INVITE"), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 100, 180, 180]);
    expect(user.requests).toHaveLength(1);
  });

  it("retransmits a 486 with Timer G (T1 doubling to T2) on unreliable transports until the ACK", () => {
    const { layer, user, conn, clock } = harness(false);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    const tx = user.requests[0]!;
    tx.respond(res(invite, 486));
    expect(tx.state).toBe("completed");
    expect(layer.pendingServerTransactions).toBe(0);
    conn.clear();
    const sentAt: number[] = [];
    for (let t = 100; t <= 16_000; t += 100) {
      clock.advance(100);
      while (sentAt.length < conn.sent.length) sentAt.push(t);
    }
    // G fires at 500, 1500 (+1000), 3500 (+2000), 7500 (+4000), then every T2 = 4000.
    expect(sentAt).toEqual([500, 1500, 3500, 7500, 11_500, 15_500]);
    expect(statusesOf(conn.sent).every((s) => s === 486)).toBe(true);
    layer.receiveRequest(ackFor(invite, "to1"), conn);
    expect(tx.state).toBe("confirmed");
    conn.clear();
    clock.advance(8000);
    expect(conn.sent).toHaveLength(0);
  });

  it("absorbs the ACK and its retransmissions, then ends after Timer I (T4) on unreliable transports", () => {
    const { layer, user, conn, clock } = harness(false);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    const tx = user.requests[0]!;
    tx.respond(res(invite, 603));
    layer.receiveRequest(ackFor(invite, "to1"), conn);
    layer.receiveRequest(ackFor(invite, "to1"), conn);
    layer.receiveRequest(req("INVITE"), conn);
    expect(user.acks).toHaveLength(0);
    expect(user.requests).toHaveLength(1);
    expect(tx.state).toBe("confirmed");
    clock.advance(4999);
    expect(layer.size).toBe(1);
    clock.advance(1);
    expect(tx.state).toBe("terminated");
    expect(layer.size).toBe(0);
  });

  it("resends the final response for a retransmitted INVITE in Completed", () => {
    const { layer, user, conn } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    user.requests[0]!.respond(res(invite, 486));
    layer.receiveRequest(req("INVITE"), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 486, 486]);
  });

  it("does not retransmit on reliable transports and ends at once on the ACK (Timer I = 0)", () => {
    const { layer, user, conn, clock } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    const tx = user.requests[0]!;
    tx.respond(res(invite, 486));
    clock.advance(10 * T1);
    expect(statusesOf(conn.sent)).toEqual([100, 486]);
    layer.receiveRequest(ackFor(invite, "to1"), conn);
    expect(tx.state).toBe("terminated");
    expect(layer.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(user.acks).toHaveLength(0);
  });

  it("gives up waiting for the ACK after Timer H (64*T1) and reports nothing", () => {
    const { layer, user, conn, clock } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    const tx = user.requests[0]!;
    tx.respond(res(invite, 486));
    clock.advance(64 * T1 - 1);
    expect(tx.state).toBe("completed");
    clock.advance(1);
    expect(tx.state).toBe("terminated");
    expect(layer.size).toBe(0);
    expect(user.acks).toHaveLength(0);
    // A late ACK now matches nothing and goes to the TU like an ACK for a 2xx.
    layer.receiveRequest(ackFor(invite, "to1"), conn);
    expect(user.acks).toHaveLength(1);
  });

  it("enters Accepted on a 2xx: absorbs INVITE retransmissions, lets the TU retransmit, passes ACKs up", () => {
    const { layer, user, conn, clock } = harness(false);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    const tx = user.requests[0]!;
    tx.respond(res(invite, 200));
    expect(tx.state).toBe("accepted");
    clock.advance(4 * T1);
    layer.receiveRequest(req("INVITE"), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 200]);
    tx.respond(res(invite, 200));
    expect(statusesOf(conn.sent)).toEqual([100, 200, 200]);
    layer.receiveRequest(ackFor(invite, "to1", "z9hG4bKack2xx"), conn);
    layer.receiveRequest(ackFor(invite, "to1"), conn);
    expect(user.acks).toHaveLength(2);
    expect(() => tx.respond(res(invite, 486))).toThrow();
  });

  it("ends the Accepted state with Timer L (64*T1); later 2xx retransmissions by the TU are dropped", () => {
    const { layer, user, conn, clock } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    const tx = user.requests[0]!;
    tx.respond(res(invite, 200));
    clock.advance(64 * T1 - 1);
    expect(tx.state).toBe("accepted");
    clock.advance(1);
    expect(tx.state).toBe("terminated");
    expect(layer.size).toBe(0);
    tx.respond(res(invite, 200));
    expect(statusesOf(conn.sent)).toEqual([100, 200]);
    expect(() => tx.respond(res(invite, 486))).toThrow();
  });

  it("refuses a second final response and an invalid status", () => {
    const { layer, user, conn } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    const tx = user.requests[0]!;
    expect(() => tx.respond(res(invite, 99))).toThrow(RangeError);
    tx.respond(res(invite, 486));
    expect(() => tx.respond(res(invite, 200))).toThrow(/already sent a final response/);
    expect(() => tx.respond(res(invite, 180))).toThrow();
  });

  it("terminates when the transport cannot send; a later answer from the TU is ignored", () => {
    const { layer, user, conn } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    const tx = user.requests[0]!;
    conn.failSends = true;
    tx.respond(res(invite, 180));
    expect(tx.state).toBe("terminated");
    expect(layer.size).toBe(0);
    expect(layer.pendingServerTransactions).toBe(0);
    expect(() => tx.respond(res(invite, 486))).not.toThrow();
  });

  it("does not call the TU when even the 100 Trying cannot be sent", () => {
    const { layer, user, conn } = harness(true);
    conn.failSends = true;
    layer.receiveRequest(req("INVITE"), conn);
    expect(user.requests).toHaveLength(0);
    expect(layer.size).toBe(0);
    expect(layer.pendingServerTransactions).toBe(0);
  });
});
