import { describe, expect, it } from "vitest";
import {
  AttributeType,
  BINDING_METHOD,
  type BindingCapabilities,
  bindingSuccess,
  decodeErrorCode,
  decodeMappedAddress,
  decodeUnknownAttributes,
  decodeXorMappedAddress,
  encodeChangeRequest,
  encodeStunMessage,
  parseStunMessage,
  readBindingRequest,
  type StunAttribute,
  type StunMessage,
  type TransportAddress,
} from "../../../src/stun/index.js";
import {
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_LONG_TERM_REQUEST,
  SAMPLE_REQUEST,
  TRANSACTION_ID,
} from "./rfc5769-vectors.js";

const SOURCE: TransportAddress = { family: "IPv4", address: "192.0.2.1", port: 32853 };
const ORIGIN: TransportAddress = { family: "IPv4", address: "127.0.0.1", port: 3478 };
const OTHER: TransportAddress = { family: "IPv4", address: "127.0.0.2", port: 3479 };
const FULL: BindingCapabilities = { alternateIp: true, alternatePort: true, transport: "udp" };
const CLASSIC_ID = Buffer.from("00112233445566778899aabbccddeeff", "hex");

function request(
  attributes: StunAttribute[] = [],
  fingerprint = false,
  transactionId = TRANSACTION_ID,
): Buffer {
  return encodeStunMessage({
    method: BINDING_METHOD,
    class: "request",
    transactionId,
    attributes,
    fingerprint,
  });
}

function parsed(data: Buffer): StunMessage {
  const result = parseStunMessage(data);
  if (!result.ok) throw new Error(result.reason);
  return result.message;
}

/** What the server would send back: the success response built from the read request, or the error response. */
function answer(datagram: Buffer, can = FULL, other: TransportAddress | null = OTHER): StunMessage {
  const read = readBindingRequest(datagram, can);
  if (read.action === "ignore") throw new Error(`ignored: ${read.reason}`);
  if (read.action === "error") return parsed(read.response);
  return parsed(bindingSuccess(read.request, { mapped: SOURCE, origin: ORIGIN, other }));
}

function attribute(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((a) => a.type === type)?.value;
}

function ignoredBecause(datagram: Buffer): string {
  const read = readBindingRequest(datagram, FULL);
  if (read.action !== "ignore") throw new Error(`answered with ${read.action}`);
  return read.reason;
}

function change(ip: boolean, port: boolean): StunAttribute {
  return { type: AttributeType.ChangeRequest, value: encodeChangeRequest({ ip, port }) };
}

describe("readBindingRequest + bindingSuccess (RFC 5389 / RFC 5780)", () => {
  it("answers with XOR-MAPPED-ADDRESS, MAPPED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS and SOFTWARE, same transaction id", () => {
    const response = answer(request());
    expect(response).toMatchObject({
      method: BINDING_METHOD,
      class: "success",
      fingerprint: "absent",
      classic: false,
    });
    expect(response.transactionId).toEqual(TRANSACTION_ID);
    expect(
      decodeXorMappedAddress(attribute(response, AttributeType.XorMappedAddress)!, TRANSACTION_ID),
    ).toEqual(SOURCE);
    expect(decodeMappedAddress(attribute(response, AttributeType.MappedAddress)!)).toEqual(SOURCE);
    expect(decodeMappedAddress(attribute(response, AttributeType.ResponseOrigin)!)).toEqual(ORIGIN);
    expect(decodeMappedAddress(attribute(response, AttributeType.OtherAddress)!)).toEqual(OTHER);
    expect(attribute(response, AttributeType.Software)!.toString()).toBe("unify-phone-emulator");
    expect(attribute(response, AttributeType.SourceAddress)).toBeUndefined();
  });

  it("leaves OTHER-ADDRESS out when the server has no alternate address", () => {
    const response = answer(request(), { ...FULL, alternateIp: false, alternatePort: false }, null);
    expect(attribute(response, AttributeType.OtherAddress)).toBeUndefined();
  });

  it("produces the RFC 5769 §2.2 XOR-MAPPED-ADDRESS bytes for 192.0.2.1:32853", () => {
    const response = answer(request());
    expect(attribute(response, AttributeType.XorMappedAddress)!.toString("hex")).toBe("0001a147e112a643");
    expect(SAMPLE_IPV4_RESPONSE.toString("hex")).toContain("0001a147e112a643");
  });

  it("adds FINGERPRINT only when the request carried one", () => {
    expect(answer(request([], true)).fingerprint).toBe("valid");
    expect(answer(request([], false)).fingerprint).toBe("absent");
  });

  it("ignores a request whose FINGERPRINT is wrong", () => {
    const bad = request([], true);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    expect(ignoredBecause(bad)).toMatch(/FINGERPRINT/);
  });

  it("answers 420 with UNKNOWN-ATTRIBUTES for unknown comprehension-required attributes (RFC 5769 §2.1 has PRIORITY)", () => {
    const response = answer(SAMPLE_REQUEST);
    expect(response.class).toBe("error");
    expect(response.transactionId).toEqual(TRANSACTION_ID);
    expect(decodeErrorCode(attribute(response, AttributeType.ErrorCode)!)).toEqual({
      code: 420,
      reason: "Unknown Attribute",
    });
    expect(decodeUnknownAttributes(attribute(response, AttributeType.UnknownAttributes)!)).toEqual([0x0024]);
    expect(response.fingerprint).toBe("valid");
  });

  it("answers the RFC 5769 §2.4 long-term request: USERNAME, NONCE, REALM and MESSAGE-INTEGRITY are understood, not checked", () => {
    const response = answer(SAMPLE_LONG_TERM_REQUEST);
    expect(response.class).toBe("success");
    expect(response.transactionId).toEqual(SAMPLE_LONG_TERM_REQUEST.subarray(8, 20));
  });

  it("lists each unknown type once and ignores unknown comprehension-optional ones", () => {
    const response = answer(
      request([
        { type: 0x0024, value: Buffer.alloc(4) },
        { type: 0x7777, value: Buffer.alloc(0) },
        { type: 0x0024, value: Buffer.alloc(4) },
        { type: 0x8888, value: Buffer.alloc(2) },
      ]),
    );
    expect(decodeUnknownAttributes(attribute(response, AttributeType.UnknownAttributes)!)).toEqual([
      0x0024, 0x7777,
    ]);
    expect(answer(request([{ type: 0x8888, value: Buffer.alloc(2) }])).class).toBe("success");
  });

  it("understands the RFC 5389 comprehension-required attributes (USERNAME, MESSAGE-INTEGRITY)", () => {
    const response = answer(
      request([
        { type: AttributeType.Username, value: Buffer.from("user") },
        { type: AttributeType.MessageIntegrity, value: Buffer.alloc(20) },
      ]),
    );
    expect(response.class).toBe("success");
  });

  it("ignores indications, responses, other methods and non-STUN data", () => {
    const build = (method: number, cls: "indication" | "success" | "error" | "request") =>
      encodeStunMessage({ method, class: cls, transactionId: TRANSACTION_ID, attributes: [] });
    expect(ignoredBecause(build(BINDING_METHOD, "indication"))).toMatch(/indication/);
    expect(ignoredBecause(build(BINDING_METHOD, "success"))).toMatch(/success/);
    expect(ignoredBecause(build(BINDING_METHOD, "error"))).toMatch(/error/);
    expect(ignoredBecause(build(0x003, "request"))).toMatch(/method 0x003/);
    expect(ignoredBecause(SAMPLE_IPV4_RESPONSE)).toMatch(/success/);
    expect(ignoredBecause(Buffer.from("OPTIONS sip:x SIP/2.0\r\n\r\n"))).toMatch(/first two bits|length/);
    expect(ignoredBecause(Buffer.alloc(3))).toMatch(/shorter/);
  });
});

