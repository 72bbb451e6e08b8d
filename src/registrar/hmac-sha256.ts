import { hash } from "node:crypto";

/** SHA-256 block size: the key is padded to it (RFC 2104 §2). */
const BLOCK = 64;
const DIGEST = 32;

/**
 * HMAC-SHA256 (RFC 2104) of fixed-length messages with one key, as two one-shot hashes over
 * buffers prepared once: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)). A third of `createHmac`'s cost,
 * which builds a stream object per message, and nothing allocated but the two hex strings.
 */
export class HmacSha256 {
  /** (K ⊕ ipad) ‖ message */
  private readonly inner: Buffer;
  /** (K ⊕ opad) ‖ H(inner) */
  private readonly outer = Buffer.alloc(BLOCK + DIGEST);

  constructor(
    key: Buffer,
    private readonly messageBytes: number,
  ) {
    if (key.length > BLOCK) throw new RangeError(`an HMAC-SHA256 key of at most ${BLOCK} bytes is expected`);
    this.inner = Buffer.alloc(BLOCK + messageBytes);
    for (let i = 0; i < BLOCK; i++) {
      const k = key[i] ?? 0;
      this.inner[i] = k ^ 0x36;
      this.outer[i] = k ^ 0x5c;
    }
  }

  /** Writes the first `length` bytes of the HMAC of `message` into `target` at `offset`. */
  sign(message: Buffer, target: Buffer, offset: number, length: number): void {
    if (message.length !== this.messageBytes)
      throw new RangeError(`a ${this.messageBytes}-byte message is expected`);
    message.copy(this.inner, BLOCK);
    // Hex output: a one-shot hash returning a Buffer costs more than decoding its hex.
    this.outer.write(hash("sha256", this.inner, "hex"), BLOCK, DIGEST, "hex");
    target.write(hash("sha256", this.outer, "hex"), offset, Math.min(length, DIGEST), "hex");
  }
}
