import pino from "pino";
import { describe, expect, it } from "vitest";
import { ControllableClock } from "../../../src/shared/clock.js";
import { type Rejection, SipRouter } from "../../../src/sip/core/index.js";
import { createResponse, type SipResponse } from "../../../src/sip/message/index.js";
import { type ServerTransaction, TransactionLayer } from "../../../src/sip/transaction/index.js";
import { FakeConnection } from "../../support/fake-connection.js";
import { req } from "../sip/transaction/harness.js";

function stack() {
  const router = new SipRouter(pino({ level: "silent" }));
  const layer = new TransactionLayer({ clock: new ControllableClock({ frozen: true }), user: router });
  const conn = new FakeConnection({ reliable: true });
  const answers = () => conn.sent.filter((m): m is SipResponse => m.kind === "response" && m.status >= 200);
  return { router, receive: (r: ReturnType<typeof req>) => layer.receiveRequest(r, conn), answers };
}

let branch = 0;
const fresh = () => `z9hG4bKunhandled${++branch}`;

describe("SipRouter: requests no handler takes", () => {
  it("go to the unhandled listener with the RFC's answer (405 with Allow, 501, 415), which answers", () => {
    const { router, receive, answers } = stack();
    router.on("INFO", () => {}, { acceptBody: ["application/dtmf-relay"] });
    const seen: [string, Rejection][] = [];
    router.onUnhandled((tx: ServerTransaction, answer) => {
      seen.push([tx.request.method, answer]);
      tx.respond(createResponse(tx.request, 299, "Taken"));
    });
    receive(req("SUBSCRIBE", { branch: fresh() }));
    receive(req("FROBNICATE", { branch: fresh() }));
    const info = req("INFO", { branch: fresh(), extra: ["Content-Type: application/x-foo"] });
    info.body = Buffer.from("x");
    receive(info);
    expect(seen.map(([m, a]) => `${m} ${a.status}`)).toEqual(["SUBSCRIBE 405", "FROBNICATE 501", "INFO 415"]);
    expect(seen[0]![1].headers?.allow).toBe(router.allowHeader);
    expect(answers().map((a) => a.status)).toEqual([299, 299, 299]);
  });

  it("leaves protocol errors (420 Bad Extension here) to the router, and answers as the RFC says without a listener", () => {
    const { router, receive, answers } = stack();
    const seen: string[] = [];
    receive(req("SUBSCRIBE", { branch: fresh() }));
    router.onUnhandled((tx) => seen.push(tx.request.method));
    receive(req("OPTIONS", { branch: fresh(), extra: ["Require: foo"] }));
    expect(seen).toEqual([]);
    expect(answers().map((a) => a.status)).toEqual([405, 420]);
  });

  it("answers as the RFC says when the listener throws before answering", () => {
    const { router, receive, answers } = stack();
    router.onUnhandled(() => {
      throw new Error("broken listener");
    });
    receive(req("MESSAGE", { branch: fresh() }));
    const [answer] = answers();
    expect(answer?.status).toBe(405);
    expect(answer?.headers.getAll("allow").join(", ")).toBe(router.allowHeader);
  });
});
