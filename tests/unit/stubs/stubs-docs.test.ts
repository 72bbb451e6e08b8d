import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseMapping } from "../../../src/stubs/index.js";

const doc = readFileSync(path.resolve(import.meta.dirname, "../../../docs/stubs.md"), "utf8");
/** The YAML blocks that are whole mappings (they have a response); the others are fragments. */
const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((m) => m[1]!.replace(/^ {3}/gm, ""))
  .filter((text) => /^response:/m.test(text));

describe("docs/stubs.md", () => {
  it("every whole mapping it shows is valid, HTTP and SIP", () => {
    const kinds = examples.map((text) => parseMapping(parse(text)).kind);
    expect(kinds.length).toBeGreaterThanOrEqual(3);
    expect(new Set(kinds)).toEqual(new Set(["http", "sip"]));
  });
});
