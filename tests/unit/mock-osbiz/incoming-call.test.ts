import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MediaEngine } from "../../../src/media/index.js";
import {
  type IncomingCallContext,
  type PendingInvite,
  receiveInvite,
} from "../../../src/mock-osbiz/incoming-call.js";
import type { MockCall } from "../../../src/mock-osbiz/mock-call.js";
import { MockEndpoint } from "../../../src/mock-osbiz/mock-endpoint.js";
import type { ResolvedMockOptions } from "../../../src/mock-osbiz/mock-options.js";
import { ControllableClock } from "../../../src/shared/clock.js";
import { parseMessage, type SipRequest, type SipResponse } from "../../../src/sip/message/index.js";
import { TransactionLayer } from "../../../src/sip/transaction/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { sdpOffer } from "../../support/pbx-test-ua.js";

let clock: ControllableClock;
let connection: FakeConnection;
let engine: MediaEngine;
let transactions: TransactionLayer;
let pending: PendingInvite | undefined;
let ended: MockCall[];
let behaviour: ResolvedMockOptions["behaviour"];
let seq: number;

beforeEach(() => {
  clock = new ControllableClock({ frozen: true });
  connection = new FakeConnection({ reliable: true });
  engine = new MediaEngine({ host: "127.0.0.1", bind: "127.0.0.1", portRange: { min: 45000, max: 45999 } });
  ended = [];
  pending = undefined;
  seq = 1;
  behaviour = { mode: "answer", ringMs: 500, media: "silence" };
  const ctx: IncomingCallContext = {
    transactions: undefined as unknown as TransactionLayer,
    endpoint: new MockEndpoint("3919209257"),
    timers: clock,
    domain: "phoneapp.unify.com",
    user: "3919209257",
    log: () => undefined,
    ended: (call) => ended.push(call),
    createMedia: (mode) => engine.createSession({ mode }),
    incoming: () => undefined,
  };
  transactions = new TransactionLayer({
    clock,
    user: {
      onRequest: (tx) => {
        if (tx.request.to.params.tag) pending!.call.receive(tx);
        else pending = receiveInvite(ctx, tx, "1", behaviour);
      },
      onAck: (ack) => pending?.call.acknowledged(ack),
      onCancel: () => pending?.cancelled(),
    },
  });
  Object.assign(ctx, { transactions });
});

afterEach(async () => {
  await engine.close();
});

