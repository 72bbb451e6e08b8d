import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SIP_ERROR_CODES, type SipErrorCode } from "../../src/sip/message/error-codes.js";
import {
  createResponse,
  type FramerEvent,
  parseAuthParams,
  parseMessage,
  parseNameAddr,
  type SipMessage,
  SipParseError,
  type SipRequest,
  type SipResponse,
  StreamFramer,
  serialize,
} from "../../src/sip/message/index.js";
import { allEntries, type CorpusEntry, loadExpectations, rawBytes, wireBytes } from "./corpus.js";

const entries = allEntries();

function request(message: SipMessage): SipRequest {
  expect(message.kind).toBe("request");
  return message as SipRequest;
}

function response(message: SipMessage): SipResponse {
  expect(message.kind).toBe("response");
  return message as SipResponse;
}

function contact(message: SipMessage, index = 0) {
  return parseNameAddr(message.headers.getAll("Contact")[index]!);
}

function parseFailure(data: Buffer): SipParseError {
  try {
    parseMessage(data, { datagram: true });
  } catch (error) {
    expect(error).toBeInstanceOf(SipParseError);
    return error as SipParseError;
  }
  throw new Error("expected a SipParseError");
}

/** What each valid message must yield: the fields its RFC note talks about. */
const VALID: Record<string, (message: SipMessage) => void> = {
  "wsinv.dat": (m) => {
    const r = request(m);
    expect(r.method).toBe("INVITE");
    expect(r.requestUri).toMatchObject({ user: "vivekg", host: "chair-dnrc.example.com" });
    expect(r.requestUri.params).toEqual({ unknownparam: null });
    expect(r.to.params).toEqual({ tag: "1918181833n" });
    expect(r.to.displayName).toBeUndefined();
    expect(r.from.displayName).toBe('J Rosenberg \\"');
    expect(r.from.params).toEqual({ tag: "98asjd8" });
    expect(r.maxForwards).toBe(68);
    expect(r.cseq).toEqual({ seq: 9, method: "INVITE" });
    expect(r.vias.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ["UDP", "192.0.2.2", "390skdjuw"],
      ["TCP", "spindle.example.com", "z9hG4bK9ikj8"],
      ["UDP", "192.168.255.111", "z9hG4bK30239"],
    ]);
    expect(r.vias.every((v) => v.protocol === "SIP/2.0")).toBe(true);
    expect(r.headers.get("Subject")).toBe("");
    expect(r.headers.get("NewFangledHeader")).toBe("newfangled value continued newfangled value");
    expect(r.headers.get("UnknownHeaderWithUnusualValue")).toBe(";;,,;;,;");
    expect(r.headers.get("Route")).toBe("<sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
    expect(contact(r)).toMatchObject({
      displayName: 'Quoted string ""',
      params: { newparam: "newvalue", secondparam: null, q: "0.33" },
    });
    expect(r.body.length).toBe(150);
  },
  "intmeth.dat": (m) => {
    const r = request(m);
    expect(r.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    expect(r.requestUri).toMatchObject({
      user: "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
      password: "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)",
      host: "example.com",
    });
    expect(r.topVia.branch).toBe("z9hG4bK-.!%66*_+`'~");
    expect(r.to.displayName).toBe("BEL:\x07 NUL:\x00 DEL:\x7f");
    expect(r.to.uri.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(r.from.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(r.from.params).toEqual({ "fromparam''~+*_!.-%": '"работающий"', tag: "_token~1'+`*%!-." });
    expect(r.callId).toBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    expect(r.cseq).toEqual({ seq: 139122385, method: r.method });
    expect(r.maxForwards).toBe(255);
    expect(r.headers.get("extensionHeader-!.%*+_`'~")).toBe("\uFEFF大停電");
  },
  "esc01.dat": (m) => {
    const r = request(m);
    // The user part only looks like a sips URI once unescaped.
    expect(r.requestUri).toMatchObject({ scheme: "sip", user: "sips:user@example.com", host: "example.net" });
    expect(r.to.uri.user).toBe("user");
    expect(r.from.uri.user).toBe("I have spaces");
    expect(r.callId).toBe("esc01.239409asdfakjkn23onasd0-3234");
    expect(r.headers.get("Content-Type")).toBe("application/sdp");
    expect(contact(r).uri).toMatchObject({ user: "caller", params: { lr: null, name: "value%41" } });
  },
  "escnull.dat": (m) => {
    const r = request(m);
    expect(r.to.uri.user).toBe("null-\0-null");
    expect(r.headers.getAll("Contact").map((c) => parseNameAddr(c).uri.user)).toEqual(["\0", "\0\0"]);
    expect(r.headers.get("Content-Length")).toBe("0");
  },
  "esc02.dat": (m) => {
    const r = request(m);
    expect(r.method).toBe("RE%47IST%45R");
    expect(r.cseq.method).toBe("RE%47IST%45R");
    expect(r.from.displayName).toBe("%Z%45");
    expect(r.to.displayName).toBe("%Z%45");
    expect(r.headers.count("Contact")).toBe(2);
    expect(r.headers.get("C%6Fntact")).toBe("<sip:alias2@host2.example.com>");
    expect(r.topVia.branch).toBe("z9hG4bK209%fzsnel234");
  },
  "lwsdisp.dat": (m) => {
    expect(m.from).toMatchObject({ displayName: "caller", uri: { user: "caller", host: "example.com" } });
  },
  "longreq.dat": (m) => {
    const r = request(m);
    expect(r.to.displayName).toMatch(/^I have a user name of (extreme){10} proportion$/);
    expect(r.to.uri.port).toBe(6000);
    expect(Object.keys(r.to.uri.params)).toHaveLength(3);
    expect(
      r.to.uri.params
        .verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongparameternamewithnovalue,
    ).toBeNull();
    expect(r.from.params.tag).toMatch(/^1(298){50}2424$/);
    expect(Object.keys(r.from.params)).toHaveLength(3);
    expect(r.vias).toHaveLength(34);
    expect(r.topVia.host).toBe("sip33.example.com");
    expect(r.vias[33]).toMatchObject({ host: "host.example.com", received: "192.0.2.5" });
    expect(r.vias[33]!.branch).toMatch(/^very(long){50}branchvalue$/);
    expect(r.callId).toMatch(/^longreq\.one(really){20}longcallid$/);
    expect(r.headers.get(`Unknown-${"Long".repeat(20)}-Name`)).toMatch(/^unknown-(long){20}-value;/);
    expect(r.body.length).toBe(150);
  },
  "dblreq.dat": (m) => {
    const r = request(m);
    expect(r.method).toBe("REGISTER");
    expect(r.callId).toBe("dblreq.0ha0isndaksdj99sdfafnl3lk233412");
    expect(r.body.length).toBe(0);
  },
  "semiuri.dat": (m) => {
    const r = request(m);
    expect(r.requestUri).toMatchObject({ user: "user;par=u@example.net", host: "example.com", params: {} });
    expect(r.headers.getAll("Accept")).toEqual([
      "application/sdp",
      "application/pkcs7-mime",
      "multipart/mixed",
      "multipart/signed",
      "message/sip",
      "message/sipfrag",
    ]);
  },
  "transports.dat": (m) => {
    expect(m.vias.map((v) => v.transport)).toEqual(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"]);
  },
  "mpart01.dat": (m) => {
    expect(m.body.length).toBe(553);
    expect(m.body.includes(0)).toBe(true);
    expect(m.body.toString("latin1")).toMatch(/^--7a9cbec02ceef655\r\n/);
    expect(m.body.toString("latin1")).toMatch(/--7a9cbec02ceef655--\r\n$/);
    expect(m.topVia).toMatchObject({ host: "127.0.0.1", port: 5070, rport: null });
  },
  "unreason.dat": (m) => {
    const r = response(m);
    expect(r.status).toBe(200);
    expect(r.reason).toBe("= 2**3 * 5**2 но сто девяносто девять - простое");
    expect(r.body.length).toBe(154);
  },
  "noreason.dat": (m) => {
    const r = response(m);
    expect(r.status).toBe(100);
    expect(r.reason).toBe("");
  },
  "badbranch.dat": (m) => {
    expect(m.topVia.branch).toBe("z9hG4bK");
  },
  "unkscm.dat": (m) => {
    expect(request(m).requestUri).toMatchObject({
      scheme: "nobodyknowsthisscheme",
      host: "totallyopaquecontent",
    });
  },
  "novelsc.dat": (m) => {
    expect(request(m).requestUri).toMatchObject({ scheme: "soap.beep", host: "//192.0.2.103:3002" });
  },
  "unksm2.dat": (m) => {
    expect(m.to.uri).toMatchObject({ scheme: "isbn", host: "2983792873" });
    expect(m.from.uri).toMatchObject({ scheme: "http", host: "//www.example.com" });
    expect(m.from.params.tag).toBe("3234233");
    expect(contact(m).uri).toMatchObject({ scheme: "name", host: "John_Smith" });
  },
  "bext01.dat": (m) => {
    expect(m.headers.getAll("Require")).toEqual(["nothingSupportsThis", "nothingSupportsThisEither"]);
    expect(m.headers.getAll("Proxy-Require")).toEqual(["noProxiesSupportThis", "norDoAnyProxiesSupportThis"]);
  },
  "invut.dat": (m) => {
    expect(m.headers.get("Content-Type")).toBe("application/unknownformat");
    expect(m.body.toString()).toBe('<audio>\r\n <pcmu port="443"/>\r\n</audio>\r\n');
  },
  "regaut01.dat": (m) => {
    expect(parseAuthParams(m.headers.get("Authorization")!)).toEqual({
      scheme: "NoOneKnowsThisScheme",
      params: { "opaque-data": "here" },
    });
  },
  "bcast.dat": (m) => {
    expect(response(m).status).toBe(200);
    expect(m.vias.map((v) => v.host)).toEqual(["192.0.2.198", "255.255.255.255"]);
  },
  "zeromf.dat": (m) => {
    expect(request(m).maxForwards).toBe(0);
  },
  "cparam01.dat": (m) => {
    const value = contact(m);
    expect(value.params).toEqual({ unknownparam: null });
    expect(value.uri.params).toEqual({});
    expect(value.uri.user).toBe("+19725552222");
  },
  "cparam02.dat": (m) => {
    const value = contact(m);
    expect(value.params).toEqual({});
    expect(value.uri.params).toEqual({ unknownparam: null });
  },
  "regescrt.dat": (m) => {
    expect(contact(m).uri.headers).toEqual({ Route: "<sip:sip.example.com>" });
  },
  "sdp01.dat": (m) => {
    expect(m.headers.getAll("Accept")).toEqual(["text/nobodyKnowsThis"]);
    expect(m.body.length).toBe(150);
  },
  "inv2543.dat": (m) => {
    const r = request(m);
    expect(r.headers.has("Content-Length")).toBe(false);
    expect(r.body.toString()).toMatch(/^v=0\r\n[\s\S]*m=audio 49217 RTP\/AVP 0\r\n$/);
    expect(r.topVia.branch).toBeUndefined();
    expect(r.from.params.tag).toBeUndefined();
    expect(r.from.uri.params).toEqual({ user: "phone" });
    // addr-spec form: ";user=phone" after it is a header parameter of To (RFC 3261 §20.10).
    expect(r.to.params).toEqual({ user: "phone" });
    expect(r.to.uri.params).toEqual({});
    expect(r.maxForwards).toBeUndefined();
  },
  "ipv6-good.dat": (m) => {
    expect(request(m).requestUri).toMatchObject({ host: "[2001:db8::10]" });
    expect(request(m).requestUri.port).toBeUndefined();
    expect(m.topVia.host).toBe("[2001:db8::9:1]");
    expect(contact(m).uri.host).toBe("[2001:db8::1]");
  },
  "port-ambiguous.dat": (m) => {
    expect(request(m).requestUri.host).toBe("[2001:db8::10:5070]");
    expect(request(m).requestUri.port).toBeUndefined();
  },
  "port-unambiguous.dat": (m) => {
    expect(request(m).requestUri).toMatchObject({ host: "[2001:db8::10]", port: 5070 });
  },
  "via-received-param-with-delim.dat": (m) => {
    expect(m.topVia.received).toBe("2001:db8::9:255");
    expect(m.topVia.params.received).toBe("[2001:db8::9:255]");
  },
  "via-received-param-no-delim.dat": (m) => {
    expect(m.topVia.received).toBe("2001:db8::9:255");
    expect(m.topVia.branch).toBe("z9hG4bKas3");
  },
  "ipv6-in-sdp.dat": (m) => {
    expect(m.body.toString()).toContain("c=IN IP6 2001:db8::20\n");
    expect(m.to.uri.host).toBe("[2001:db8::10]");
  },
  "mult-ip-in-header.dat": (m) => {
    expect(m.vias.map((v) => [v.transport, v.host, v.port, v.received])).toEqual([
      ["UDP", "[2001:db8::9:1]", 6050, undefined],
      ["UDP", "192.0.2.1", undefined, undefined],
      ["TCP", "[2001:db8::9:255]", undefined, "192.0.2.200"],
    ]);
  },
  "mult-ip-in-sdp.dat": (m) => {
    expect(m.body.toString()).toContain("c=IN IP4 192.0.2.1\n");
    expect(m.body.toString()).toMatch(/c=IN IP6 2001:db8::1\na=rtpmap:107 H263-1998\/90000\n$/);
  },
  "ipv4-mapped-ipv6.dat": (m) => {
    expect(m.vias.map((v) => [v.host, v.port])).toEqual([
      ["[::ffff:192.0.2.10]", 19823],
      ["[::ffff:192.0.2.2]", undefined],
    ]);
    expect(contact(m)).toMatchObject({ displayName: "T. desk phone", uri: { host: "[::ffff:192.0.2.2]" } });
    expect(m.body.length).toBe(236);
  },
  "ipv6-bug-abnf-3-colons.dat": (m) => {
    expect(request(m).requestUri.host).toBe("[2001:db8:::192.0.2.1]");
    expect(m.to.uri.host).toBe("[2001:db8:::192.0.2.1]");
  },
  "ipv6-correct-abnf-2-colons.dat": (m) => {
    expect(request(m).requestUri.host).toBe("[2001:db8::192.0.2.1]");
  },
};

/** Invalid messages the parser itself rejects: status and machine code. */
const REJECTED: Record<string, { status: number; code: string }> = {
  "badinv01.dat": { status: 400, code: "SIP_ERR_VIA" },
  "clerr.dat": { status: 400, code: "SIP_ERR_BODY_TRUNCATED" },
  "ncl.dat": { status: 400, code: "SIP_ERR_CONTENT_LENGTH" },
  "scalar02.dat": { status: 400, code: "SIP_ERR_CSEQ" },
  "scalarlg.dat": { status: 400, code: "SIP_ERR_CSEQ" },
  "quotbal.dat": { status: 400, code: "SIP_ERR_NAME_ADDR" },
  "ltgtruri.dat": { status: 400, code: "SIP_ERR_REQUEST_URI" },
  "lwsruri.dat": { status: 400, code: "SIP_ERR_START_LINE" },
  "lwsstart.dat": { status: 400, code: "SIP_ERR_START_LINE" },
  "trws.dat": { status: 400, code: "SIP_ERR_START_LINE" },
  "escruri.dat": { status: 400, code: "SIP_ERR_REQUEST_URI_HEADERS" },
  "badaspec.dat": { status: 400, code: "SIP_ERR_URI" },
  "baddn.dat": { status: 400, code: "SIP_ERR_NAME_ADDR" },
  "badvers.dat": { status: 505, code: "SIP_ERR_VERSION" },
  "mismatch01.dat": { status: 400, code: "SIP_ERR_CSEQ_MISMATCH" },
  "bigcode.dat": { status: 400, code: "SIP_ERR_STATUS_CODE" },
  "insuf.dat": { status: 400, code: "SIP_ERR_MISSING_HEADER" },
  "multi01.dat": { status: 400, code: "SIP_ERR_DUPLICATE_HEADER" },
  "mcl01.dat": { status: 400, code: "SIP_ERR_CONTENT_LENGTH" },
  "ipv6-bad.dat": { status: 400, code: "SIP_ERR_REQUEST_URI" },
};

/**
 * Invalid messages whose expected answer is an application-layer decision: they must parse,
 * and the check shows the core has what it needs to decide.
 */
const APPLICATION_LAYER: Record<string, (message: SipMessage) => void> = {
  // Unknown method: the core answers 501; a CSeq mismatch is not a parse error then.
  "mismatch02.dat": (m) => {
    expect(request(m).method).toBe("NEWMETHOD");
    expect(m.cseq).toEqual({ seq: 8, method: "INVITE" });
  },
  // Date is never interpreted here, so the bad time zone is accepted (liberal-accept).
  "baddate.dat": (m) => {
    expect(m.headers.get("Date")).toBe("Fri, 01 Jan 2010 16:00:00 EST");
  },
  // The registrar parses Contact and answers 400: the addr-spec with '?' must be in <>.
  "regbadct.dat": (m) => {
    expect(() => contact(m)).toThrow(expect.objectContaining({ status: 400, code: "SIP_ERR_NAME_ADDR" }));
  },
};

/** Rejected requests whose Via/From/To/Call-ID/CSeq are readable: a 400 (or 505) built from the partial re-parses. */
const ANSWERABLE = [
  "clerr.dat",
  "ncl.dat",
  "ltgtruri.dat",
  "lwsruri.dat",
  "lwsstart.dat",
  "trws.dat",
  "escruri.dat",
  "badvers.dat",
  "mismatch01.dat",
  "multi01.dat",
  "mcl01.dat",
  "ipv6-bad.dat",
];

/** Rejected requests whose broken field is itself one a response must echo. */
const UNANSWERABLE = [
  "badinv01.dat",
  "scalar02.dat",
  "quotbal.dat",
  "badaspec.dat",
  "baddn.dat",
  "insuf.dat",
];

/** How a stream (TLS/TCP) reading differs from the datagram reading. */
const STREAM_OUTCOME: Record<string, "wait" | "fatal"> = {
  "clerr.dat": "wait",
  "ncl.dat": "fatal",
  "mcl01.dat": "fatal",
  "inv2543.dat": "fatal",
};

/** Datagram-only: its trailing octets would be read as a second message on a stream. */
const NOT_STREAM = new Set(["dblreq.dat"]);

function entryOf(file: string): CorpusEntry & { set: "rfc4475" | "rfc5118" } {
  const entry = entries.find((e) => e.file === file);
  if (!entry) throw new Error(`no corpus entry ${file}`);
  return entry;
}

describe("conformance corpus files", () => {
  it("holds 49 RFC 4475 and 12 RFC 5118 entries", () => {
    expect(loadExpectations("rfc4475")).toHaveLength(49);
    expect(loadExpectations("rfc5118")).toHaveLength(12);
  });

  it.each(entries.map((e) => [e.file, e] as const))("%s matches its sha256 and size", (_file, entry) => {
    const bytes = rawBytes(entry.set, entry.file);
    expect(bytes.length).toBe(entry.size);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(entry.sha256);
  });

  it("every entry is covered by exactly one table", () => {
    const valid = entries.filter((e) => e.valid).map((e) => e.file);
    const invalid = entries.filter((e) => !e.valid).map((e) => e.file);
    expect(Object.keys(VALID).sort()).toEqual([...valid].sort());
    expect([...Object.keys(REJECTED), ...Object.keys(APPLICATION_LAYER)].sort()).toEqual([...invalid].sort());
    expect([...ANSWERABLE, ...UNANSWERABLE].sort()).toEqual(
      Object.keys(REJECTED)
        .filter((f) => entryOf(f).kind === "request")
        .sort(),
    );
  });
});

describe("parseMessage on the corpus (datagram)", () => {
  it.each(Object.keys(VALID))("%s parses and yields the noted fields", (file) => {
    const entry = entryOf(file);
    const message = parseMessage(wireBytes(entry.set, file), { datagram: true });
    expect(message.kind).toBe(entry.kind);
    if (entry.kind === "request") expect(request(message).method).toBe(entry.method);
    VALID[file]!(message);
  });

  it.each(Object.entries(REJECTED))("%s is rejected with %o", (file, expected) => {
    const entry = entryOf(file);
    const error = parseFailure(wireBytes(entry.set, file));
    expect({ status: error.status, code: error.code }).toEqual(expected);
    expect(SIP_ERROR_CODES[error.code as SipErrorCode]).toBe(error.status);
    expect(error.reason.length).toBeGreaterThan(0);
    if (entry.kind === "request") expect(error.partial?.kind).toBe("request");
  });

  it.each(Object.keys(APPLICATION_LAYER))("%s parses; its status is the core's decision", (file) => {
    const entry = entryOf(file);
    APPLICATION_LAYER[file]!(parseMessage(wireBytes(entry.set, file), { datagram: true }));
  });

  it("drop-expected responses: bigcode and scalarlg throw, bcast parses", () => {
    for (const file of ["bigcode.dat", "scalarlg.dat"]) {
      expect(parseFailure(wireBytes("rfc4475", file)).partial?.kind).not.toBe("request");
    }
    expect(parseMessage(wireBytes("rfc4475", "bcast.dat"), { datagram: true }).kind).toBe("response");
  });

  it("dblreq: the octets after Content-Length are ignored", () => {
    const data = wireBytes("rfc4475", "dblreq.dat");
    const message = parseMessage(data, { datagram: true });
    expect(serialize(message).length).toBe(data.indexOf("INVITE sip:joe") - 2);
  });
});

describe("responses to rejected requests", () => {
  it.each(ANSWERABLE)("%s: createResponse(partial) serializes and re-parses", (file) => {
    const entry = entryOf(file);
    const error = parseFailure(wireBytes(entry.set, file));
    const partial = request(error.partial!);
    const answer = createResponse(partial, error.status);
    const reparsed = response(parseMessage(serialize(answer)));
    expect(reparsed.status).toBe(error.status);
    expect(reparsed.callId).toBe(partial.headers.get("Call-ID"));
    expect(reparsed.headers.get("CSeq")).toBe(partial.headers.get("CSeq"));
    expect(reparsed.headers.getAll("Via")).toEqual(partial.headers.getAll("Via"));
    expect(reparsed.body.length).toBe(0);
  });

  it.each(UNANSWERABLE)("%s: createResponse(partial) still builds a response", (file) => {
    const entry = entryOf(file);
    const error = parseFailure(wireBytes(entry.set, file));
    const answer = createResponse(request(error.partial!), 400);
    expect(serialize(answer).toString()).toMatch(/^SIP\/2\.0 400 Bad Request\r\n/);
  });
});

function framed(data: Buffer, chunkSize: number): { events: FramerEvent[]; buffered: number } {
  const framer = new StreamFramer({ maxMessageSize: 65535, maxHeaders: 256 });
  const events: FramerEvent[] = [];
  for (let i = 0; i < data.length; i += chunkSize)
    events.push(...framer.push(data.subarray(i, i + chunkSize)));
  return { events, buffered: framer.buffered };
}

describe("StreamFramer on the corpus", () => {
  const files = entries.map((e) => e.file).filter((f) => !NOT_STREAM.has(f));

  it.each(files)("%s gives the same outcome in whole and 1-byte chunks", (file) => {
    const entry = entryOf(file);
    const data = wireBytes(entry.set, file);
    const outcome = STREAM_OUTCOME[file];
    for (const chunkSize of [data.length, 1]) {
      const { events, buffered } = framed(data, chunkSize);
      if (outcome === "wait") {
        expect(events).toEqual([]);
        expect(buffered).toBe(data.length);
        continue;
      }
      expect(events).toHaveLength(1);
      const event = events[0]!;
      if (outcome === "fatal") {
        expect(event).toMatchObject({ type: "error", fatal: true, error: { status: 400 } });
        expect(buffered).toBe(0);
        continue;
      }
      let datagram: SipMessage | SipParseError;
      try {
        datagram = parseMessage(data, { datagram: true });
      } catch (error) {
        datagram = error as SipParseError;
      }
      if (datagram instanceof SipParseError) {
        expect(event).toMatchObject({ type: "error", fatal: false, error: { code: datagram.code } });
      } else {
        expect(event.type).toBe("message");
        if (event.type !== "message") continue;
        expect(event.size).toBe(data.length);
        expect(serialize(event.message).equals(serialize(datagram))).toBe(true);
      }
      expect(buffered).toBe(0);
    }
  });
});
