import { describe, expect, it } from "vitest";
import { ControllableClock } from "../../../src/shared/clock.js";
import { parseMapping, StubEngine } from "../../../src/stubs/index.js";
import type { UnmatchedHttpRequest } from "../../../src/stubs/stub-port.js";

function engine(recorded: UnmatchedHttpRequest[] = []) {
  return new StubEngine({
    clock: new ControllableClock({ start: Date.parse("2030-01-01T00:00:00Z"), frozen: true }),
    tenantFor: () => undefined,
    tenantData: () => ({}),
    provisionSystem: () => ({}),
    record: (req) => recorded.push(req),
  });
}

const get = (path: string): UnmatchedHttpRequest => ({
  method: "GET",
  url: path,
  path,
  query: {},
  headers: {},
  body: Buffer.alloc(0),
  remoteAddress: "127.0.0.1",
});

const answering = (id: string, request: object, extra: object = {}) =>
  parseMapping({ id, request, response: { body: id }, ...extra });

describe("StubEngine", () => {
  it("answers with the most specific mapping: exact path, then template, then regex, whatever the order added", async () => {
    const e = engine();
    e.add(answering("regex", { pathPattern: "^/a/" }));
    e.add(answering("template", { path: "/a/{x}" }));
    e.add(answering("exact", { path: "/a/b" }));
    expect((await e.answerHttp(get("/a/b")))?.body).toBe("exact");
    expect((await e.answerHttp(get("/a/c")))?.body).toBe("template");
    expect((await e.answerHttp(get("/a/c/d")))?.body).toBe("regex");
  });

  it("an explicit priority goes before specificity; equal ones answer in the order added", async () => {
    const e = engine();
    e.add(answering("exact", { path: "/a/b" }));
    e.add(answering("urgent", { pathPattern: "^/" }, { priority: 1 }));
    e.add(answering("urgent-too", { pathPattern: "^/" }, { priority: 1 }));
    expect((await e.answerHttp(get("/a/b")))?.body).toBe("urgent");
  });

  it("a disabled mapping does not answer; hits count per mapping; PUT bumps the version named in mappingId", async () => {
    const e = engine();
    e.add(answering("off", { path: "/x" }, { enabled: false }));
    e.add(answering("on", { pathPattern: "^/x" }));
    expect((await e.answerHttp(get("/x")))?.mappingId).toBe("on@v1");
    const replaced = e.replace(
      parseMapping({ request: { pathPattern: "^/x" }, response: { body: "two" } }, "on"),
    );
    expect(replaced).toMatchObject({ version: 2, hits: 0, source: "api" });
    expect(await e.answerHttp(get("/x"))).toMatchObject({ mappingId: "on@v2", body: "two" });
    expect(e.list().map((m) => [m.mapping.id, m.hits])).toEqual([
      ["off", 0],
      ["on", 1],
    ]);
    expect(e.resetHits()).toBe(2);
    expect(e.get("on")?.hits).toBe(0);
  });

  it("close() ends a delay in progress: the answer fails instead of holding the shutdown", async () => {
    const e = engine();
    e.add(parseMapping({ id: "slow", request: {}, response: { delayMs: 60_000 } }));
    const answer = e.answerHttp(get("/slow"));
    e.close();
    await expect(answer).rejects.toThrow(/abort/i);
  });

  it("a header value that renders a line break is a template error, not an injected header", async () => {
    const e = engine();
    e.add(
      parseMapping({ id: "echo", request: {}, response: { headers: { "x-echo": "{{ request.body }}" } } }),
    );
    const answer = await e.answerHttp({ ...get("/"), body: Buffer.from("a\r\nset-cookie: x=1") });
    expect(answer).toMatchObject({ status: 500, mappingId: "echo@v1" });
    expect(JSON.parse(String(answer?.body))).toMatchObject({ code: "stub_template_failed" });
  });

  it("one answer reads the clock once: now and now.epochMs name the same instant", async () => {
    let ticks = Date.parse("2030-01-01T00:00:00Z");
    const e = new StubEngine({
      clock: { now: () => ticks++, setTimer: () => 0 as never, clearTimer: () => {} },
      tenantFor: () => undefined,
      tenantData: () => ({}),
      provisionSystem: () => ({}),
    });
    e.add(parseMapping({ id: "t", request: {}, response: { body: "{{ now }} {{ now.epochMs }}" } }));
    const [iso, ms] = String((await e.answerHttp(get("/")))?.body).split(" ");
    expect(Date.parse(iso!)).toBe(Number(ms));
  });

  it("hands requests no mapping answers to the recorder, and only those", async () => {
    const recorded: UnmatchedHttpRequest[] = [];
    const e = engine(recorded);
    e.add(answering("known", { path: "/known" }));
    await e.answerHttp(get("/known"));
    expect(await e.answerHttp(get("/unknown"))).toBeUndefined();
    expect(recorded.map((r) => r.path)).toEqual(["/unknown"]);
  });

  it("SIP: status, default reason phrase, headers and body; HTTP mappings never answer SIP", async () => {
    const e = engine();
    e.add(answering("http", {}));
    expect(
      await e.answerSip({ method: "INFO", requestUri: "sip:a@b", headers: [], body: "" }),
    ).toBeUndefined();
    e.add(
      parseMapping({
        id: "busy",
        sip: { method: "MESSAGE" },
        response: { status: 486, headers: { "Retry-After": "5" } },
      }),
    );
    expect(await e.answerSip({ method: "MESSAGE", requestUri: "sip:a@b", headers: [], body: "x" })).toEqual({
      status: 486,
      reason: "Stubbed",
      headers: [["Retry-After", "5"]],
      mappingId: "busy@v1",
    });
  });
});
