import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  BINDING_METHOD,
  computeFingerprint,
  encodeStunMessage,
  parseStunMessage,
  type StunMessage,
} from "../../../src/stun/index.js";
import {
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  SAMPLE_LONG_TERM_REQUEST,
  SAMPLE_REQUEST,
  TRANSACTION_ID,
} from "./rfc5769-vectors.js";

function parsed(data: Buffer): StunMessage {
  const result = parseStunMessage(data);
  if (!result.ok) throw new Error(`expected a STUN message: ${result.reason}`);
  return result.message;
}

function rejection(data: Buffer): string {
  const result = parseStunMessage(data);
  if (result.ok) throw new Error("expected the datagram to be rejected");
  return result.reason;
}

describe("parseStunMessage on the RFC 5769 samples", () => {
  it("reads the §2.1 request: Binding request, transaction id, attributes in order, valid FINGERPRINT", () => {
    const message = parsed(SAMPLE_REQUEST);
    expect(message.method).toBe(BINDING_METHOD);
    expect(message.class).toBe("request");
    expect(message.transactionId).toEqual(TRANSACTION_ID);
    expect(message.attributes.map((a) => a.type)).toEqual([0x8022, 0x0024, 0x8029, 0x0006, 0x0008]);
    expect(message.attributes[0]!.value.toString()).toBe("STUN test client");
    // USERNAME is 9 bytes: the 0x20 padding is not part of the value.
    expect(message.attributes[3]!.value.toString()).toBe("evtj:h6vY");
    expect(message.fingerprint).toBe("valid");
  });

  it("reads the §2.2 and §2.3 responses as Binding success responses with valid FINGERPRINTs", () => {
    for (const sample of [SAMPLE_IPV4_RESPONSE, SAMPLE_IPV6_RESPONSE]) {
      const message = parsed(sample);
      expect(message.method).toBe(BINDING_METHOD);
      expect(message.class).toBe("success");
      expect(message.fingerprint).toBe("valid");
      expect(message.attributes[0]!.value.toString()).toBe("test vector");
    }
  });

  it("computes the RFC 5769 FINGERPRINT values", () => {
    expect(computeFingerprint(SAMPLE_REQUEST.subarray(0, -8))).toBe(0xe57a3bcf);
    expect(computeFingerprint(SAMPLE_IPV4_RESPONSE.subarray(0, -8))).toBe(0xc07d4c96);
    expect(computeFingerprint(SAMPLE_IPV6_RESPONSE.subarray(0, -8))).toBe(0xc8fb0b4c);
  });

  it("carries the RFC 5769 MESSAGE-INTEGRITY values: HMAC-SHA1 over the message up to it, length ending there", () => {
    const key = Buffer.from("VOkJxbRl1RmTxUk/WvJxBt", "utf8");
    for (const sample of [SAMPLE_REQUEST, SAMPLE_IPV4_RESPONSE, SAMPLE_IPV6_RESPONSE]) {
      const integrity = parsed(sample).attributes.find((a) => a.type === 0x0008)!.value;
      const at = sample.length - 8 - 24;
      const covered = Buffer.from(sample.subarray(0, at));
      covered.writeUInt16BE(at + 24 - 20, 2);
      expect(createHmac("sha1", key).update(covered).digest()).toEqual(integrity);
    }
  });

  it("reads the §2.4 long-term request and checks its MESSAGE-INTEGRITY with the long-term key", () => {
    const message = parsed(SAMPLE_LONG_TERM_REQUEST);
    expect(message).toMatchObject({ method: BINDING_METHOD, class: "request", fingerprint: "absent" });
    const value = (type: number) => message.attributes.find((a) => a.type === type)!.value;
    expect(value(0x0006).toString("utf8")).toBe("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9");
    expect(value(0x0015).toString()).toBe("f//499k954d6OL34oL9FSTvy64sA");
    expect(value(0x0014).toString()).toBe("example.org");
    const key = createHash("md5")
      .update("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9:example.org:TheMatrIX", "utf8")
      .digest();
    const at = SAMPLE_LONG_TERM_REQUEST.length - 24;
    const covered = Buffer.from(SAMPLE_LONG_TERM_REQUEST.subarray(0, at));
    covered.writeUInt16BE(at + 24 - 20, 2);
    expect(createHmac("sha1", key).update(covered).digest()).toEqual(value(0x0008));
  });

  it("marks a FINGERPRINT that does not match the content as invalid", () => {
    const tampered = Buffer.from(SAMPLE_REQUEST);
    tampered[30] = tampered[30]! ^ 0x01;
    expect(parsed(tampered).fingerprint).toBe("invalid");
  });
});

