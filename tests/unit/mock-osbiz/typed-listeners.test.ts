import { describe, expect, it } from "vitest";
import { TypedListeners } from "../../../src/mock-osbiz/typed-listeners.js";

describe("TypedListeners", () => {
  it("calls the listeners of one name, survives a throwing one, and unsubscribes", () => {
    const errors: unknown[] = [];
    const listeners = new TypedListeners<{ a: number; b: string }>((e) => errors.push(e));
    const seen: string[] = [];
    const off = listeners.on("a", (n) => seen.push(`a${n}`));
    listeners.on("a", () => {
      throw new Error("boom");
    });
    listeners.on("b", (s) => seen.push(`b${s}`));
    listeners.emit("a", 1);
    off();
    listeners.emit("a", 2);
    listeners.emit("b", "x");
    expect(seen).toEqual(["a1", "bx"]);
    expect(errors).toHaveLength(2);
  });
});
