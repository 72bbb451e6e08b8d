import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadMappingFiles, MappingError, parseMapping } from "../../../src/stubs/index.js";
import { unsafePattern } from "../../../src/stubs/predicate.js";

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "upe-mappings-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function problems(dir: string): string[] {
  try {
    loadMappingFiles(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as Error).message
      .split("\n")
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error("expected a MappingError");
}

describe("mapping files", () => {
  it("reads YAML and JSON files, one mapping or a list, subfolders too; ids default to the file name", () => {
    const dir = dirWith({
      "a.yaml": "request: { method: GET, path: /a }\nresponse: { status: 204 }\n",
      "b.json":
        '[{"id":"b1","request":{"path":"/b"},"response":{"body":"x"}},{"request":{"path":"/c"},"response":{}}]',
      "recorded/get-d.yaml": "request: { path: /d }\nresponse: { status: 200 }\n",
      "notes.txt": "ignored",
    });
    expect(loadMappingFiles(dir).map((f) => [path.relative(dir, f.file), f.mapping.id])).toEqual([
      ["a.yaml", "a"],
      ["b.json", "b1"],
      ["b.json", "b-2"],
      ["recorded/get-d.yaml", "get-d"],
    ]);
  });

  it("a missing folder holds no mappings", () => {
    expect(loadMappingFiles(path.join(tmpdir(), "upe-no-such-dir-17"))).toEqual([]);
  });

  it("refuses invalid files with file:line:column: path: message, every problem at once", () => {
    const dir = dirWith({
      "bad.yaml": [
        "request:",
        "  method: GET",
        "  path: /x/{id}",
        "  headers:",
        "    x-key: { matches: '(a+)+$' }",
        "  body: { jsonPath: 'a.b', equalTo: 1 }",
        "response:",
        "  status: 999",
        "  body: 'hi {{ reqest.path }}'",
        "  colour: red",
      ].join("\n"),
      "syntax.json": '{"request": {',
    });
    const file = path.join(dir, "bad.yaml");
    expect(problems(dir)).toEqual([
      `${file}:5:23: request.headers.x-key.matches: must not repeat a group that itself repeats or alternates (catastrophic backtracking)`,
      `${file}:6:21: request.body.jsonPath: is not a JSON path ($.a.b[0]): must start with $`,
      `${file}:10:3: response.colour: unknown key "colour" in a response (allowed: status, headers, body, jsonBody, delayMs, fault)`,
      `${file}:9:9: response.body: {{ reqest.path }}: starts with one of request, path, tenant, action, now, uuid`,
      `${file}:8:11: response.status: must be an integer from 200 to 599`,
      expect.stringMatching(
        new RegExp(
          `^${path.join(dir, "syntax.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:1:\\d+: invalid JSON`,
        ),
      ),
    ]);
  });

  it("the same id in two files is refused", () => {
    const dir = dirWith({
      "a.yaml": "id: same\nrequest: { path: /a }\nresponse: {}\n",
      "b.yaml": "id: same\nrequest: { path: /b }\nresponse: {}\n",
    });
    expect(problems(dir)).toEqual([
      `${path.join(dir, "b.yaml")}:1:5: id: "same" is already the id of a mapping in ${path.join(dir, "a.yaml")}`,
    ]);
  });
});

describe("REST mapping bodies", () => {
  it("name every problem under mapping.*", () => {
    try {
      parseMapping({
        request: { path: "no-slash", query: { x: { contains: "a", equalTo: "b" } } },
        response: { fault: "boom" },
      });
      throw new Error("expected a MappingError");
    } catch (error) {
      expect((error as MappingError).issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
        'mapping.request.path: must start with "/"',
        "mapping.request.query.x: needs exactly one of equalTo, contains, matches, absent",
        "mapping.response.fault: must be one of connection-reset, empty-response",
      ]);
    }
  });

  it("a 1xx status is refused: it is an interim answer, not one a stub can send", () => {
    expect(() => parseMapping({ request: {}, response: { status: 101 } })).toThrow(
      "mapping.response.status: must be an integer from 200 to 599",
    );
  });

  it("SIP mappings: sip match and response, a body needs its content type", () => {
    expect(parseMapping({ id: "s", sip: { method: "INFO" }, response: { status: 200 } }).kind).toBe("sip");
    expect(() => parseMapping({ sip: { method: "INFO" }, response: { body: "x" } })).toThrow(
      "response.contentType: is required with a body",
    );
    expect(() => parseMapping({ sip: {}, request: {}, response: {} })).toThrow(
      "either request (HTTP) or sip",
    );
  });
});

describe("regular expressions", () => {
  it("refuses catastrophic and over-long patterns, keeps ordinary ones", () => {
    for (const bad of ["(a+)+", "(\\w*)*x", "(a|aa)+", "(x+){2,}", "(a)\\1", "a".repeat(201), "("])
      expect(unsafePattern(bad), bad).toBeDefined();
    for (const good of ["^/api/v\\d+/systems/[^/]+$", "(abc)+", "^osbiz-(\\d{1,4})$", "a|b"])
      expect(unsafePattern(good), good).toBeUndefined();
  });
});

describe("examples/mappings", () => {
  it("every example the docs point at is a valid mapping", () => {
    const ids = loadMappingFiles(path.join(import.meta.dirname, "../../../examples/mappings")).map(
      (f) => f.mapping.id,
    );
    expect(ids.sort()).toEqual([
      "info-vendor-status",
      "subscribe-wizard-events",
      "v2-provision",
      "v2-whoami",
    ]);
  });
});
