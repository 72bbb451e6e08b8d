import { describe, expect, it } from "vitest";
import {
  AttributeType,
  decodeChangeRequest,
  decodeErrorCode,
  decodeMappedAddress,
  decodeUnknownAttributes,
  decodeXorMappedAddress,
  encodeChangeRequest,
  encodeErrorCode,
  encodeMappedAddress,
  encodeUnknownAttributes,
  encodeXorMappedAddress,
  isUnknownComprehensionRequired,
  parseStunMessage,
} from "../../../src/stun/index.js";
import { SAMPLE_IPV4_RESPONSE, SAMPLE_IPV6_RESPONSE, TRANSACTION_ID } from "./rfc5769-vectors.js";

function xorMappedValue(sample: Buffer): Buffer {
  const result = parseStunMessage(sample);
  if (!result.ok) throw new Error(result.reason);
  return result.message.attributes.find((a) => a.type === AttributeType.XorMappedAddress)!.value;
}

describe("XOR-MAPPED-ADDRESS against RFC 5769", () => {
  it("decodes §2.2 as 192.0.2.1:32853 and encodes it back to the same bytes", () => {
    const value = xorMappedValue(SAMPLE_IPV4_RESPONSE);
    const address = decodeXorMappedAddress(value, TRANSACTION_ID);
    expect(address).toEqual({ family: "IPv4", address: "192.0.2.1", port: 32853 });
    expect(encodeXorMappedAddress(address, TRANSACTION_ID).toString("hex")).toBe("0001a147e112a643");
  });

  it("decodes §2.3 as [2001:db8:1234:5678:11:2233:4455:6677]:32853 and encodes it back", () => {
    const value = xorMappedValue(SAMPLE_IPV6_RESPONSE);
    const address = decodeXorMappedAddress(value, TRANSACTION_ID);
    expect(address).toEqual({ family: "IPv6", address: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853 });
    expect(encodeXorMappedAddress(address, TRANSACTION_ID).toString("hex")).toBe(
      "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9",
    );
  });

  it("takes the family from the address, not from the label", () => {
    const value = encodeXorMappedAddress({ family: "IPv4", address: "::1", port: 1 }, TRANSACTION_ID);
    expect(value[1]).toBe(0x02);
    expect(value).toHaveLength(20);
  });
});

describe("MAPPED-ADDRESS", () => {
  it("carries the address in clear", () => {
    const value = encodeMappedAddress({ family: "IPv4", address: "192.0.2.1", port: 32853 });
    expect(value.toString("hex")).toBe("00018055c0000201");
    expect(decodeMappedAddress(value)).toEqual({ family: "IPv4", address: "192.0.2.1", port: 32853 });
    const v6 = encodeMappedAddress({ family: "IPv6", address: "2001:db8::1", port: 3478 });
    expect(decodeMappedAddress(v6)).toEqual({ family: "IPv6", address: "2001:db8::1", port: 3478 });
  });

  it("refuses an unknown family or a wrong length", () => {
    expect(() => decodeMappedAddress(Buffer.from("0003000100000000", "hex"))).toThrow(/malformed/);
    expect(() => decodeMappedAddress(Buffer.from("00010001000000", "hex"))).toThrow(/malformed/);
  });
});

describe("CHANGE-REQUEST (RFC 5780 §7.2)", () => {
  it("puts change IP in 0x4 and change port in 0x2 of a 32-bit value", () => {
    expect(encodeChangeRequest({ ip: true, port: true }).toString("hex")).toBe("00000006");
    expect(encodeChangeRequest({ ip: true, port: false }).toString("hex")).toBe("00000004");
    expect(encodeChangeRequest({ ip: false, port: true }).toString("hex")).toBe("00000002");
    expect(decodeChangeRequest(Buffer.from("00000006", "hex"))).toEqual({ ip: true, port: true });
    expect(decodeChangeRequest(Buffer.from("00000000", "hex"))).toEqual({ ip: false, port: false });
    expect(() => decodeChangeRequest(Buffer.alloc(2))).toThrow(/4 bytes/);
  });
});

describe("ERROR-CODE and UNKNOWN-ATTRIBUTES", () => {
  it("splits the code into class and number (RFC 5389 §15.6)", () => {
    const value = encodeErrorCode(420, "Unknown Attribute");
    expect(value.subarray(0, 4).toString("hex")).toBe("00000414");
    expect(decodeErrorCode(value)).toEqual({ code: 420, reason: "Unknown Attribute" });
    expect(() => encodeErrorCode(200, "OK")).toThrow(RangeError);
  });

  it("lists 16-bit types", () => {
    const value = encodeUnknownAttributes([0x0003, 0x7fff, 0x0024]);
    expect(value.toString("hex")).toBe("00037fff0024");
    expect(decodeUnknownAttributes(value)).toEqual([0x0003, 0x7fff, 0x0024]);
  });

  it("knows the RFC 5389 attributes and treats only unknown 0x0000-0x7FFF types as comprehension-required", () => {
    for (const type of Object.values(AttributeType)) expect(isUnknownComprehensionRequired(type)).toBe(false);
    expect(isUnknownComprehensionRequired(0x0002)).toBe(true);
    expect(isUnknownComprehensionRequired(0x0024)).toBe(true);
    expect(isUnknownComprehensionRequired(0x7fff)).toBe(true);
    expect(isUnknownComprehensionRequired(0x8029)).toBe(false);
    expect(isUnknownComprehensionRequired(0xffff)).toBe(false);
  });
});
