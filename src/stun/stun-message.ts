import { crc32 } from "node:zlib";

/** RFC 5389 §6: the fixed value that tells STUN apart from other protocols on the port. */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;
/** RFC 5389 §15.5: the CRC-32 is XOR'ed with this so it never equals another protocol's CRC. */
export const FINGERPRINT_XOR = 0x5354554e;
export const FINGERPRINT_TYPE = 0x8028;

export const BINDING_METHOD = 0x001;

export type StunClass = "request" | "indication" | "success" | "error";
const CLASS_BITS: Record<StunClass, number> = { request: 0b00, indication: 0b01, success: 0b10, error: 0b11 };
const CLASSES: readonly StunClass[] = ["request", "indication", "success", "error"];

export interface StunAttribute {
  readonly type: number;
  /** The value without padding. */
  readonly value: Buffer;
}

export interface StunMessage {
  readonly method: number;
  readonly class: StunClass;
  /**
   * 96 bits (12 bytes) after the magic cookie; for an RFC 3489 ("classic") message, which
   * has no cookie, the whole 128 bits (16 bytes) where the cookie would be.
   */
  readonly transactionId: Buffer;
  /** An RFC 3489 message: no magic cookie (its client expects RFC 3489 attributes back). */
  readonly classic: boolean;
  /** In message order, FINGERPRINT excluded. */
  readonly attributes: readonly StunAttribute[];
  readonly fingerprint: "absent" | "valid" | "invalid";
}

export type StunParseResult =
  | { readonly ok: true; readonly message: StunMessage }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses one datagram (RFC 5389 §6, §15); `reason` says why it is not a well-formed STUN
 * message. A message without the magic cookie is read as RFC 3489 (RFC 5389 §12).
 */
export function parseStunMessage(data: Buffer): StunParseResult {
  if (data.length < HEADER_LENGTH) return fail(`${data.length} bytes is shorter than a STUN header`);
  const type = data.readUInt16BE(0);
  if (type & 0xc000) return fail("the first two bits are not zero");
  const classic = data.readUInt32BE(4) !== MAGIC_COOKIE;
  const length = data.readUInt16BE(2);
  if (length % 4 !== 0) return fail(`message length ${length} is not a multiple of 4`);
  if (length !== data.length - HEADER_LENGTH) {
    return fail(
      `message length ${length} does not match the ${data.length - HEADER_LENGTH} bytes after the header`,
    );
  }
  const attributes: StunAttribute[] = [];
  let fingerprint: StunMessage["fingerprint"] = "absent";
  let offset = HEADER_LENGTH;
  // The length is a multiple of 4 and so is every padded attribute: 4 header bytes always remain.
  while (offset < data.length) {
    if (fingerprint !== "absent") return fail("an attribute follows FINGERPRINT");
    const attributeType = data.readUInt16BE(offset);
    const valueLength = data.readUInt16BE(offset + 2);
    const end = offset + 4 + valueLength;
    if (end > data.length) return fail(`attribute 0x${hex4(attributeType)} overruns the message`);
    const value = data.subarray(offset + 4, end);
    if (attributeType === FINGERPRINT_TYPE) {
      if (valueLength !== 4) return fail("FINGERPRINT is not 4 bytes");
      fingerprint =
        value.readUInt32BE(0) === computeFingerprint(data.subarray(0, offset)) ? "valid" : "invalid";
    } else {
      attributes.push({ type: attributeType, value });
    }
    offset = end + padding(valueLength);
  }
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const classBits = ((type & 0x0010) >> 4) | ((type & 0x0100) >> 7);
  return {
    ok: true,
    message: {
      method,
      class: CLASSES[classBits]!,
      transactionId: data.subarray(classic ? 4 : 8, HEADER_LENGTH),
      classic,
      attributes,
      fingerprint,
    },
  };
}

/**
 * Encodes a message; with `fingerprint`, FINGERPRINT is appended as the last attribute
 * (RFC 5389 §15.5). A 16-byte transaction id makes an RFC 3489 message (no magic cookie).
 */
export function encodeStunMessage(message: {
  method: number;
  class: StunClass;
  transactionId: Buffer;
  attributes: readonly StunAttribute[];
  fingerprint?: boolean;
}): Buffer {
  const classic = message.transactionId.length === 16;
  if (message.transactionId.length !== 12 && !classic)
    throw new RangeError("a STUN transaction id is 12 bytes (16 for RFC 3489)");
  if (message.method < 0 || message.method > 0xfff) throw new RangeError("a STUN method has 12 bits");
  const parts: Buffer[] = [Buffer.alloc(HEADER_LENGTH)];
  for (const attribute of message.attributes) parts.push(encodeAttribute(attribute.type, attribute.value));
  const fingerprintLength = message.fingerprint ? 8 : 0;
  const body = Buffer.concat(parts);
  const header = body.subarray(0, HEADER_LENGTH);
  const m = message.method;
  const c = CLASS_BITS[message.class];
  const type = (m & 0x000f) | ((m & 0x0070) << 1) | ((m & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7);
  header.writeUInt16BE(type, 0);
  // The length counts FINGERPRINT too, and the CRC covers that length (RFC 5389 §15.5).
  header.writeUInt16BE(body.length - HEADER_LENGTH + fingerprintLength, 2);
  if (!classic) header.writeUInt32BE(MAGIC_COOKIE, 4);
  message.transactionId.copy(header, classic ? 4 : 8);
  if (!message.fingerprint) return body;
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(computeFingerprint(body), 0);
  return Buffer.concat([body, encodeAttribute(FINGERPRINT_TYPE, crc)]);
}

/** CRC-32 of everything before the FINGERPRINT attribute, XOR 0x5354554e. */
export function computeFingerprint(messageBeforeFingerprint: Buffer): number {
  return (crc32(messageBeforeFingerprint) ^ FINGERPRINT_XOR) >>> 0;
}

function encodeAttribute(type: number, value: Buffer): Buffer {
  if (value.length > 0xffff) throw new RangeError(`attribute 0x${hex4(type)} is longer than 65535 bytes`);
  const out = Buffer.alloc(4 + value.length + padding(value.length));
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(value.length, 2);
  value.copy(out, 4);
  return out;
}

function padding(length: number): number {
  return (4 - (length % 4)) % 4;
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, "0");
}

function fail(reason: string): StunParseResult {
  return { ok: false, reason };
}
