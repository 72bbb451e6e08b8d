/**
 * A bounded FIFO: pushing beyond the capacity — or, with a byte budget, beyond the budget —
 * drops the oldest items. The budget bounds memory when entries vary in size (a trace of
 * SIP messages near the 64 KiB limit would otherwise hold ~650 MB at 10,000 entries).
 */
export class RingBuffer<T> {
  private items: (T | undefined)[] = [];
  private sizes: number[] = [];
  /** Index of the oldest kept item; slots before it are dropped and compacted away later. */
  private start = 0;
  private heldBytes = 0;
  private overwritten = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = Number.POSITIVE_INFINITY,
    private readonly sizeOf: (item: T) => number = () => 0,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`ring buffer capacity must be a non-negative integer, got ${capacity}`);
    }
    if (!(maxBytes > 0)) throw new RangeError(`ring buffer byte budget must be positive, got ${maxBytes}`);
  }

  get size(): number {
    return this.items.length - this.start;
  }

  /** Bytes held, as `sizeOf` counts them. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Items pushed out by newer ones (or never kept, with capacity 0) since the last clear. */
  get dropped(): number {
    return this.overwritten;
  }

  push(item: T): void {
    if (this.capacity === 0) {
      this.overwritten++;
      return;
    }
    const bytes = this.sizeOf(item);
    this.items.push(item);
    this.sizes.push(bytes);
    this.heldBytes += bytes;
    // The newest item always stays, even alone over the budget.
    while (this.size > this.capacity || (this.heldBytes > this.maxBytes && this.size > 1)) this.dropOldest();
  }

  /** Oldest first. */
  toArray(): T[] {
    return this.items.slice(this.start) as T[];
  }

  clear(): void {
    this.items = [];
    this.sizes = [];
    this.start = 0;
    this.heldBytes = 0;
    this.overwritten = 0;
  }

  private dropOldest(): void {
    this.heldBytes -= this.sizes[this.start] ?? 0;
    this.items[this.start] = undefined;
    this.start++;
    this.overwritten++;
    // Compact once the dropped prefix outweighs what is kept: amortised O(1) per push.
    if (this.start > 64 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.sizes = this.sizes.slice(this.start);
      this.start = 0;
    }
  }
}
