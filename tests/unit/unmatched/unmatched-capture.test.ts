import { describe, expect, it } from "vitest";
import {
  type StubResponder,
  UnmatchedCapture,
  type UnmatchedCaptureOptions,
} from "../../../src/services/index.js";
import { ControllableClock } from "../../../src/shared/clock.js";

const clock = new ControllableClock({ frozen: true });

function capture(options: Partial<UnmatchedCaptureOptions> = {}) {
  return new UnmatchedCapture({
    clock,
    capacity: 3,
    bodyLimit: 8,
    httpStatus: 404,
    sipStatus: 0,
    ...options,
  });
}

function http(path: string, body = "") {
  return {
    method: "POST",
    url: path,
    path,
    query: {},
    headers: { "content-type": "text/plain" },
    body: Buffer.from(body),
    remoteAddress: "127.0.0.1",
  };
}

const sip = (rfcStatus = 405) => ({
  request: {
    method: "MESSAGE",
    requestUri: "sip:a@b",
    headers: [["Call-ID", "c1"]] as [string, string][],
    body: "",
  },
  bodyBytes: 0,
  cause: "no handler for MESSAGE",
  rfcAnswer: { status: rfcStatus, reason: "Method Not Allowed: the connector does not accept MESSAGE" },
  flow: { transport: "TLS", connectionId: "c1", remoteAddress: "127.0.0.1", remotePort: 5061 },
  startLine: "MESSAGE sip:a@b SIP/2.0",
});

describe("UnmatchedCapture", () => {
  it("keeps the last `capacity` entries, newest first, and never reuses an id after a clear", async () => {
    const c = capture();
    for (const p of ["/1", "/2", "/3", "/4"]) await c.captureHttp(http(p));
    expect(c.list().map((e) => (e.kind === "http" ? e.path : ""))).toEqual(["/4", "/3", "/2"]);
    expect(c.get("um_1")).toBeUndefined();
    expect(c.clear()).toBe(3);
    const { entry } = await c.captureHttp(http("/5"));
    expect(entry.id).toBe("um_5");
  });

  it("cuts a body at the limit without splitting a UTF-8 character, and says how long it was", async () => {
    const { entry } = await capture().captureHttp(http("/u", "aaaaaaa€€"));
    expect(entry.body).toBe("aaaaaaa");
    expect(entry).toMatchObject({ bodyBytes: 13, bodyTruncated: true });
  });

  it("answers with the default when the stub responder throws, and reports the failure", async () => {
    const failures: string[] = [];
    const broken: StubResponder = {
      answerHttp: async () => {
        throw new Error("template failed");
      },
      answerSip: async () => {
        throw new Error("template failed");
      },
    };
    const c = capture({
      stubs: broken,
      onStubError: (e, kind) => failures.push(`${kind}: ${(e as Error).message}`),
    });
    const { entry, answer } = await c.captureHttp(http("/x"));
    expect(answer).toEqual({ kind: "default", status: 404 });
    expect(entry.answeredBy).toBe("default");
    const sipAnswer = await c.captureSip(sip());
    expect(sipAnswer.answer.status).toBe(405);
    expect(failures).toEqual(["http: template failed", "sip: template failed"]);
  });

  it("replaces the RFC's SIP status by a configured one, with its reason phrase and the cause", async () => {
    const { answer, entry } = await capture({ sipStatus: 480 }).captureSip(sip());
    expect(answer).toEqual({ status: 480, reason: "Temporarily Unavailable: no handler for MESSAGE" });
    expect(entry).toMatchObject({ status: 480, reason: "Temporarily Unavailable: no handler for MESSAGE" });
  });

  it("publishes each capture with the request as text for the trace", async () => {
    const c = capture();
    const seen: string[] = [];
    c.captured.on(({ entry, message }) => seen.push(`${entry.id}|${message}`));
    await c.captureSip(sip());
    expect(seen).toEqual(["um_1|MESSAGE sip:a@b SIP/2.0\r\nCall-ID: c1\r\n\r\n"]);
  });
});
