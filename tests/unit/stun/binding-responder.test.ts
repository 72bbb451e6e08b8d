import { describe, expect, it } from "vitest";
import {
  AttributeType,
  BINDING_METHOD,
  decodeErrorCode,
  decodeMappedAddress,
  decodeUnknownAttributes,
  decodeXorMappedAddress,
  encodeStunMessage,
  parseStunMessage,
  respondToBinding,
  type StunAttribute,
  type StunMessage,
  type TransportAddress,
} from "../../../src/stun/index.js";
import { SAMPLE_IPV4_RESPONSE, SAMPLE_REQUEST, TRANSACTION_ID } from "./rfc5769-vectors.js";

const SOURCE: TransportAddress = { family: "IPv4", address: "192.0.2.1", port: 32853 };

function request(attributes: StunAttribute[] = [], fingerprint = false): Buffer {
  return encodeStunMessage({
    method: BINDING_METHOD,
    class: "request",
    transactionId: TRANSACTION_ID,
    attributes,
    fingerprint,
  });
}

function answer(datagram: Buffer, source = SOURCE): StunMessage {
  const outcome = respondToBinding(datagram, source);
  if (outcome.action === "ignore") throw new Error(`ignored: ${outcome.reason}`);
  const parsed = parseStunMessage(outcome.response);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.message;
}

function attribute(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((a) => a.type === type)?.value;
}

function ignoredBecause(datagram: Buffer): string {
  const outcome = respondToBinding(datagram, SOURCE);
  if (outcome.action !== "ignore") throw new Error(`answered with ${outcome.action}`);
  return outcome.reason;
}

describe("respondToBinding", () => {
  it("answers a Binding request with XOR-MAPPED-ADDRESS, MAPPED-ADDRESS and SOFTWARE, same transaction id", () => {
    const response = answer(request());
    expect(response).toMatchObject({ method: BINDING_METHOD, class: "success", fingerprint: "absent" });
    expect(response.transactionId).toEqual(TRANSACTION_ID);
    expect(
      decodeXorMappedAddress(attribute(response, AttributeType.XorMappedAddress)!, TRANSACTION_ID),
    ).toEqual(SOURCE);
    expect(decodeMappedAddress(attribute(response, AttributeType.MappedAddress)!)).toEqual(SOURCE);
    expect(attribute(response, AttributeType.Software)!.toString()).toBe("unify-phone-emulator");
  });

  it("produces the RFC 5769 §2.2 XOR-MAPPED-ADDRESS bytes for 192.0.2.1:32853", () => {
    const response = answer(request());
    expect(attribute(response, AttributeType.XorMappedAddress)!.toString("hex")).toBe("0001a147e112a643");
    expect(SAMPLE_IPV4_RESPONSE.toString("hex")).toContain("0001a147e112a643");
  });

  it("reports an IPv6 source as IPv6 and an IPv4-mapped one as IPv4", () => {
    const v6 = { family: "IPv6", address: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853 } as const;
    const response = answer(request(), v6);
    expect(attribute(response, AttributeType.XorMappedAddress)!.toString("hex")).toBe(
      "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9",
    );
    const mapped = answer(request(), { family: "IPv6", address: "::ffff:192.0.2.1", port: 32853 });
    expect(
      decodeXorMappedAddress(attribute(mapped, AttributeType.XorMappedAddress)!, TRANSACTION_ID),
    ).toEqual(SOURCE);
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

  it("lists each unknown type once and ignores unknown comprehension-optional ones", () => {
    const response = answer(
      request([
        { type: 0x0003, value: Buffer.alloc(4) },
        { type: 0x7777, value: Buffer.alloc(0) },
        { type: 0x0003, value: Buffer.alloc(4) },
        { type: 0x8888, value: Buffer.alloc(2) },
      ]),
    );
    expect(decodeUnknownAttributes(attribute(response, AttributeType.UnknownAttributes)!)).toEqual([
      0x0003, 0x7777,
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
    expect(ignoredBecause(Buffer.from("OPTIONS sip:x SIP/2.0\r\n\r\n"))).toMatch(
      /magic cookie|first two bits/,
    );
    expect(ignoredBecause(Buffer.alloc(3))).toMatch(/shorter/);
  });
});
