import pino from "pino";
import { describe, expect, it } from "vitest";
import { Cleanup } from "../../../src/composition/index.js";

describe("Cleanup", () => {
  it("undoes the start in reverse order, every step even after one fails, once", async () => {
    const done: string[] = [];
    const warnings: unknown[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const cleanup = new Cleanup();
    cleanup.add(() => {
      done.push("store");
    });
    cleanup.add(async () => {
      throw new Error("socket already closed");
    });
    cleanup.add(async () => {
      done.push("http");
    });
    await cleanup.run(log);
    await cleanup.run(log);
    expect(done).toEqual(["http", "store"]);
    expect(warnings).toEqual([expect.objectContaining({ msg: "error during shutdown" })]);
  });
});
