import { bytesToIp, ipToBytes, type TransportAddress } from "./ip-address.js";
import { FINGERPRINT_TYPE, MAGIC_COOKIE } from "./stun-message.js";

/** RFC 5389 §18.2 attribute types, with RFC 3489's and RFC 5780's that a Binding server reads or sends. */
export const AttributeType = {
  MappedAddress: 0x0001,
  /** RFC 5780 §7.2 (RFC 3489 §11.2.4): answer from the other IP and/or port. */
  ChangeRequest: 0x0003,
  /** RFC 3489 §11.2.5: where the response was sent from (RFC 5780's RESPONSE-ORIGIN). */
  SourceAddress: 0x0004,
  /** RFC 3489 §11.2.3: the other IP and port (RFC 5780's OTHER-ADDRESS). */
  ChangedAddress: 0x0005,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  AlternateServer: 0x8023,
  /** RFC 5780 §7.3. */
  ResponseOrigin: 0x802b,
  /** RFC 5780 §7.4. */
  OtherAddress: 0x802c,
  Fingerprint: FINGERPRINT_TYPE,
} as const;

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(AttributeType));

/** RFC 5389 §15: types 0x0000-0x7FFF must be understood, or the request is refused. */
export function isUnknownComprehensionRequired(type: number): boolean {
  return type < 0x8000 && !KNOWN_TYPES.has(type);
}

const FAMILY_CODE = { IPv4: 0x01, IPv6: 0x02 } as const;

/** MAPPED-ADDRESS (RFC 5389 §15.1), still read by RFC 3489 clients. */
export function encodeMappedAddress(address: TransportAddress): Buffer {
  return encodeAddress(address.port, ipToBytes(address.address));
}

export function decodeMappedAddress(value: Buffer): TransportAddress {
  return decodeAddress(value, (bytes) => bytes);
}

/**
 * XOR-MAPPED-ADDRESS (RFC 5389 §15.2): the port is XOR'ed with the top 16 bits of the
 * magic cookie, the address with the cookie (IPv4) or cookie + transaction id (IPv6).
 */
export function encodeXorMappedAddress(address: TransportAddress, transactionId: Buffer): Buffer {
  const port = address.port ^ (MAGIC_COOKIE >>> 16);
  return encodeAddress(port, xorBytes(ipToBytes(address.address), transactionId));
}

export function decodeXorMappedAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const decoded = decodeAddress(value, (bytes) => xorBytes(bytes, transactionId));
  return { ...decoded, port: decoded.port ^ (MAGIC_COOKIE >>> 16) };
}

/** CHANGE-REQUEST (RFC 5780 §7.2): flag 0x4 "change IP", 0x2 "change port". */
export interface ChangeRequest {
  readonly ip: boolean;
  readonly port: boolean;
}

export function encodeChangeRequest(change: ChangeRequest): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE((change.ip ? 0x4 : 0) | (change.port ? 0x2 : 0), 0);
  return out;
}

export function decodeChangeRequest(value: Buffer): ChangeRequest {
  if (value.length !== 4) throw new Error("CHANGE-REQUEST is not 4 bytes");
  const flags = value.readUInt32BE(0);
  return { ip: (flags & 0x4) !== 0, port: (flags & 0x2) !== 0 };
}

/** ERROR-CODE (RFC 5389 §15.6): class (hundreds) and number, then a UTF-8 reason phrase. */
export function encodeErrorCode(code: number, reason: string): Buffer {
  if (code < 300 || code > 699) throw new RangeError(`STUN error codes are 300-699, not ${code}`);
  const out = Buffer.concat([Buffer.alloc(4), Buffer.from(reason, "utf8")]);
  out[2] = Math.floor(code / 100);
  out[3] = code % 100;
  return out;
}

export function decodeErrorCode(value: Buffer): { code: number; reason: string } {
  if (value.length < 4) throw new Error("ERROR-CODE is shorter than 4 bytes");
  return { code: (value[2]! & 0x07) * 100 + value[3]!, reason: value.subarray(4).toString("utf8") };
}

/** UNKNOWN-ATTRIBUTES (RFC 5389 §15.9): a list of 16-bit attribute types. */
export function encodeUnknownAttributes(types: readonly number[]): Buffer {
  const out = Buffer.alloc(types.length * 2);
  types.forEach((type, i) => {
    out.writeUInt16BE(type, i * 2);
  });
  return out;
}

export function decodeUnknownAttributes(value: Buffer): number[] {
  const types: number[] = [];
  for (let i = 0; i + 1 < value.length; i += 2) types.push(value.readUInt16BE(i));
  return types;
}

/** The family follows from the address itself (4 or 16 bytes), not from the caller's label. */
function encodeAddress(port: number, bytes: Buffer): Buffer {
  const out = Buffer.alloc(4 + bytes.length);
  out[1] = bytes.length === 4 ? FAMILY_CODE.IPv4 : FAMILY_CODE.IPv6;
  out.writeUInt16BE(port, 2);
  bytes.copy(out, 4);
  return out;
}

function decodeAddress(value: Buffer, unmask: (bytes: Buffer) => Buffer): TransportAddress {
  const family = value[1] === FAMILY_CODE.IPv4 ? "IPv4" : value[1] === FAMILY_CODE.IPv6 ? "IPv6" : undefined;
  if (family === undefined || value.length !== (family === "IPv4" ? 8 : 20)) {
    throw new Error("malformed address attribute");
  }
  return { family, address: bytesToIp(unmask(value.subarray(4))), port: value.readUInt16BE(2) };
}

function xorBytes(bytes: Buffer, transactionId: Buffer): Buffer {
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  transactionId.copy(mask, 4);
  return Buffer.from(bytes.map((b, i) => b ^ mask[i]!));
}