/** A request from the connector; in-dialog when `toTag` is given. */
function request(
  method: string,
  options: { toTag?: string; body?: string; type?: string; cseq?: number; branch?: string } = {},
) {
  const body = options.body ?? "";
  const text = [
    `${method} sip:3919209257@127.0.0.1:5555;transport=tls SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:65061;branch=${options.branch ?? `z9hG4bK${method}${seq}`}`,
    "Max-Forwards: 70",
    "From: <sip:+4923026672131@phoneapp.unify.com>;tag=conn1",
    `To: <sip:+4930123456@phoneapp.unify.com>${options.toTag ? `;tag=${options.toTag}` : ""}`,
    "Call-ID: call-abc",
    `CSeq: ${options.cseq ?? seq++} ${method}`,
    "Contact: <sip:connector@127.0.0.1:65061;transport=tls>",
    ...(body ? [`Content-Type: ${options.type ?? "application/sdp"}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
  const message = parseMessage(Buffer.from(text)) as SipRequest;
  transactions.receiveRequest(message, connection);
  return message;
}

function responses(): SipResponse[] {
  return connection.sent.filter((m): m is SipResponse => m.kind === "response");
}

async function answered(): Promise<{ call: MockCall; tag: string; ok: SipResponse }> {
  request("INVITE", { body: sdpOffer(46000) });
  await vi.waitFor(() => expect(responses().map((r) => r.status)).toContain(180));
  clock.advance(500);
  const ok = responses().find((r) => r.status === 200)!;
  return { call: pending!.call, tag: ok.to.params.tag!, ok };
}

describe("an incoming call", () => {
  it("rings, then answers after ringMs with an SDP answer and our Contact", async () => {
    request("INVITE", { body: sdpOffer(46000) });
    await vi.waitFor(() => expect(responses().map((r) => r.status)).toEqual([100, 180]));
    const ringing = responses()[1]!;
    expect(ringing.headers.get("contact")).toBe("<sip:3919209257@127.0.0.1:65061;transport=tls>");
    expect(pending!.call.state).toBe("ringing");
    clock.advance(499);
    expect(responses()).toHaveLength(2);
    clock.advance(1);
    const ok = responses()[2]!;
    expect(ok.status).toBe(200);
    expect(ok.to.params.tag).toBe(ringing.to.params.tag);
    expect(ok.headers.get("content-type")).toBe("application/sdp");
    expect(ok.body.toString()).toMatch(/^m=audio \d+ RTP\/AVP 8 101/m);
    expect(pending!.call).toMatchObject({
      state: "answered",
      status: 200,
      from: "+4923026672131",
      to: "3919209257",
    });
  });

  it("answers busy with 486 and an SRTP-only offer with 488, without ringing", async () => {
    behaviour = { ...behaviour, mode: "busy" };
    request("INVITE", { body: sdpOffer(46000) });
    expect(responses().map((r) => r.status)).toEqual([100, 486]);
    expect(ended).toHaveLength(1);
    behaviour = { ...behaviour, mode: "answer" };
    request("INVITE", { body: sdpOffer(46000, { srtpOnly: true }) });
    await vi.waitFor(() => expect(responses().map((r) => r.status)).toEqual([100, 486, 100, 488]));
    expect(pending!.call).toMatchObject({ state: "ended", status: 488 });
  });

  it("CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE", async () => {
    behaviour = { ...behaviour, mode: "no-answer" };
    const invite = request("INVITE", { body: sdpOffer(46000) });
    await vi.waitFor(() => expect(responses().map((r) => r.status)).toEqual([100, 180]));
    request("CANCEL", { branch: invite.topVia.branch!, cseq: invite.cseq.seq });
    expect(responses().map((r) => `${r.status} ${r.cseq.method}`)).toEqual([
      "100 INVITE",
      "180 INVITE",
      "200 CANCEL",
      "487 INVITE",
    ]);
    expect(pending!.call).toMatchObject({ state: "ended", status: 487, endCause: "cancelled by the caller" });
  });

  it("in the dialog: re-INVITE sendonly (held), INFO DTMF, stale CSeq 500, BYE", async () => {
    const { call, tag } = await answered();
    request("ACK", { toTag: tag, cseq: 1 });
    connection.clear();
    request("INVITE", { toTag: tag, body: sdpOffer(46000, { direction: "sendonly" }) });
    const held = responses().find((r) => r.status >= 200)!;
    expect(held.status).toBe(200);
    expect(held.body.toString()).toMatch(/a=recvonly/);
    expect(call.heldByRemote).toBe(true);
    request("INFO", { toTag: tag, body: "Signal=7\r\nDuration=160\r\n", type: "application/dtmf-relay" });
    expect(call.dtmf).toEqual([{ digit: "7", via: "info" }]);
    request("INFO", { toTag: tag, cseq: 1, body: "Signal=8\r\n", type: "application/dtmf-relay" });
    expect(responses().at(-1)!.status).toBe(500);
    request("BYE", { toTag: tag });
    expect(responses().at(-1)!.status).toBe(200);
    expect(call).toMatchObject({ state: "ended", endedBy: "remote", endCause: "BYE from the connector" });
  });

  it("a late-offer INVITE gets our offer in the 200 and its answer from the ACK", async () => {
    request("INVITE");
    await vi.waitFor(() => expect(responses().map((r) => r.status)).toContain(180));
    clock.advance(500);
    const ok = responses().find((r) => r.status === 200)!;
    expect(ok.body.toString()).toMatch(/^m=audio \d+ RTP\/AVP 0 8 9 101/m);
    request("ACK", { toTag: ok.to.params.tag!, cseq: 1, body: sdpOffer(46000, { codecs: "8 101" }) });
    expect(pending!.call.media!.direction).toBe("sendrecv");
  });
});
