import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HmacSha256 } from "../../../src/registrar/hmac-sha256.js";

describe("HmacSha256", () => {
  it("matches RFC 4231 test case 2 (key 'Jefe')", () => {
    const message = Buffer.from("what do ya want for nothing?");
    const out = Buffer.alloc(32);
    new HmacSha256(Buffer.from("Jefe"), message.length).sign(message, out, 0, 32);
    expect(out.toString("hex")).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });

  it("equals createHmac for random keys and messages, truncated anywhere in the target", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 0, max: 8 }),
        (key, message, length, offset) => {
          const target = randomBytes(offset + length + 4);
          const untouched = Buffer.from(target);
          const hmac = new HmacSha256(Buffer.from(key), message.length);
          hmac.sign(Buffer.from(message), target, offset, length);
          const want = createHmac("sha256", Buffer.from(key)).update(message).digest().subarray(0, length);
          expect(target.subarray(offset, offset + length).equals(want)).toBe(true);
          expect(target.subarray(0, offset).equals(untouched.subarray(0, offset))).toBe(true);
          expect(target.subarray(offset + length).equals(untouched.subarray(offset + length))).toBe(true);
          // The same instance signs the next message as well (its buffers are reused).
          hmac.sign(Buffer.from(message), target, offset, length);
          expect(target.subarray(offset, offset + length).equals(want)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a key longer than a block and a message of another length", () => {
    expect(() => new HmacSha256(Buffer.alloc(65), 14)).toThrow(RangeError);
    expect(() =>
      new HmacSha256(Buffer.alloc(32), 14).sign(Buffer.alloc(13), Buffer.alloc(12), 0, 12),
    ).toThrow(RangeError);
  });
});
