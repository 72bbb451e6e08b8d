import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldProblem } from "../../../src/errors/index.js";
import { clip, listedProblems, ProblemList } from "../../../src/services/import/problem-list.js";

const problem = (row: number | undefined, i: number): FieldProblem => ({
  ...(row === undefined ? {} : { row }),
  field: `f${i}`,
  code: "c",
  message: `m${i}`,
});

describe("ProblemList", () => {
  it("lists what sorting every problem by row (stably) and taking the first `limit` would", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 30 }),
        (rows, limit) => {
          const list = new ProblemList(limit);
          const all = rows.map((row, i) => problem(row, i));
          for (const p of all) list.push(p);
          const expected = [...all].sort((a, b) => (a.row ?? 0) - (b.row ?? 0)).slice(0, limit);
          expect(list.listed()).toEqual(expected);
          expect(list.total).toBe(all.length);
          expect(list.omitted).toBe(Math.max(0, all.length - limit));
          expect(list.rowCount).toBe(new Set(rows.filter((r) => r !== undefined)).size);
        },
      ),
    );
  });

  it("collects 100,000 problems in reverse row order and lists the first 1000 by row", () => {
    const list = new ProblemList(1000);
    for (let i = 0; i < 100_000; i++) list.push(problem(100_000 - i, i));
    const { errors, errorsOmitted } = listedProblems(list);
    expect(errors.map((e) => e.row)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(errorsOmitted).toBe(99_000);
  });

  it("clips long fields and messages, never between the halves of a surrogate pair", () => {
    const list = new ProblemList();
    list.push({ row: 2, field: "x".repeat(500), code: "c", message: "😀".repeat(400) });
    const [p] = list.listed();
    expect(p!.field).toBe(`${"x".repeat(99)}…`);
    expect(p!.message.length).toBeLessThanOrEqual(300);
    expect(p!.message.endsWith("😀…")).toBe(true);
    expect(clip("short", 10)).toBe("short");
    expect(listedProblems(new ProblemList())).toEqual({ errors: [] });
  });
});
