/** A fixed-capacity FIFO: pushing onto a full buffer overwrites the oldest item. */
export class RingBuffer<T> {
  private items: (T | undefined)[] = [];
  /** Index of the oldest item once the buffer has wrapped. */
  private head = 0;
  private overwritten = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`ring buffer capacity must be a non-negative integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Items pushed out by newer ones (or never kept, with capacity 0) since the last clear. */
  get dropped(): number {
    return this.overwritten;
  }

  push(item: T): void {
    if (this.capacity === 0) {
      this.overwritten++;
    } else if (this.items.length < this.capacity) {
      this.items.push(item);
    } else {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
      this.overwritten++;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.head), ...this.items.slice(0, this.head)] as T[];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.overwritten = 0;
  }
}
