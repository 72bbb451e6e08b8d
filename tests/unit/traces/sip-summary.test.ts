import { describe, expect, it } from "vitest";
import { summarizeSip } from "../../../src/traces/sip-summary.js";

describe("summarizeSip", () => {
  it("reads a request's method, Call-ID and CSeq", () => {
    const text =
      "INVITE sip:+4923026672131@phoneapp.unify.com SIP/2.0\r\nVia: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK1\r\nCall-ID: abc@10.0.0.1\r\nCSeq:  7   INVITE\r\nContent-Length: 0\r\n\r\n";
    expect(summarizeSip(text)).toEqual({
      startLine: "INVITE sip:+4923026672131@phoneapp.unify.com SIP/2.0",
      method: "INVITE",
      callId: "abc@10.0.0.1",
      cseq: "7 INVITE",
    });
  });

  it("reads a response's status and reason, and the compact Call-ID form (i:)", () => {
    const text = "SIP/2.0 401 Unauthorized\r\ni: x1\r\nCSeq: 1 REGISTER\r\n\r\n";
    expect(summarizeSip(text)).toEqual({
      startLine: "SIP/2.0 401 Unauthorized",
      status: 401,
      reason: "Unauthorized",
      callId: "x1",
      cseq: "1 REGISTER",
    });
  });

  it("does not take a Call-ID from the body", () => {
    const text = "OPTIONS sip:a SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\nCall-ID: not-a-header\r\n";
    expect(summarizeSip(text).callId).toBeUndefined();
  });

  it("summarises garbage as just its first line", () => {
    expect(summarizeSip("HELLO\r\nthere")).toEqual({ startLine: "HELLO" });
  });
});
