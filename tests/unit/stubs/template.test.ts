import { describe, expect, it } from "vitest";
import { parseJsonPath, parseSteps } from "../../../src/stubs/json-path.js";
import { renderJson, renderText, TemplateError, type TemplateScope } from "../../../src/stubs/template.js";

const scope: TemplateScope = (root) =>
  ({
    request: {
      path: "/api/v2/systems/abc",
      query: { x: "1", list: ["a", "b"] },
      headers: { "x-api-key": "k-1" },
      body: JSON.stringify({ a: { b: 'say "hi"\n' }, n: 7 }),
    },
    path: { systemId: "abc" },
    tenant: { name: "Acme", systems: [{ trunk: { username: "3919209257" } }] },
    now: Object.assign(new String("2030-01-01T00:00:00.000Z"), { epochMs: 1893456000000 }),
  })[root];

describe("templates", () => {
  it("reads request fields, path captures, tenant data and the clock", () => {
    expect(renderText("{{ request.path }} {{request.query.x}} {{ request.headers.x-api-key }}", scope)).toBe(
      "/api/v2/systems/abc 1 k-1",
    );
    expect(
      renderText("{{ path.systemId }}/{{ tenant.name }}/{{ tenant.systems[0].trunk.username }}", scope),
    ).toBe("abc/Acme/3919209257");
    expect(renderText("{{ request.body.$.a.b }}|{{ request.body.$.n }}", scope)).toBe('say "hi"\n|7');
    expect(renderText("{{ now }} {{ now.epochMs }}", scope)).toBe("2030-01-01T00:00:00.000Z 1893456000000");
    expect(renderText("{{ request.query.list[1] }} {{ request.query.list }}", scope)).toBe('b ["a","b"]');
  });

  it("`?? fallback` gives a JSON literal when the value is missing", () => {
    expect(renderText('{{ request.query.nope ?? "none" }}/{{ request.query.x ?? 2 }}', scope)).toBe("none/1");
    expect(renderJson({ n: "{{ request.body.$.missing ?? 4 }}", z: "{{ path.no ?? null }}" }, scope)).toEqual(
      {
        n: 4,
        z: null,
      },
    );
    expect(() => renderText("{{ request.query.nope ?? bare }}", scope)).toThrow("must be a JSON literal");
  });

  it("refuses to expand a text beyond 1 MiB", () => {
    const big: TemplateScope = (root) => (root === "request" ? { body: "x".repeat(100_000) } : undefined);
    expect(renderText("{{ request.body }}".repeat(10), big)).toHaveLength(1_000_000);
    expect(() => renderText("{{ request.body }}".repeat(11), big)).toThrow("grows beyond");
  });

  it("a missing value is a TemplateError naming the expression", () => {
    expect(() => renderText("{{ request.query.nope }}", scope)).toThrow(TemplateError);
    expect(() => renderText("x {{ tenant.systems[3].trunk.username }}", scope)).toThrow(
      "{{ tenant.systems[3].trunk.username }}: no such value",
    );
    expect(() => renderText("{{ request.path.$.a }}", scope)).toThrow("the body is not JSON");
    expect(() => renderText("{{ unknownRoot }}", scope)).toThrow(TemplateError);
  });

  it("JSON bodies: a lone placeholder keeps the value's type, text is escaped by JSON", () => {
    const out = renderJson(
      {
        n: "{{ request.body.$.n }}",
        text: "said {{ request.body.$.a.b }}",
        obj: "{{ request.body.$.a }}",
        k: 3,
      },
      scope,
    );
    expect(out).toEqual({ n: 7, text: 'said say "hi"\n', obj: { b: 'say "hi"\n' }, k: 3 });
    const json = JSON.stringify(out);
    expect(JSON.parse(json)).toEqual(out);
    expect(json).toContain('"said say \\"hi\\"\\n"');
  });
});

describe("JSON paths", () => {
  it("parses dot and bracket steps and refuses the rest", () => {
    expect(parseJsonPath("$.a[0]['b-c'].d")).toEqual(["a", 0, "b-c", "d"]);
    expect(parseJsonPath("$")).toEqual([]);
    expect(typeof parseJsonPath("a.b")).toBe("string");
    expect(typeof parseJsonPath("$.a[*]")).toBe("string");
    expect(typeof parseJsonPath("$.a[0")).toBe("string");
    expect(parseSteps("request.headers.x-api-key")).toEqual(["request", "headers", "x-api-key"]);
  });
});
