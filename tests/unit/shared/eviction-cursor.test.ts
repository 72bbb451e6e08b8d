import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EvictionCursor } from "../../../src/shared/eviction-cursor.js";

describe("EvictionCursor", () => {
  it("evicts in insertion order, moved entries in their new place, and starts again after the map emptied", () => {
    const map = new Map([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    const cursor = new EvictionCursor(map);
    expect(cursor.evictOldest()).toBe("a");
    map.delete("b");
    map.set("b", 2); // touched: now the newest
    expect(cursor.evictOldest()).toBe("c");
    expect(cursor.evictOldest()).toBe("b");
    expect(cursor.evictOldest()).toBeUndefined();
    map.set("d", 4);
    expect(cursor.evictOldest()).toBe("d");
    map.set("e", 5);
    map.clear();
    map.set("f", 6);
    expect(cursor.evictOldest()).toBe("f");
  });

  it("agrees with deleting the first key of a fresh iterator, on random sets, touches, deletes and evictions", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), key: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant("touch" as const), key: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant("evict" as const), key: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const real = new Map<number, number>();
        const model = new Map<number, number>();
        const cursor = new EvictionCursor(real);
        for (const { kind, key } of ops) {
          for (const map of [real, model]) {
            if (kind === "set") map.set(key, key);
            else if (kind === "touch" && map.has(key)) {
              map.delete(key);
              map.set(key, key);
            } else if (kind === "delete") map.delete(key);
          }
          if (kind === "evict") {
            const first = model.keys().next();
            if (!first.done) model.delete(first.value);
            expect(cursor.evictOldest()).toBe(first.done ? undefined : first.value);
          }
          expect([...real.keys()]).toEqual([...model.keys()]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
