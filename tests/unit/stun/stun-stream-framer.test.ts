import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BINDING_METHOD,
  encodeStunMessage,
  readBindingRequest,
  StunStreamFramer,
} from "../../../src/stun/index.js";
import { SAMPLE_IPV4_RESPONSE, SAMPLE_REQUEST } from "./rfc5769-vectors.js";

function request(softwareLength = 3): Buffer {
  return encodeStunMessage({
    method: BINDING_METHOD,
    class: "request",
    transactionId: randomBytes(12),
    attributes: [{ type: 0x8022, value: Buffer.alloc(softwareLength, 0x61) }],
  });
}

function messages(framer: StunStreamFramer, chunk: Buffer): readonly Buffer[] {
  const result = framer.push(chunk);
  if (!result.ok) throw new Error(result.reason);
  return result.messages;
}

describe("StunStreamFramer (RFC 5389 §7.2.2: messages back to back)", () => {
  it("cuts several messages out of one chunk", () => {
    const framer = new StunStreamFramer();
    const out = messages(framer, Buffer.concat([SAMPLE_REQUEST, SAMPLE_IPV4_RESPONSE, SAMPLE_REQUEST]));
    expect(out).toEqual([SAMPLE_REQUEST, SAMPLE_IPV4_RESPONSE, SAMPLE_REQUEST]);
    expect(framer.buffered).toBe(0);
  });

  it("joins a message split at every possible byte, also across the header", () => {
    const whole = Buffer.concat([request(5), request(9)]);
    for (let cut = 1; cut < whole.length; cut++) {
      const framer = new StunStreamFramer();
      const first = messages(framer, whole.subarray(0, cut));
      const rest = messages(framer, whole.subarray(cut));
      expect([...first, ...rest].map((m) => m.toString("hex"))).toEqual([
        whole.subarray(0, 32).toString("hex"),
        whole.subarray(32).toString("hex"),
      ]);
    }
  });

  it("feeds one byte at a time", () => {
    const whole = request(40);
    const framer = new StunStreamFramer();
    const out: Buffer[] = [];
    for (const byte of whole) out.push(...messages(framer, Buffer.from([byte])));
    expect(out).toEqual([whole]);
  });

  it("gives up on what cannot start a STUN message: leading bits, odd length, over the size limit", () => {
    expect(new StunStreamFramer().push(Buffer.from("GET / HTTP/1.1\r\n"))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/first two bits/),
    });
    const odd = request();
    odd.writeUInt16BE(7, 2);
    expect(new StunStreamFramer().push(odd)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/multiple of 4/),
    });
    expect(new StunStreamFramer(64).push(request(100))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/over the 64-byte limit/),
    });
    // The limit is judged from the header alone: the rest need never arrive.
    expect(new StunStreamFramer(64).push(request(100).subarray(0, 4))).toMatchObject({ ok: false });
  });
});

describe("STUN input never throws", () => {
  const can = { alternateIp: true, alternatePort: true, transport: "udp" } as const;

  it("framing and reading arbitrary bytes, and mutated RFC 5769 samples, in any chunking", () => {
    const sample = fc.constantFrom(SAMPLE_REQUEST, SAMPLE_IPV4_RESPONSE, request(7));
    const mutated = fc
      .tuple(sample, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }))
      .map(([base, edits]) => {
        const copy = Buffer.from(base);
        for (const [at, byte] of edits) copy[at % copy.length] = byte;
        return copy;
      });
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      mutated,
    );
    fc.assert(
      fc.property(fc.array(bytes, { minLength: 1, maxLength: 6 }), (chunks) => {
        const framer = new StunStreamFramer();
        for (const chunk of chunks) {
          readBindingRequest(chunk, can);
          readBindingRequest(chunk, { ...can, transport: "tcp" });
          const framed = framer.push(chunk);
          if (!framed.ok) break;
          for (const message of framed.messages) readBindingRequest(message, can);
          expect(framer.buffered).toBeLessThanOrEqual(2048);
        }
      }),
      { numRuns: 2000, seed: 5780 },
    );
  });
});
