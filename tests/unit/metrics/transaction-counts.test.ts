import { describe, expect, it } from "vitest";
import { newBranch } from "../../../src/sip/transaction/index.js";
import { harness, outgoing, RecordingDelegate, req, res } from "../sip/transaction/harness.js";

// The running totals the transaction layer keeps for upe_sip_transactions_total and
// upe_sip_retransmissions_total.
describe("TransactionLayer counts", () => {
  it("counts a client transaction and each retransmission of its request on Timer E", () => {
    const h = harness(false);
    h.layer.sendRequest(outgoing("OPTIONS", newBranch()), h.conn, new RecordingDelegate());
    expect(h.layer.counts).toEqual({ server: 0, client: 1, retransmitted: 0, absorbed: 0 });
    h.clock.advance(500);
    h.clock.advance(1000);
    expect(h.layer.counts.retransmitted).toBe(2);
  });

  it("counts a server transaction once and a peer's retransmissions of its request as absorbed", () => {
    const h = harness(false);
    const request = req("OPTIONS");
    h.layer.receiveRequest(request, h.conn);
    h.layer.receiveRequest(req("OPTIONS"), h.conn);
    h.layer.receiveRequest(req("OPTIONS"), h.conn);
    expect(h.layer.counts).toEqual({ server: 1, client: 0, retransmitted: 0, absorbed: 2 });
  });

  it("counts the final response an INVITE server transaction resends on Timer G", () => {
    const h = harness(false);
    const invite = req("INVITE");
    h.layer.receiveRequest(invite, h.conn);
    h.user.requests[0]!.respond(res(invite, 486));
    h.clock.advance(500);
    expect(h.layer.counts).toMatchObject({ server: 1, retransmitted: 1 });
  });

  it("counts no retransmission on a reliable transport", () => {
    const h = harness(true);
    h.layer.sendRequest(outgoing("OPTIONS", newBranch()), h.conn, new RecordingDelegate());
    h.clock.advance(10_000);
    expect(h.layer.counts.retransmitted).toBe(0);
  });
});