describe("CHANGE-REQUEST (RFC 5780 §7.2)", () => {
  it("reads the change flags of a request", () => {
    for (const [ip, port] of [
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ] as const) {
      const read = readBindingRequest(request([change(ip, port)]), FULL);
      expect(read.action === "request" && read.change).toEqual({ ip, port });
    }
    const plain = readBindingRequest(request(), FULL);
    expect(plain.action === "request" && plain.change).toEqual({ ip: false, port: false });
  });

  it("answers 420 listing CHANGE-REQUEST when the server lacks the address asked for", () => {
    const noIp = answer(request([change(true, false)]), { ...FULL, alternateIp: false });
    expect(decodeErrorCode(attribute(noIp, AttributeType.ErrorCode)!).code).toBe(420);
    expect(decodeUnknownAttributes(attribute(noIp, AttributeType.UnknownAttributes)!)).toEqual([0x0003]);
    const noPort = answer(request([change(false, true)]), { ...FULL, alternatePort: false });
    expect(decodeErrorCode(attribute(noPort, AttributeType.ErrorCode)!).code).toBe(420);
    // Flags that ask for nothing are fine without alternates.
    const none = { alternateIp: false, alternatePort: false, transport: "udp" } as const;
    expect(answer(request([change(false, false)]), none).class).toBe("success");
  });

  it("answers 400 to a change over TCP and to a malformed CHANGE-REQUEST", () => {
    const tcp = answer(request([change(true, true)]), { ...FULL, transport: "tcp" });
    expect(decodeErrorCode(attribute(tcp, AttributeType.ErrorCode)!)).toMatchObject({ code: 400 });
    const malformed = answer(request([{ type: AttributeType.ChangeRequest, value: Buffer.alloc(2) }]));
    expect(decodeErrorCode(attribute(malformed, AttributeType.ErrorCode)!)).toEqual({
      code: 400,
      reason: "Bad Request: CHANGE-REQUEST is not 4 bytes",
    });
  });
});

describe("RFC 3489 (classic) Binding requests", () => {
  it("are answered with MAPPED-ADDRESS, SOURCE-ADDRESS and CHANGED-ADDRESS and the 128-bit transaction id", () => {
    const classic = request([], false, CLASSIC_ID);
    expect(classic.readUInt32BE(4)).not.toBe(0x2112a442);
    const response = answer(classic);
    expect(response).toMatchObject({ class: "success", classic: true });
    expect(response.transactionId).toEqual(CLASSIC_ID);
    expect(decodeMappedAddress(attribute(response, AttributeType.MappedAddress)!)).toEqual(SOURCE);
    expect(decodeMappedAddress(attribute(response, AttributeType.SourceAddress)!)).toEqual(ORIGIN);
    expect(decodeMappedAddress(attribute(response, AttributeType.ChangedAddress)!)).toEqual(OTHER);
    expect(attribute(response, AttributeType.XorMappedAddress)).toBeUndefined();
    expect(attribute(response, AttributeType.OtherAddress)).toBeUndefined();
  });

  it("take CHANGE-REQUEST as RFC 3489 defined it (same flags)", () => {
    const read = readBindingRequest(request([change(true, false)], false, CLASSIC_ID), FULL);
    expect(read.action === "request" && read.change).toEqual({ ip: true, port: false });
  });
});
