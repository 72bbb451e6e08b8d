import { isUtf8 } from "node:buffer";
import { MAX_CONTROL_PAYLOAD, WsCloseCode, WsOpcode } from "./ws-frames.js";

export type WsFrameEvent =
  /** A complete data message (fragments joined), unmasked. */
  | { readonly type: "message"; readonly data: Buffer; readonly binary: boolean }
  | { readonly type: "ping"; readonly data: Buffer }
  | { readonly type: "pong" }
  /** The peer started the closing handshake (RFC 6455 §5.5.1); code 1005 when it sent none. */
  | { readonly type: "close"; readonly code: number; readonly reason: string }
  /** The peer broke the protocol: fail the connection with this close code (RFC 6455 §7.1.7). */
  | { readonly type: "error"; readonly code: number; readonly reason: string };

/** RFC 6455 §7.1.5: the code a receiver reports for a close frame without a body. */
const NO_STATUS = 1005;

/**
 * Incremental RFC 6455 §5 reader for frames a client sends: each must be masked, no
 * extension is negotiated (RSV bits 0), control frames are short and unfragmented, data
 * messages are reassembled from fragments and bounded by `maxPayload` before any byte of
 * an oversize message is buffered. After an "error" or "close" event it reads nothing more.
 */
export class WsFrameParser {
  private pending: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentOpcode: number | undefined;
  private done = false;

  constructor(private readonly maxPayload: number) {}

  /** Bytes held back: an incomplete frame or the fragments of an unfinished message. */
  get buffered(): number {
    return this.pending.length + this.fragmentBytes;
  }

  push(chunk: Buffer): WsFrameEvent[] {
    if (this.done) return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const events: WsFrameEvent[] = [];
    while (!this.done) {
      const event = this.readFrame();
      if (event === null) break;
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** null: need more bytes; undefined: a frame consumed with nothing to report (a fragment). */
  private readFrame(): WsFrameEvent | null | undefined {
    const data = this.pending;
    if (data.length < 2) return null;
    const fin = (data[0]! & 0x80) !== 0;
    const opcode = data[0]! & 0x0f;
    if ((data[0]! & 0x70) !== 0) return this.fail(WsCloseCode.protocolError, "reserved bits set");
    if ((data[1]! & 0x80) === 0) return this.fail(WsCloseCode.protocolError, "client frame not masked");
    let length = data[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (data.length < 4) return null;
      length = data.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (data.length < 10) return null;
      const big = data.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) return this.fail(WsCloseCode.tooBig, "frame too large");
      length = Number(big);
      offset = 10;
    }
    const control = opcode >= 0x8;
    if (control) {
      if (opcode !== WsOpcode.close && opcode !== WsOpcode.ping && opcode !== WsOpcode.pong)
        return this.fail(WsCloseCode.protocolError, `unknown opcode ${opcode}`);
      if (!fin || length > MAX_CONTROL_PAYLOAD)
        return this.fail(WsCloseCode.protocolError, "control frame fragmented or too long");
    } else {
      if (opcode !== WsOpcode.continuation && opcode !== WsOpcode.text && opcode !== WsOpcode.binary)
        return this.fail(WsCloseCode.protocolError, `unknown opcode ${opcode}`);
      if ((opcode === WsOpcode.continuation) !== (this.fragmentOpcode !== undefined))
        return this.fail(WsCloseCode.protocolError, "continuation frame out of sequence");
      if (this.fragmentBytes + length > this.maxPayload)
        return this.fail(WsCloseCode.tooBig, `message larger than ${this.maxPayload} bytes`);
    }
    const end = offset + 4 + length;
    if (data.length < end) return null;
    const payload = unmask(data.subarray(offset + 4, end), data.subarray(offset, offset + 4));
    this.pending = data.subarray(end);
    if (control) return this.control(opcode, payload);
    if (opcode !== WsOpcode.continuation) this.fragmentOpcode = opcode;
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (!fin) return undefined;
    const message = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments);
    const binary = this.fragmentOpcode === WsOpcode.binary;
    this.fragments = [];
    this.fragmentBytes = 0;
    this.fragmentOpcode = undefined;
    // RFC 6455 §8.1: a text message that is not UTF-8 fails the connection.
    if (!binary && !isUtf8(message))
      return this.fail(WsCloseCode.invalidPayload, "text message is not UTF-8");
    return { type: "message", data: message, binary };
  }

  private control(opcode: number, payload: Buffer): WsFrameEvent {
    if (opcode === WsOpcode.ping) return { type: "ping", data: payload };
    if (opcode === WsOpcode.pong) return { type: "pong" };
    this.done = true;
    if (payload.length === 0) return { type: "close", code: NO_STATUS, reason: "" };
    if (payload.length === 1) return this.fail(WsCloseCode.protocolError, "close frame with a 1-byte body");
    const reason = payload.subarray(2);
    if (!isUtf8(reason)) return this.fail(WsCloseCode.invalidPayload, "close reason is not UTF-8");
    return { type: "close", code: payload.readUInt16BE(0), reason: reason.toString("utf8") };
  }

  private fail(code: number, reason: string): WsFrameEvent {
    this.done = true;
    this.pending = Buffer.alloc(0);
    this.fragments = [];
    this.fragmentBytes = 0;
    return { type: "error", code, reason };
  }
}

function unmask(payload: Buffer, mask: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = payload[i]! ^ mask[i & 3]!;
  return out;
}
