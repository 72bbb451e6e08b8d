import { describe, expect, it } from "vitest";
import { ControllableClock } from "../../../../src/shared/clock.js";
import { AcceptedInvites, dialogKey } from "../../../../src/sip/dialog/index.js";
import { createResponse, parseMessage, type SipRequest } from "../../../../src/sip/message/index.js";
import { type ServerTransaction, TransactionLayer } from "../../../../src/sip/transaction/index.js";
import { DEFAULT_TRANSACTION_TIMERS } from "../../../../src/sip/transaction/transaction-timers.js";
import { FakeConnection } from "../../../support/fake-connection.js";

const { t1, t2 } = DEFAULT_TRANSACTION_TIMERS;

function request(method: string, branch: string, toTag?: string): SipRequest {
  const text = [
    `${method} sip:+4923026672131@emulator.test SIP/2.0`,
    `Via: SIP/2.0/TLS 10.0.0.1:5061;branch=${branch}`,
    "Max-Forwards: 70",
    "From: <sip:pbx@10.0.0.1>;tag=pbx",
    `To: <sip:+4923026672131@emulator.test>${toTag ? `;tag=${toTag}` : ""}`,
    "Call-ID: acc-1",
    `CSeq: 1 ${method}`,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  return parseMessage(Buffer.from(text)) as SipRequest;
}

function setUp() {
  const clock = new ControllableClock({ frozen: true });
  const acks: SipRequest[] = [];
  let tx: ServerTransaction | undefined;
  const layer = new TransactionLayer({
    clock,
    user: {
      onRequest: (t) => {
        tx = t;
      },
      onAck: (ack) => acks.push(ack),
      onCancel: () => {},
    },
  });
  const connection = new FakeConnection({ reliable: true });
  layer.receiveRequest(request("INVITE", "z9hG4bKinv"), connection);
  const accepted = new AcceptedInvites(clock, DEFAULT_TRANSACTION_TIMERS);
  const ok = createResponse(tx!.request, 200, "OK", "uas");
  const oks = () => connection.sent.filter((m) => m.kind === "response" && m.status === 200).length;
  return { clock, layer, connection, accepted, tx: tx!, ok, oks, acks };
}

describe("AcceptedInvites (RFC 3261 §13.3.1.4)", () => {
  it("retransmits the 2xx over a reliable transport at T1, 2·T1, 4·T1, then T2, and gives up at 64·T1", () => {
    const { clock, accepted, tx, ok, oks } = setUp();
    let timedOut = false;
    accepted.answer(tx, ok, () => {
      timedOut = true;
    });
    expect(oks()).toBe(1);
    const sentAt: number[] = [];
    for (let ms = 1; ms <= 64 * t1; ms += 1) {
      const before = oks();
      clock.advance(1);
      if (oks() > before) sentAt.push(ms);
    }
    expect(sentAt).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(sentAt[3]! - sentAt[2]!).toBe(t2);
    expect(timedOut).toBe(true);
    expect(accepted.size).toBe(0);
  });

  it("stops at the ACK, matched by dialog and CSeq from any connection", () => {
    const { clock, layer, accepted, tx, ok, oks } = setUp();
    let timedOut = false;
    accepted.answer(tx, ok, () => {
      timedOut = true;
    });
    const ack = request("ACK", "z9hG4bKack", "uas");
    layer.receiveRequest(ack, new FakeConnection({ reliable: true }));
    expect(accepted.acknowledge(ack)).toBe(true);
    clock.advance(64 * t1);
    expect(oks()).toBe(1);
    expect(timedOut).toBe(false);
    expect(accepted.acknowledge(ack)).toBe(false);
  });

  it("an ACK of another dialog stops nothing; forgetting the dialog (call ended) does", () => {
    const { clock, accepted, tx, ok, oks } = setUp();
    accepted.answer(tx, ok);
    expect(accepted.acknowledge(request("ACK", "z9hG4bKx", "other"))).toBe(false);
    clock.advance(t1);
    expect(oks()).toBe(2);
    accepted.forget(dialogKey("acc-1", "uas", "pbx"));
    clock.advance(64 * t1);
    expect(oks()).toBe(2);
  });
});
