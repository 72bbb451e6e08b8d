import pino from "pino";
import { describe, expect, it } from "vitest";
import { ControllableClock } from "../../../../src/shared/clock.js";
import { SipRouter } from "../../../../src/sip/core/index.js";
import {
  createResponse,
  parseMessage,
  type SipRequest,
  type SipResponse,
  serialize,
} from "../../../../src/sip/message/index.js";
import { type ServerTransaction, TransactionLayer } from "../../../../src/sip/transaction/index.js";
import { FakeConnection } from "../../../support/fake-connection.js";
import { ackFor, cancelFor, req } from "../transaction/harness.js";

/** A router under a real transaction layer; what it answers shows on the connection. */
function stack() {
  const router = new SipRouter(pino({ level: "silent" }));
  const layer = new TransactionLayer({ clock: new ControllableClock({ frozen: true }), user: router });
  const conn = new FakeConnection({ reliable: true });
  const receive = (request: SipRequest) => layer.receiveRequest(request, conn);
  /** Final answers (an INVITE's 100 Trying is the transaction layer's). */
  const answers = () => conn.sent.filter((m): m is SipResponse => m.kind === "response" && m.status >= 200);
  return { router, layer, conn, receive, answers };
}

let branch = 0;
const fresh = () => `z9hG4bKrouter${++branch}`;

describe("SipRouter dispatch", () => {
  it("hands a new request to the handler of its method", () => {
    const { router, receive } = stack();
    const seen: string[] = [];
    router.on("INFO", (tx) => {
      seen.push(`${tx.request.method} ${tx.request.callId}`);
      tx.respond(createResponse(tx.request, 200, "OK"));
    });
    receive(req("INFO", { branch: fresh(), callId: "i1" }));
    expect(seen).toEqual(["INFO i1"]);
  });

  it("answers OPTIONS itself with 200 and the one Allow list", () => {
    const { router, receive, answers } = stack();
    router.on("INVITE", () => {}).on("BYE", () => {});
    receive(req("OPTIONS", { branch: fresh() }));
    const [ok] = answers();
    expect(ok?.status).toBe(200);
    expect(ok?.headers.getAll("allow").join(", ")).toBe("ACK, CANCEL, OPTIONS, INVITE, BYE");
    expect(ok?.headers.get("accept")).toBe("application/sdp");
    expect(router.allowHeader).toBe("ACK, CANCEL, OPTIONS, INVITE, BYE");
  });

  it("answers a known method without a handler 405 with Allow, and an unknown one 501", () => {
    const { router, receive, answers } = stack();
    router.on("INVITE", () => {});
    receive(req("SUBSCRIBE", { branch: fresh() }));
    receive(req("FROBNICATE", { branch: fresh() }));
    const [notAllowed, notImplemented] = answers();
    expect(notAllowed?.status).toBe(405);
    expect(notAllowed?.headers.getAll("allow").join(", ")).toBe(router.allowHeader);
    expect(notImplemented?.status).toBe(501);
    expect(notImplemented?.headers.has("allow")).toBe(false);
  });

  it("puts a rejection's headers on the answer (420 Unsupported)", () => {
    const { router, receive, answers } = stack();
    router.on("INVITE", () => {
      throw new Error("must not run");
    });
    receive(req("INVITE", { branch: fresh(), extra: ["Require: 100rel"] }));
    expect(answers()[0]?.status).toBe(420);
    expect(answers()[0]?.headers.get("unsupported")).toBe("100rel");
  });

  it("answers 500 for a handler that throws before answering, and keeps serving", () => {
    const { router, receive, answers } = stack();
    let calls = 0;
    router.on("MESSAGE", (tx) => {
      calls++;
      if (calls === 1) throw new Error("boom");
      tx.respond(createResponse(tx.request, 202, "Accepted"));
    });
    receive(req("MESSAGE", { branch: fresh() }));
    receive(req("MESSAGE", { branch: fresh(), seq: 2 }));
    expect(answers().map((r) => `${r.status} ${r.reason}`)).toEqual([
      "500 Server Internal Error",
      "202 Accepted",
    ]);
  });

  it("sends no second answer for a handler that throws after answering", () => {
    const { router, receive, answers } = stack();
    router.on("MESSAGE", (tx) => {
      tx.respond(createResponse(tx.request, 200, "OK"));
      throw new Error("after the answer");
    });
    receive(req("MESSAGE", { branch: fresh() }));
    expect(answers().map((r) => r.status)).toEqual([200]);
  });

  it("refuses to route a method it does not know", () => {
    const { router } = stack();
    expect(() => router.on("FROBNICATE", () => {})).toThrow(/unknown SIP method FROBNICATE/);
  });
});

describe("SipRouter: CANCEL and ACK", () => {
  it("tells the INVITE route's onCancel which transaction a CANCEL matched", () => {
    const { router, receive, answers } = stack();
    const pending: ServerTransaction[] = [];
    const cancelled: ServerTransaction[] = [];
    router.on("INVITE", (tx) => pending.push(tx), { onCancel: (tx) => cancelled.push(tx) });
    const invite = req("INVITE", { branch: fresh() });
    receive(invite);
    receive(cancelFor(invite));
    expect(cancelled).toEqual(pending);
    // The transaction layer answered the CANCEL; the INVITE's 487 is the handler's to send.
    expect(answers().map((r) => `${r.status} ${r.headers.get("cseq")}`)).toEqual(["200 1 CANCEL"]);
  });

  it("hands an ACK for a 2xx (no transaction of its own) to the dialog's handler", () => {
    const { router, receive } = stack();
    const acks: SipRequest[] = [];
    router.onAckFor((ack) => acks.push(ack));
    router.on("INVITE", (tx) => tx.respond(createResponse(tx.request, 200, "OK", "totag")));
    const invite = req("INVITE", { branch: fresh() });
    receive(invite);
    receive(ackFor(invite, "totag", fresh()));
    expect(acks.map((a) => a.method)).toEqual(["ACK"]);
  });

  it("checks bodies against the route: SDP reaches the INVITE handler, text is answered 415", () => {
    const { router, receive, answers } = stack();
    const handled: string[] = [];
    router.on("INVITE", (tx) => handled.push(tx.request.callId), { acceptBody: ["application/sdp"] });
    receive(withBody(req("INVITE", { branch: fresh(), callId: "sdp" }), "application/sdp", "v=0\r\n"));
    receive(withBody(req("INVITE", { branch: fresh(), callId: "text" }), "text/plain", "hello"));
    expect(handled).toEqual(["sdp"]);
    expect(answers().map((r) => [r.status, r.headers.get("accept")])).toEqual([[415, "application/sdp"]]);
  });
});

/** The request again, with this body (parsed as it would arrive). */
function withBody(request: SipRequest, type: string, body: string): SipRequest {
  const head = serialize(request)
    .toString("latin1")
    .replace(/Content-Length: 0\r\n\r\n$/, "");
  const text = `${head}Content-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return parseMessage(Buffer.from(text, "latin1")) as SipRequest;
}
