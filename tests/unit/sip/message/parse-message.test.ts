import { describe, expect, it } from "vitest";
import { SIP_ERROR_CODES, type SipErrorCode } from "../../../../src/sip/message/error-codes.js";
import { parseMessage, SipParseError, type SipRequest } from "../../../../src/sip/message/index.js";

const HEADERS = [
  "Via: SIP/2.0/TLS 10.0.0.5:5061;branch=z9hG4bK1",
  "Max-Forwards: 70",
  "From: <sip:alice@example.com>;tag=a1",
  "To: <sip:bob@example.com>",
  "Call-ID: c1@10.0.0.5",
  "CSeq: 1 OPTIONS",
];

function wire(
  startLine: string,
  headers: string[] = HEADERS,
  body = "",
  contentLength: number | null = null,
): Buffer {
  const lines = [startLine, ...headers];
  if (contentLength !== null) lines.push(`Content-Length: ${contentLength}`);
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

function options(headers: string[] = HEADERS, body = ""): Buffer {
  return wire("OPTIONS sip:bob@example.com SIP/2.0", headers, body, Buffer.byteLength(body));
}

function failure(data: Buffer, opts: { datagram?: boolean; maxHeaders?: number } = {}): SipParseError {
  try {
    parseMessage(data, opts);
  } catch (error) {
    if (!(error instanceof SipParseError)) throw error;
    // Every code is registered with the status it answers with.
    expect(SIP_ERROR_CODES[error.code as SipErrorCode]).toBe(error.status);
    return error;
  }
  throw new Error("expected a SipParseError");
}

function replace(name: string, value: string | null): string[] {
  const out = HEADERS.filter((h) => !h.startsWith(`${name}:`));
  if (value !== null) out.push(`${name}: ${value}`);
  return out;
}

describe("parseMessage: requests", () => {
  it("parses a well-formed request", () => {
    const message = parseMessage(options(HEADERS, "hello")) as SipRequest;
    expect(message).toMatchObject({
      kind: "request",
      method: "OPTIONS",
      uri: "sip:bob@example.com",
      version: "SIP/2.0",
    });
    expect(message.body.toString()).toBe("hello");
    expect(message.callId).toBe("c1@10.0.0.5");
    expect(message.cseq).toEqual({ seq: 1, method: "OPTIONS" });
    expect(message.maxForwards).toBe(70);
  });

  it("ignores CRLFs before the start line (RFC 3261 §7.5)", () => {
    const message = parseMessage(Buffer.concat([Buffer.from("\r\n\r\n"), options()]));
    expect(message.kind).toBe("request");
  });

  it.each([
    ["two SP after the method", "OPTIONS  sip:bob@example.com SIP/2.0", "SIP_ERR_START_LINE"],
    ["trailing SP", "OPTIONS sip:bob@example.com SIP/2.0 ", "SIP_ERR_START_LINE"],
    ["LWS in the Request-URI", "OPTIONS sip:bob@example.com; lr SIP/2.0", "SIP_ERR_START_LINE"],
    ["no version", "OPTIONS sip:bob@example.com", "SIP_ERR_START_LINE"],
    ["HT as separator", "OPTIONS\tsip:bob@example.com SIP/2.0", "SIP_ERR_METHOD"],
    ["method not a token", "OPT(IONS sip:bob@example.com SIP/2.0", "SIP_ERR_METHOD"],
    ["Request-URI in <>", "OPTIONS <sip:bob@example.com> SIP/2.0", "SIP_ERR_REQUEST_URI"],
    ["malformed sip URI", "OPTIONS sip:bob@[::1 SIP/2.0", "SIP_ERR_REQUEST_URI"],
    [
      "sip URI with headers",
      "OPTIONS sip:bob@example.com?Route=%3Csip:x%3E SIP/2.0",
      "SIP_ERR_REQUEST_URI_HEADERS",
    ],
    ["malformed version", "OPTIONS sip:bob@example.com HTTP/1.1", "SIP_ERR_VERSION_SYNTAX"],
    ["version without minor", "OPTIONS sip:bob@example.com SIP/2", "SIP_ERR_VERSION_SYNTAX"],
  ])("rejects %s with 400", (_name, startLine, code) => {
    const error = failure(wire(startLine, HEADERS, "", 0));
    expect(error).toMatchObject({ status: 400, code });
    expect(error.reason).toMatch(/^Bad Request: /);
    expect(error.partial?.headers.get("Call-ID")).toBe("c1@10.0.0.5");
  });

  it("gives no partial when the start line has no SP at all", () => {
    expect(failure(wire("garbage", HEADERS, "", 0)).partial).toBeUndefined();
  });

  it("accepts other Request-URI schemes as scheme:opaque", () => {
    const message = parseMessage(wire("OPTIONS tel:+4923026672131 SIP/2.0", HEADERS, "", 0)) as SipRequest;
    expect(message.requestUri).toMatchObject({ scheme: "tel", host: "+4923026672131" });
  });

  it("answers another SIP version with 505, after the other checks", () => {
    const error = failure(wire("OPTIONS sip:bob@example.com SIP/3.0", HEADERS, "", 0));
    expect(error).toMatchObject({ status: 505, reason: "Version Not Supported", code: "SIP_ERR_VERSION" });
    expect(error.partial?.kind).toBe("request");
    const insane = failure(wire("OPTIONS sip:bob@example.com SIP/3.0", replace("Call-ID", null), "", 0));
    expect(insane.status).toBe(400);
  });

  it("accepts the version case-insensitively and keeps it as written", () => {
    expect(parseMessage(wire("OPTIONS sip:bob@example.com sip/2.0", HEADERS, "", 0)).version).toBe("sip/2.0");
  });

  it.each(["Call-ID", "From", "To", "CSeq", "Via"])("rejects a request without %s", (name) => {
    const error = failure(options(replace(name, null)));
    expect(error).toMatchObject({ status: 400, code: "SIP_ERR_MISSING_HEADER" });
    expect(error.reason).toContain(name);
  });

  it.each([
    ["Call-ID", "i: c2"],
    ["From", "f: <sip:x@y>;tag=2"],
    ["To", "To: <sip:x@y>"],
    ["CSeq", "CSeq: 1 OPTIONS"],
    ["Max-Forwards", "Max-Forwards: 70"],
  ])("rejects a second %s", (name, extra) => {
    const error = failure(options([...HEADERS, extra]));
    expect(error).toMatchObject({ status: 400, code: "SIP_ERR_DUPLICATE_HEADER" });
    expect(error.reason).toContain(name);
  });

  it("allows several Via lines and values", () => {
    const message = parseMessage(options([...HEADERS, "Via: SIP/2.0/UDP b, SIP/2.0/UDP c"]));
    expect(message.vias).toHaveLength(3);
  });

  it.each([
    ["2147483647 OPTIONS", true],
    ["0 OPTIONS", true],
    ["0009\t OPTIONS", true],
    ["2147483648 OPTIONS", false],
    ["36893488147419103232 OPTIONS", false],
    ["-1 OPTIONS", false],
    ["OPTIONS", false],
    ["1OPTIONS", false],
    ["1 OPTIONS x", false],
  ])("CSeq %j valid: %s", (value, ok) => {
    const data = options(replace("CSeq", value));
    if (ok) expect(parseMessage(data).cseq.method).toBe("OPTIONS");
    else expect(failure(data)).toMatchObject({ status: 400, code: "SIP_ERR_CSEQ" });
  });

  it("rejects a CSeq method that differs from a known request method", () => {
    expect(failure(options(replace("CSeq", "1 INVITE")))).toMatchObject({
      status: 400,
      code: "SIP_ERR_CSEQ_MISMATCH",
    });
    expect(failure(options(replace("CSeq", "1 options"))).code).toBe("SIP_ERR_CSEQ_MISMATCH");
  });

  it("leaves a CSeq mismatch of an unknown method to the core (501)", () => {
    const message = parseMessage(wire("FOO sip:bob@example.com SIP/2.0", replace("CSeq", "1 INVITE"), "", 0));
    expect(message.cseq).toEqual({ seq: 1, method: "INVITE" });
  });

  it.each([
    ["0068", 68],
    ["0", 0],
    ["255", 255],
  ])("Max-Forwards %s is %d", (value, hops) => {
    expect((parseMessage(options(replace("Max-Forwards", value))) as SipRequest).maxForwards).toBe(hops);
  });

  it.each(["256", "-1", "", "7 0", "x"])("rejects Max-Forwards %j", (value) => {
    expect(failure(options(replace("Max-Forwards", value)))).toMatchObject({
      status: 400,
      code: "SIP_ERR_MAX_FORWARDS",
    });
  });

  it("accepts a request without Max-Forwards (RFC 2543 peers)", () => {
    expect((parseMessage(options(replace("Max-Forwards", null))) as SipRequest).maxForwards).toBeUndefined();
  });

  it("checks only the top Via at parse time", () => {
    expect(failure(options(["Via: SIP/2.0/UDP 192.0.2.15;;,;,,", ...HEADERS.slice(1)])).code).toBe(
      "SIP_ERR_VIA",
    );
    const message = parseMessage(options([...HEADERS, "Via: broken"]));
    expect(message.topVia.branch).toBe("z9hG4bK1");
    expect(() => message.vias).toThrow(SipParseError);
  });

  it.each([
    ["From", '"unterminated <sip:a@b>;tag=1'],
    ["To", "Bell, Alexander <sip:a@b>"],
  ])("rejects an unparseable %s", (name, value) => {
    const error = failure(options(replace(name, value)));
    expect(error.status).toBe(400);
    expect(error.reason).toContain(`${name} header`);
  });

  it.each(["", "a b", "caf\u00e9"])("rejects Call-ID %j", (value) => {
    expect(failure(options(replace("Call-ID", value))).code).toBe("SIP_ERR_CALL_ID");
  });
});

describe("parseMessage: header section", () => {
  it("unfolds continuation lines into one SP", () => {
    const message = parseMessage(
      options(["Subject:", " first", "\t second  ", ...HEADERS.slice(0, 5), "CSeq: 1", "   OPTIONS"]),
    );
    expect(message.headers.get("Subject")).toBe("first second");
    expect(message.cseq).toEqual({ seq: 1, method: "OPTIONS" });
  });

  it("accepts whitespace before the colon and none after it", () => {
    const message = parseMessage(options([...HEADERS, "X-A  :value", "X-B:\t v "]));
    expect(message.headers.get("x-a")).toBe("value");
    expect(message.headers.get("x-b")).toBe("v");
  });

  it.each([
    ["a line without colon", "NoColonHere"],
    ["a name that is not a token", "Bad Name: x"],
    ["an empty name", ": x"],
  ])("rejects %s", (_name, line) => {
    expect(failure(options([...HEADERS, line]))).toMatchObject({ status: 400, code: "SIP_ERR_HEADER_LINE" });
  });

  it("rejects a continuation line right after the start line", () => {
    expect(failure(options([" folded", ...HEADERS])).code).toBe("SIP_ERR_HEADER_LINE");
  });

  it.each([
    ["bare LF", "X-A: a\nX-B: b"],
    ["bare CR", "X-A: a\rb"],
  ])("rejects a %s in the header section", (_name, line) => {
    const error = failure(options([...HEADERS, line]));
    expect(error.code).toBe("SIP_ERR_BARE_LINE_END");
    for (const [, value] of error.partial!.headers.entries()) expect(value).not.toMatch(/[\r\n]/);
  });

  it("keeps UTF-8 text exactly", () => {
    const message = parseMessage(options([...HEADERS, "Subject: \uFEFF大停電 – работающий"]));
    expect(message.headers.get("Subject")).toBe("\uFEFF大停電 – работающий");
  });

  it("rejects a header section without its empty line, with a partial", () => {
    const data = Buffer.from(
      `OPTIONS sip:bob@example.com SIP/2.0\r\n${HEADERS.join("\r\n")}\r\nContent-Length: 0\r\n`,
    );
    const error = failure(data, { datagram: true });
    expect(error.code).toBe("SIP_ERR_NO_HEADER_END");
    expect(error.partial?.headers.get("Content-Length")).toBe("0");
  });

  it("enforces maxHeaders", () => {
    const data = options();
    expect(parseMessage(data, { maxHeaders: 7 }).kind).toBe("request");
    const error = failure(data, { maxHeaders: 6 });
    expect(error).toMatchObject({ status: 400, code: "SIP_ERR_TOO_MANY_HEADERS" });
    expect(error.partial?.headers.get("Call-ID")).toBe("c1@10.0.0.5");
  });
});

describe("parseMessage: Content-Length and body", () => {
  it("reads binary bodies with NUL, bare CR/LF and CRLFCRLF", () => {
    const body = Buffer.from([0, 13, 10, 13, 10, 10, 13, 255, 0]);
    const head = Buffer.from(
      `OPTIONS sip:bob@example.com SIP/2.0\r\n${HEADERS.join("\r\n")}\r\nl: 9\r\n\r\n`,
    );
    expect(parseMessage(Buffer.concat([head, body])).body.equals(body)).toBe(true);
  });

  it.each([
    ["negative", "-999"],
    ["not a number", "abc"],
    ["a list", "5, 5"],
    ["empty", ""],
  ])("rejects a %s Content-Length", (_name, value) => {
    const error = failure(
      wire("OPTIONS sip:bob@example.com SIP/2.0", [...HEADERS, `Content-Length: ${value}`]),
      {
        datagram: true,
      },
    );
    expect(error).toMatchObject({ status: 400, code: "SIP_ERR_CONTENT_LENGTH" });
    expect(error.partial?.kind).toBe("request");
  });

  it("rejects conflicting values, accepts identical repeats", () => {
    const conflicting = wire(
      "OPTIONS sip:bob@example.com SIP/2.0",
      [...HEADERS, "Content-Length: 13", "l: 5"],
      "x".repeat(13),
    );
    expect(failure(conflicting, { datagram: true }).code).toBe("SIP_ERR_CONTENT_LENGTH");
    const same = wire("OPTIONS sip:bob@example.com SIP/2.0", [...HEADERS, "Content-Length: 2", "l: 2"], "ab");
    expect(parseMessage(same).body.toString()).toBe("ab");
  });

  it("stream mode requires Content-Length and exactly the body", () => {
    const noLength = wire("OPTIONS sip:bob@example.com SIP/2.0", HEADERS, "abc");
    expect(failure(noLength).code).toBe("SIP_ERR_CONTENT_LENGTH_MISSING");
    const trailing = wire("OPTIONS sip:bob@example.com SIP/2.0", HEADERS, "abcdef", 3);
    expect(failure(trailing).code).toBe("SIP_ERR_TRAILING_DATA");
    const short = wire("OPTIONS sip:bob@example.com SIP/2.0", HEADERS, "ab", 3);
    expect(failure(short).code).toBe("SIP_ERR_BODY_TRUNCATED");
  });

  it("datagram mode: absent Content-Length means to the end, extra octets are ignored (RFC 3261 §18.3)", () => {
    const noLength = wire("OPTIONS sip:bob@example.com SIP/2.0", HEADERS, "abc");
    expect(parseMessage(noLength, { datagram: true }).body.toString()).toBe("abc");
    const trailing = wire("OPTIONS sip:bob@example.com SIP/2.0", HEADERS, "abcdef", 3);
    expect(parseMessage(trailing, { datagram: true }).body.toString()).toBe("abc");
    const short = wire("OPTIONS sip:bob@example.com SIP/2.0", HEADERS, "ab", 3);
    expect(failure(short, { datagram: true })).toMatchObject({ status: 400, code: "SIP_ERR_BODY_TRUNCATED" });
  });

  it("copies the body out of the input buffer", () => {
    const data = options(HEADERS, "abc");
    const message = parseMessage(data);
    data.fill(0);
    expect(message.body.toString()).toBe("abc");
  });
});

describe("parseMessage: responses", () => {
  const RESPONSE_HEADERS = HEADERS.filter((h) => !h.startsWith("Max-Forwards"));

  it("parses status, reason and fields", () => {
    const message = parseMessage(wire("SIP/2.0 486 Busy Here", RESPONSE_HEADERS, "", 0));
    expect(message).toMatchObject({ kind: "response", status: 486, reason: "Busy Here" });
    expect(message.cseq.method).toBe("OPTIONS");
  });

  it("accepts an empty reason phrase with or without its SP", () => {
    expect(parseMessage(wire("SIP/2.0 100 ", RESPONSE_HEADERS, "", 0))).toMatchObject({
      status: 100,
      reason: "",
    });
    expect(parseMessage(wire("SIP/2.0 180", RESPONSE_HEADERS, "", 0))).toMatchObject({
      status: 180,
      reason: "",
    });
  });

  it.each([
    "SIP/2.0 99 Low",
    "SIP/2.0 700 High",
    "SIP/2.0 2000 Long",
    "SIP/2.0 4294967301 x",
    "SIP/2.0 2a0 x",
    "SIP/2.0",
  ])("rejects %j (the caller drops it)", (line) => {
    const error = failure(wire(line, RESPONSE_HEADERS, "", 0));
    expect(error.code).toBe("SIP_ERR_STATUS_CODE");
    expect(error.partial).toBeUndefined();
  });

  it("rejects a response of another version and an overlarge CSeq", () => {
    expect(failure(wire("SIP/3.0 200 OK", RESPONSE_HEADERS, "", 0)).code).toBe("SIP_ERR_VERSION");
    const big = RESPONSE_HEADERS.map((h) =>
      h.startsWith("CSeq") ? "CSeq: 9292394834772304023312 OPTIONS" : h,
    );
    expect(failure(wire("SIP/2.0 503 Service Unavailable", big, "", 0)).code).toBe("SIP_ERR_CSEQ");
  });
});
