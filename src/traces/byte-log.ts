/** Where a new log starts: a few dozen SIP messages; it doubles as the kept bytes need. */
const INITIAL_SIZE = 64 * 1024;

/**
 * Bytes appended at the end and released from the start (oldest first), kept in one Buffer
 * used as a circle: off the JS heap, so the trace's messages are no garbage for the GC to
 * copy and promote. Positions are logical (they only grow), so growing the Buffer moves no
 * position; a message may wrap around the Buffer's end (its text joins the two parts).
 */
export class ByteLog {
  private buffer = Buffer.allocUnsafeSlow(INITIAL_SIZE);
  /** Logical position of the oldest byte kept. */
  private start = 0;
  /** Logical position after the newest byte. */
  private end = 0;

  /** Bytes kept. */
  get held(): number {
    return this.end - this.start;
  }

  /** Buffer size (memory held, kept or not). */
  get size(): number {
    return this.buffer.length;
  }

  /** Keeps a copy of `bytes`; returns its position. */
  append(bytes: Buffer): number {
    const position = this.end;
    if (this.held + bytes.length > this.buffer.length) this.grow(this.held + bytes.length);
    const size = this.buffer.length;
    const at = position % size;
    // TypedArray#set: a plain memory copy, without Buffer#copy's call into C++.
    if (at + bytes.length <= size) this.buffer.set(bytes, at);
    else {
      const first = size - at;
      this.buffer.set(bytes.subarray(0, first), at);
      this.buffer.set(bytes.subarray(first), 0);
    }
    this.end += bytes.length;
    return position;
  }

  /** Forgets the oldest `length` bytes (the oldest entry's). */
  release(length: number): void {
    this.start = Math.min(this.start + length, this.end);
  }

  /** The bytes at `position` decoded as UTF-8 (they must still be kept). */
  text(position: number, length: number): string {
    const size = this.buffer.length;
    const at = position % size;
    if (at + length <= size) return this.buffer.toString("utf8", at, at + length);
    // Wrapped: decode the whole message, so a character across the end stays one.
    const head = this.buffer.subarray(at, size);
    return Buffer.concat([head, this.buffer.subarray(0, length - head.length)]).toString("utf8");
  }

  /** Forgets everything and gives back a grown Buffer. */
  clear(): void {
    this.start = this.end;
    if (this.buffer.length > INITIAL_SIZE) {
      this.buffer = Buffer.allocUnsafeSlow(INITIAL_SIZE);
      this.start = this.end = 0;
    }
  }

  /** At least double, copying the kept bytes to their places in the new circle. */
  private grow(needed: number): void {
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const old = this.buffer;
    const next = Buffer.allocUnsafeSlow(size);
    // At most four chunks: each ends at the end of the kept bytes or of either circle.
    for (let position = this.start; position < this.end; ) {
      const from = position % old.length;
      const to = position % size;
      const n = Math.min(this.end - position, old.length - from, size - to);
      old.copy(next, to, from, from + n);
      position += n;
    }
    this.buffer = next;
  }
}