describe("parseStunMessage rejects what is not a well-formed STUN message", () => {
  const valid = encodeStunMessage({
    method: BINDING_METHOD,
    class: "request",
    transactionId: TRANSACTION_ID,
    attributes: [{ type: 0x8022, value: Buffer.from("abc") }],
  });

  it("accepts the baseline", () => {
    expect(parsed(valid).attributes).toHaveLength(1);
  });

  it("rejects a datagram shorter than the header", () => {
    expect(rejection(valid.subarray(0, 19))).toMatch(/shorter than a STUN header/);
    expect(rejection(Buffer.alloc(0))).toMatch(/shorter/);
  });

  it("rejects non-zero leading bits (e.g. RTP/RTCP)", () => {
    const rtp = Buffer.from(valid);
    rtp[0] = 0x80;
    expect(rejection(rtp)).toMatch(/first two bits/);
  });

  it("reads a message without the magic cookie as RFC 3489, with a 128-bit transaction id", () => {
    const old = Buffer.from(valid);
    old.writeUInt32BE(0x12345678, 4);
    const message = parsed(old);
    expect(message.classic).toBe(true);
    expect(message.transactionId).toEqual(old.subarray(4, 20));
    expect(parsed(valid).classic).toBe(false);
  });

  it("rejects a length that is not a multiple of 4 or not the datagram remainder", () => {
    const odd = Buffer.from(valid);
    odd.writeUInt16BE(7, 2);
    expect(rejection(odd)).toMatch(/multiple of 4/);
    expect(rejection(Buffer.concat([valid, Buffer.alloc(4)]))).toMatch(/does not match/);
    expect(rejection(valid.subarray(0, valid.length - 4))).toMatch(/does not match/);
  });

  it("rejects an attribute that overruns the message", () => {
    const overrun = Buffer.from(valid);
    overrun.writeUInt16BE(9, 22);
    expect(rejection(overrun)).toMatch(/overruns/);
  });

  it("rejects an attribute after FINGERPRINT and a FINGERPRINT of the wrong size", () => {
    const signed = encodeStunMessage({
      method: BINDING_METHOD,
      class: "request",
      transactionId: TRANSACTION_ID,
      attributes: [],
      fingerprint: true,
    });
    const trailing = Buffer.concat([signed, Buffer.from([0x80, 0x22, 0x00, 0x00])]);
    trailing.writeUInt16BE(trailing.length - 20, 2);
    expect(rejection(trailing)).toMatch(/follows FINGERPRINT/);
    const wide = Buffer.concat([
      signed.subarray(0, 20),
      Buffer.from([0x80, 0x28, 0x00, 0x08]),
      Buffer.alloc(8),
    ]);
    wide.writeUInt16BE(12, 2);
    expect(rejection(wide)).toMatch(/FINGERPRINT is not 4 bytes/);
  });
});

describe("encodeStunMessage", () => {
  it("round-trips every class, a 12-bit method, padding and FINGERPRINT", () => {
    for (const cls of ["request", "indication", "success", "error"] as const) {
      const data = encodeStunMessage({
        method: 0xabc,
        class: cls,
        transactionId: TRANSACTION_ID,
        attributes: [
          { type: 0x8022, value: Buffer.from("x") },
          { type: 0x0006, value: Buffer.from("exactly8") },
          { type: 0x8001, value: Buffer.alloc(0) },
        ],
        fingerprint: true,
      });
      expect(data.length % 4).toBe(0);
      const message = parsed(data);
      expect(message).toMatchObject({ method: 0xabc, class: cls, fingerprint: "valid" });
      expect(message.attributes.map((a) => [a.type, a.value.toString()])).toEqual([
        [0x8022, "x"],
        [0x0006, "exactly8"],
        [0x8001, ""],
      ]);
    }
  });

  it("encodes the message types of RFC 5389 §6 (request 0x0001, success 0x0101, error 0x0111)", () => {
    const type = (cls: "request" | "indication" | "success" | "error") =>
      encodeStunMessage({
        method: BINDING_METHOD,
        class: cls,
        transactionId: TRANSACTION_ID,
        attributes: [],
      }).readUInt16BE(0);
    expect(type("request")).toBe(0x0001);
    expect(type("indication")).toBe(0x0011);
    expect(type("success")).toBe(0x0101);
    expect(type("error")).toBe(0x0111);
  });

  it("reproduces the RFC 5769 §2.2 response bytes from its attributes", () => {
    const sample = parsed(SAMPLE_IPV4_RESPONSE);
    const rebuilt = encodeStunMessage({
      method: sample.method,
      class: sample.class,
      transactionId: sample.transactionId,
      attributes: sample.attributes,
      fingerprint: true,
    });
    // Identical except SOFTWARE's padding byte (0x20 in the RFC, 0x00 here) and hence the CRC.
    const expected = Buffer.from(SAMPLE_IPV4_RESPONSE);
    expected[35] = 0x00;
    expected.writeUInt32BE(computeFingerprint(expected.subarray(0, -8)), expected.length - 4);
    expect(rebuilt.toString("hex")).toBe(expected.toString("hex"));
  });

  it("refuses a transaction id that is neither 12 bytes nor 16 (RFC 3489)", () => {
    expect(() =>
      encodeStunMessage({ method: 1, class: "request", transactionId: Buffer.alloc(14), attributes: [] }),
    ).toThrow(RangeError);
  });

  it("writes a 16-byte transaction id in place of the magic cookie (RFC 3489)", () => {
    const id = Buffer.from("0102030405060708090a0b0c0d0e0f10", "hex");
    const data = encodeStunMessage({ method: 1, class: "request", transactionId: id, attributes: [] });
    expect(data.subarray(4, 20)).toEqual(id);
    expect(parsed(data)).toMatchObject({ classic: true, class: "request", method: 1 });
  });
});
