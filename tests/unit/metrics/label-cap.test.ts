import { describe, expect, it } from "vitest";
import { LabelCap } from "../../../src/metrics/index.js";
import { MAX_FAULT_RULE_LABELS } from "../../../src/metrics/service-metrics.js";

describe("LabelCap", () => {
  it("keeps the first `limit` distinct values and maps every later new one to other", () => {
    const cap = new LabelCap(3);
    expect(["a", "b", "a", "c"].map((v) => cap.value(v))).toEqual(["a", "b", "a", "c"]);
    expect(cap.value("d")).toBe("other");
    expect(cap.value("e")).toBe("other");
    // Values seen before the cap was reached keep their own series.
    expect(cap.value("b")).toBe("b");
    expect(cap.size).toBe(3);
  });

  it("bounds the label set whatever arrives: 10,000 distinct rule ids make at most 101 series", () => {
    const cap = new LabelCap(MAX_FAULT_RULE_LABELS);
    const series = new Set(Array.from({ length: 10_000 }, (_, i) => cap.value(`rule-${i}`)));
    expect(series.size).toBe(MAX_FAULT_RULE_LABELS + 1);
    expect(series.has("other")).toBe(true);
    expect(series.has("rule-99")).toBe(true);
    expect(series.has("rule-100")).toBe(false);
  });

  it("cuts a long value to 64 characters (same series for values that share the prefix)", () => {
    const cap = new LabelCap(10);
    const long = "x".repeat(200);
    expect(cap.value(long)).toBe("x".repeat(64));
    expect(cap.value(`${long}y`)).toBe("x".repeat(64));
    expect(cap.size).toBe(1);
  });
});
