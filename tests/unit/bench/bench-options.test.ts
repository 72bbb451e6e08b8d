import { describe, expect, it } from "vitest";
import { BenchUsageError, bounded, parseBenchOptions, USAGE } from "../../../bench/bench-options.js";

describe("bench options", () => {
  it("refuses an out-of-range number with the usage of the command it belongs to", () => {
    expect(bounded("calls", undefined, 200, 1, 1000, "anchored usage")).toBe(200);
    expect(bounded("calls", "5", 200, 1, 1000, "anchored usage")).toBe(5);
    const error = (() => {
      try {
        bounded("calls", "0", 200, 1, 1000, "anchored usage");
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(BenchUsageError);
    expect(error).toMatchObject({ message: "--calls must be an integer 1–1000", usage: "anchored usage" });
    expect(() => parseBenchOptions(["--seconds", "99"])).toThrow(
      expect.objectContaining({ message: "--seconds must be an integer 1–30", usage: USAGE }),
    );
  });

  it("refuses an unknown option, or one without its value, with the usage instead of a stack", () => {
    for (const argv of [["--phases", "a"], ["--seconds"]]) {
      expect(() => parseBenchOptions(argv)).toThrow(BenchUsageError);
      expect(() => parseBenchOptions(argv)).toThrow(expect.objectContaining({ usage: USAGE }));
    }
  });
});
