import { describe, expect, it } from "vitest";
import {
  formatDocumentPath,
  formatPlacedProblem,
  ProblemReader,
  parseDocumentPath,
  parseSourceText,
  placeProblems,
} from "../../../src/shared/untrusted/index.js";

/** Parses `text`, reads it with `read`, and returns every problem as `line:column path: message`. */
function problemsOf(text: string, read: (r: ProblemReader, value: unknown) => void): string[] {
  const parsed = parseSourceText(text, { json: true });
  if (!parsed.ok) return parsed.problems.map((p) => formatPlacedProblem(p));
  const r = new ProblemReader();
  read(r, parsed.value);
  return placeProblems(r.issues, parsed.locate).map((p) => formatPlacedProblem(p));
}

describe("the untrusted document reader", () => {
  it("collects every problem of a document with its line and column, not only the first", () => {
    const text = ["name: ''", "port: 70000", "colour: red", "tags: [a, '', 3]", "mode: fast"].join("\n");
    const problems = problemsOf(text, (r, value) => {
      const top = r.mapping(value, [], ["name", "port", "tags", "mode", "missing"], "a thing");
      if (!top) return;
      r.text(top, [], "name");
      r.integer(top, [], "port", { min: 1, max: 65535 });
      r.texts(top, [], "tags");
      r.choice(top, [], "mode", ["slow", "safe"] as const);
      r.text(top, [], "missing", true);
    });
    expect(problems).toEqual([
      '3:1: colour: unknown key "colour" in a thing (allowed: name, port, tags, mode, missing)',
      "1:7: name: must be non-empty text",
      "2:7: port: must be an integer from 1 to 65535",
      "4:11: tags[1]: must be non-empty text",
      "4:15: tags[2]: must be non-empty text",
      "5:7: mode: must be one of slow, safe",
      // A missing key is reported at its mapping.
      "1:1: missing: is required",
    ]);
  });

  it("places a nested value inside lists and mappings", () => {
    const text = "items:\n  - ok: 1\n  - ok: 2\n    when: { from: yesterday }\n";
    const problems = problemsOf(text, (r, value) => {
      const top = r.mapping(value, [], ["items"], "a list holder");
      r.sequence(top?.items, ["items"]).forEach((item, i) => {
        const o = r.mapping(item, ["items", i], ["ok", "when"], "an item");
        const when = o?.when ? r.mapping(o.when, ["items", i, "when"], ["from"], "when") : undefined;
        if (when) r.time(when, ["items", i, "when"], "from");
      });
    });
    expect(problems).toEqual([
      "4:19: items[1].when.from: must be an ISO 8601 time (emulator clock) or epoch milliseconds",
    ]);
  });

  it("reports YAML and JSON syntax errors at their position instead of throwing", () => {
    const yaml = parseSourceText("a: [1, 2\nb: 3\n");
    expect(yaml.ok).toBe(false);
    if (!yaml.ok) expect(yaml.problems[0]).toMatchObject({ path: "", line: expect.any(Number) });
    const json = parseSourceText('{\n  "a": 1,\n}\n', { json: true });
    expect(json.ok).toBe(false);
    if (!json.ok) {
      expect(json.problems).toEqual([expect.objectContaining({ path: "", line: 3, column: 1 })]);
      expect(json.problems[0]!.message).toMatch(/^invalid JSON: /);
    }
  });

  it("turns an error of a caller's rule into a problem through its explainer, and rethrows others", () => {
    class RuleError extends Error {}
    const r = new ProblemReader((error, value, field) =>
      error instanceof RuleError ? { field, message: `${error.message} (got ${String(value)})` } : undefined,
    );
    const obj = { size: 3, other: 1 };
    const odd = (v: unknown) => {
      if (typeof v === "number" && v % 2 === 1) throw new RuleError("must be even");
      return v;
    };
    expect(r.validated(obj, ["box"], "size", odd)).toBeUndefined();
    expect(r.validated(obj, ["box"], "gone", odd, true)).toBeUndefined();
    expect(r.issues).toEqual([
      { path: ["box", "size"], message: "must be even (got 3)", atKey: false },
      { path: ["box", "gone"], message: "is required", atKey: false },
    ]);
    expect(() =>
      r.attempt(["box"], "other", () => {
        throw new TypeError("a bug, not a problem of the document");
      }),
    ).toThrow(TypeError);
  });

  it("writes paths as people read them and reads them back", () => {
    const path = ["tenants", 0, "systems", 12, "trunk", "username"];
    expect(formatDocumentPath(path)).toBe("tenants[0].systems[12].trunk.username");
    expect(formatDocumentPath([2, "action"], "faults")).toBe("faults[2].action");
    expect(parseDocumentPath("tenants[0].systems[12].trunk.username")).toEqual(path);
    expect(parseDocumentPath("")).toEqual([]);
  });
});
