import { describe, expect, it } from "vitest";
import { SIP_METHODS, summarizeSip } from "../../../src/metrics/sip-start-line.js";

const bytes = (lines: string[]) => Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");

describe("summarizeSip: the labels of a SIP message from its bytes", () => {
  it("reads a request's method", () => {
    expect(summarizeSip(bytes(["INVITE sip:+49@example.com SIP/2.0", "CSeq: 1 INVITE"]))).toEqual({
      kind: "request",
      method: "INVITE",
    });
  });

  it("maps an unknown or absurd method to other: a peer cannot grow the label set", () => {
    expect(summarizeSip(bytes(["FOOBAR sip:x SIP/2.0"]))).toEqual({ kind: "request", method: "other" });
    expect(summarizeSip(bytes(["X-CUSTOM.1 sip:x SIP/2.0"]))).toEqual({ kind: "request", method: "other" });
    expect(summarizeSip(bytes(["invite sip:x SIP/2.0"]))).toEqual({ kind: "request", method: "other" });
    expect(summarizeSip(bytes([`${"A".repeat(40)} sip:x SIP/2.0`]))).toBeUndefined();
    expect(summarizeSip(Buffer.from("garbage"))).toBeUndefined();
    expect(summarizeSip(Buffer.alloc(0))).toBeUndefined();
  });

  it("reads a response's status class and the method of its CSeq, in any header case", () => {
    expect(summarizeSip(bytes(["SIP/2.0 401 Unauthorized", "Via: x", "CSeq: 1 REGISTER"]))).toEqual({
      kind: "response",
      statusClass: "4xx",
      method: "REGISTER",
    });
    expect(summarizeSip(bytes(["SIP/2.0 200 OK", "cseq:\t7   bye"]))).toEqual({
      kind: "response",
      statusClass: "2xx",
      method: "BYE",
    });
    expect(summarizeSip(bytes(["SIP/2.0 180 Ringing", "Call-ID: a"]))).toEqual({
      kind: "response",
      statusClass: "1xx",
      method: "other",
    });
  });

  it("does not read a CSeq from the body", () => {
    const message = Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 15\r\n\r\n\nCSeq: 1 INVITE");
    expect(summarizeSip(message)).toMatchObject({ method: "other" });
  });

  it("ignores a status line with a status out of 1xx–6xx", () => {
    expect(summarizeSip(bytes(["SIP/2.0 999 Odd"]))).toBeUndefined();
    expect(summarizeSip(bytes(["SIP/2.0 abc"]))).toBeUndefined();
  });

  it("counts every known method, a request's as spelled, a CSeq's in any case", () => {
    for (const method of SIP_METHODS) {
      expect(summarizeSip(bytes([`${method} sip:x SIP/2.0`]))).toEqual({ kind: "request", method });
      const mixed = [...method].map((c, i) => (i % 2 ? c.toLowerCase() : c)).join("");
      expect(summarizeSip(bytes(["SIP/2.0 500 Oops", `CSeq: 9 ${mixed}`]))).toEqual({
        kind: "response",
        statusClass: "5xx",
        method,
      });
      // One letter more or less is another method.
      expect(summarizeSip(bytes([`${method}S sip:x SIP/2.0`]))?.method).toBe("other");
      expect(summarizeSip(bytes(["SIP/2.0 200 OK", `CSeq: 1 ${method.slice(1)}`]))?.method).not.toBe(method);
    }
  });

  it("answers messages of one kind with one shared object (it runs for every message)", () => {
    const refresh = bytes(["REGISTER sip:a SIP/2.0", "CSeq: 2 REGISTER"]);
    const another = bytes(["REGISTER sip:b SIP/2.0", "CSeq: 3 REGISTER"]);
    expect(summarizeSip(refresh)).toBe(summarizeSip(another));
    const ok = bytes(["SIP/2.0 200 OK", "CSeq: 2 REGISTER"]);
    expect(summarizeSip(ok)).toBe(summarizeSip(bytes(["SIP/2.0 202 Accepted", "CSeq: 3 REGISTER"])));
    expect(summarizeSip(ok)).not.toBe(summarizeSip(bytes(["SIP/2.0 200 OK", "CSeq: 2 OPTIONS"])));
  });
});
