import { HEADER_LENGTH } from "./stun-message.js";

/** Largest STUN message accepted on a connection: a Binding request is well under 600 bytes. */
export const MAX_STREAM_MESSAGE = 2048;

export type FramerResult =
  | { readonly ok: true; readonly messages: readonly Buffer[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Cuts a TCP byte stream into STUN messages (RFC 5389 §7.2.2: messages back to back, each
 * as long as its header says). Holds at most one unfinished message; anything that cannot
 * be the start of a STUN message ends the stream, since framing is lost from there on.
 */
export class StunStreamFramer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessage = MAX_STREAM_MESSAGE) {}

  push(chunk: Buffer): FramerResult {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (data.length >= 4) {
      if (data[0]! & 0xc0) return { ok: false, reason: "not STUN: the first two bits are not zero" };
      const length = data.readUInt16BE(2);
      if (length % 4 !== 0) return { ok: false, reason: `message length ${length} is not a multiple of 4` };
      const total = HEADER_LENGTH + length;
      if (total > this.maxMessage) {
        return { ok: false, reason: `a ${total}-byte message is over the ${this.maxMessage}-byte limit` };
      }
      if (data.length < total) break;
      messages.push(data.subarray(0, total));
      data = data.subarray(total);
    }
    // A copy, so the held bytes do not pin the chunk they came from.
    this.pending = Buffer.from(data);
    return { ok: true, messages };
  }

  /** Bytes of an unfinished message held. */
  get buffered(): number {
    return this.pending.length;
  }
}
