import { describe, expect, it } from "vitest";
import { formatVia, parseVia, SipParseError } from "../../../../src/sip/message/index.js";

describe("parseVia", () => {
  it("reads protocol, transport, sent-by and parameters", () => {
    expect(
      parseVia("SIP/2.0/tls pbx.example.com:5061;branch=z9hG4bK776;received=192.0.2.1;rport=61000"),
    ).toEqual({
      protocol: "SIP/2.0",
      transport: "TLS",
      host: "pbx.example.com",
      port: 5061,
      params: { branch: "z9hG4bK776", received: "192.0.2.1", rport: "61000" },
      branch: "z9hG4bK776",
      received: "192.0.2.1",
      rport: 61000,
    });
  });

  it("rport without value is null, absent rport is undefined", () => {
    expect(parseVia("SIP/2.0/UDP h;rport;branch=z9hG4bK1").rport).toBeNull();
    expect("rport" in parseVia("SIP/2.0/UDP h;branch=z9hG4bK1")).toBe(false);
  });

  it("accepts LWS around '/', ':', ';' and '=' (RFC 4475 §3.1.1.1)", () => {
    expect(parseVia("SIP  /   2.0 /UDP    192.0.2.2 : 5070  ;  branch  =   390skdjuw ")).toMatchObject({
      protocol: "SIP/2.0",
      transport: "UDP",
      host: "192.0.2.2",
      port: 5070,
      branch: "390skdjuw",
    });
  });

  it("keeps IPv6 brackets in host and strips them from received (RFC 5118 §4.5)", () => {
    const withDelim = parseVia(
      "SIP/2.0/UDP [2001:db8::9:1]:5070;received=[2001:db8::9:255];branch=z9hG4bKas3",
    );
    expect(withDelim).toMatchObject({ host: "[2001:db8::9:1]", port: 5070, received: "2001:db8::9:255" });
    expect(withDelim.params.received).toBe("[2001:db8::9:255]");
    expect(parseVia("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255").received).toBe("2001:db8::9:255");
  });

  it("keeps quoted parameter values and bare flags", () => {
    expect(parseVia('SIP/2.0/TCP h;x="a;b";keep').params).toEqual({ x: '"a;b"', keep: null });
  });

  it.each([
    ["missing transport", "SIP/2.0 h"],
    ["missing sent-by", "SIP/2.0/UDP"],
    ["no space before sent-by", "SIP/2.0/UDP;branch=1"],
    ["empty parameter", "SIP/2.0/UDP 192.0.2.15;;,"],
    ["bad port", "SIP/2.0/UDP h:99999"],
    ["bad rport", "SIP/2.0/UDP h;rport=abc"],
    ["two values", "SIP/2.0/UDP a, SIP/2.0/UDP b"],
  ])("rejects %s", (_name, text) => {
    expect(() => parseVia(text)).toThrow(SipParseError);
  });
});

describe("formatVia", () => {
  it("writes the named fields over params, keeping parameter order", () => {
    const via = parseVia("SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa;rport;x=1");
    via.rport = 40000;
    via.received = "2001:db8::1";
    expect(formatVia(via)).toBe(
      "SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKa;rport=40000;x=1;received=2001:db8::1",
    );
  });

  it("writes params alone when the named fields are absent", () => {
    expect(
      formatVia({
        protocol: "SIP/2.0",
        transport: "TLS",
        host: "h",
        params: { rport: null, branch: "z9hG4bK1" },
      }),
    ).toBe("SIP/2.0/TLS h;rport;branch=z9hG4bK1");
  });

  it.each([
    "SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111",
    "SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=z9hG4bK1;rport",
  ])("round-trips %s", (text) => {
    expect(formatVia(parseVia(text))).toBe(text);
  });
});
