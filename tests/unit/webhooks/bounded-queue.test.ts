import { describe, expect, it } from "vitest";
import { BoundedQueue } from "../../../src/webhooks/bounded-queue.js";

describe("BoundedQueue", () => {
  it("keeps order and, when full, drops the oldest", () => {
    const queue = new BoundedQueue<number>(3);
    expect([1, 2, 3].map((n) => queue.push(n))).toEqual([undefined, undefined, undefined]);
    expect(queue.push(4)).toBe(1);
    expect(queue.push(5)).toBe(2);
    expect(queue.length).toBe(3);
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual([3, 4, 5, undefined]);
  });

  it("clears", () => {
    const queue = new BoundedQueue<string>(2);
    queue.push("a");
    queue.clear();
    expect(queue.length).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
