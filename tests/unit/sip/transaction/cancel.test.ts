import { describe, expect, it } from "vitest";
import { cancelFor, harness, req, res, statusesOf } from "./harness.js";

describe("CANCEL handling (RFC 3261 §9.2)", () => {
  it("answers 481 when no INVITE transaction matches, without telling the TU", () => {
    const { layer, user, conn } = harness(true);
    layer.receiveRequest(cancelFor(req("INVITE")), conn);
    expect(statusesOf(conn.sent)).toEqual([481]);
    const answer = conn.last;
    expect(answer?.kind === "response" && answer.reason).toBe("Call/Transaction Does Not Exist");
    expect(answer?.kind === "response" && answer.cseq.method).toBe("CANCEL");
    expect(user.requests).toHaveLength(0);
    expect(user.cancels).toHaveLength(0);
    expect(layer.size).toBe(0);
  });

  it("answers 200 and asks the TU to end an unanswered INVITE", () => {
    const { layer, user, conn } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    user.requests[0]!.respond(res(invite, 180, "uas9"));
    layer.receiveRequest(cancelFor(invite), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 180, 200]);
    const ok = conn.last;
    expect(ok?.kind === "response" && ok.cseq.method).toBe("CANCEL");
    // The To tag of the 200 equals that of the INVITE's response.
    expect(ok?.kind === "response" && ok.to.params.tag).toBe("uas9");
    expect(user.cancels).toEqual([user.requests[0]]);
    expect(user.requests).toHaveLength(1);
    user.cancels[0]!.respond(res(invite, 487, "uas9"));
    expect(statusesOf(conn.sent)).toEqual([100, 180, 200, 487]);
  });

  it("answers a retransmitted CANCEL from its own transaction, without a second onCancel", () => {
    const { layer, user, conn } = harness(false);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    layer.receiveRequest(cancelFor(invite), conn);
    layer.receiveRequest(cancelFor(invite), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 200, 200]);
    expect(user.cancels).toHaveLength(1);
  });

  it("answers 200 but leaves an already answered INVITE alone", () => {
    const { layer, user, conn } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    user.requests[0]!.respond(res(invite, 200));
    layer.receiveRequest(cancelFor(invite), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 200, 200]);
    expect(user.cancels).toHaveLength(0);
  });

  it("does not count as a merged request of its INVITE", () => {
    const { layer, user, conn } = harness(true);
    const invite = req("INVITE");
    layer.receiveRequest(invite, conn);
    layer.receiveRequest(cancelFor(invite), conn);
    expect(statusesOf(conn.sent)).not.toContain(482);
    expect(user.cancels).toHaveLength(1);
  });

  it("matches the INVITE by RFC 2543 rules when there is no magic cookie", () => {
    const { layer, user, conn } = harness(false);
    const invite = req("INVITE", { branch: null });
    layer.receiveRequest(invite, conn);
    layer.receiveRequest(cancelFor(invite), conn);
    expect(statusesOf(conn.sent)).toEqual([100, 200]);
    expect(user.cancels).toHaveLength(1);
  });
});
