/** RFC 6455 §5.2 opcodes. */
export const WsOpcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export type WsOpcodeValue = (typeof WsOpcode)[keyof typeof WsOpcode];

/** RFC 6455 §7.4.1 status codes this transport sends. */
export const WsCloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  invalidPayload: 1007,
  policyViolation: 1008,
  tooBig: 1009,
} as const;

/** Control frames carry at most 125 payload bytes (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** One unmasked frame, as a server sends it (RFC 6455 §5.1: servers never mask). */
export function encodeFrame(opcode: WsOpcodeValue, payload: Buffer = Buffer.alloc(0)): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length <= 0xffff ? 2 : 8;
  const header = Buffer.allocUnsafe(2 + lengthBytes);
  header[0] = 0x80 | opcode;
  if (lengthBytes === 0) header[1] = length;
  else if (lengthBytes === 2) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** A close frame body: 2-byte code, then a UTF-8 reason cut to fit a control frame. */
export function closePayload(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, "utf8").subarray(0, MAX_CONTROL_PAYLOAD - 2);
  const body = Buffer.allocUnsafe(2 + text.length);
  body.writeUInt16BE(code, 0);
  text.copy(body, 2);
  return body;
}
