/**
 * A FIFO that holds at most `capacity` items: a push onto a full queue drops the oldest,
 * so a dead receiver costs bounded memory and the newest events survive.
 */
export class BoundedQueue<T> {
  private items: T[] = [];

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length;
  }

  /** Adds `item`; returns the item dropped to make room, if any. */
  push(item: T): T | undefined {
    this.items.push(item);
    return this.items.length > this.capacity ? this.items.shift() : undefined;
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  clear(): void {
    this.items = [];
  }
}
