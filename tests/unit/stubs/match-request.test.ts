import { describe, expect, it } from "vitest";
import { ProblemReader } from "../../../src/shared/untrusted/index.js";
import type { HttpMapping, SipMapping } from "../../../src/stubs/mapping.js";
import { httpSpecificity, matchHttp, matchSip } from "../../../src/stubs/match-request.js";
import { readMapping } from "../../../src/stubs/parse-mapping.js";
import type { UnmatchedHttpRequest, UnmatchedSipRequest } from "../../../src/stubs/stub-port.js";

function mapping(request: object): HttpMapping {
  const r = new ProblemReader();
  const m = readMapping(r, { request, response: { status: 200 } }, [], "m");
  expect(r.issues).toEqual([]);
  return m as HttpMapping;
}

function req(over: Partial<UnmatchedHttpRequest> & { json?: unknown } = {}): UnmatchedHttpRequest {
  const { json, ...rest } = over;
  return {
    method: "POST",
    url: "/api/v2/systems/abc?x=1",
    path: "/api/v2/systems/abc",
    query: { x: "1" },
    headers: { "x-api-key": "k-1", "content-type": "application/json" },
    body: Buffer.from(json === undefined ? "" : JSON.stringify(json)),
    remoteAddress: "127.0.0.1",
    ...rest,
  };
}

const matches = (request: object, r = req()) => matchHttp(mapping(request).request, r);

describe("HTTP request matching", () => {
  it("method: any when absent or ANY, else case-insensitive equality", () => {
    expect(matches({})).toBeDefined();
    expect(matches({ method: "any" })).toBeDefined();
    expect(matches({ method: "post" })).toBeDefined();
    expect(matches({ method: "GET" })).toBeUndefined();
  });

  it("path: exact, template with captures (URL-decoded), regex with named groups", () => {
    expect(matches({ path: "/api/v2/systems/abc" })).toEqual({ path: {} });
    expect(matches({ path: "/api/v2/systems" })).toBeUndefined();
    expect(matches({ path: "/api/v2/systems/{systemId}" })).toEqual({ path: { systemId: "abc" } });
    expect(matches({ path: "/api/v2/{kind}/{id}/x" })).toBeUndefined();
    const encoded = req({ path: "/api/v2/systems/a%20b" });
    expect(matches({ path: "/api/v2/systems/{systemId}" }, encoded)).toEqual({ path: { systemId: "a b" } });
    // a template placeholder takes one segment only
    expect(matches({ path: "/api/{rest}" })).toBeUndefined();
    expect(matches({ pathPattern: "^/api/v(?<v>\\d)/" })).toEqual({ path: { v: "2" } });
    expect(matches({ pathPattern: "^/other" })).toBeUndefined();
  });

  it("query and header predicates: equalTo (bare text too), contains, matches, absent", () => {
    expect(matches({ query: { x: "1" } })).toBeDefined();
    expect(matches({ query: { x: { equalTo: 2 } } })).toBeUndefined();
    expect(matches({ query: { y: { absent: true } } })).toBeDefined();
    expect(matches({ query: { x: { absent: true } } })).toBeUndefined();
    expect(matches({ headers: { "X-Api-Key": { contains: "k-" } } })).toBeDefined();
    expect(matches({ headers: { "x-api-key": { matches: "^k-\\d$" } } })).toBeDefined();
    expect(matches({ headers: { "x-api-key": { matches: "^z" } } })).toBeUndefined();
    expect(matches({ headers: { "x-api-key": { equalTo: "K-1", caseInsensitive: true } } })).toBeDefined();
    expect(matches({ headers: { "x-missing": { contains: "a" } } })).toBeUndefined();
  });

  it("body predicates: on the raw text and on a JSON path", () => {
    const r = req({ json: { system: { id: "osbiz-9", channels: 4 }, tags: ["a", "b"] } });
    expect(matches({ body: { contains: "osbiz-9" } }, r)).toBeDefined();
    expect(matches({ body: { jsonPath: "$.system.id", equalTo: "osbiz-9" } }, r)).toBeDefined();
    expect(matches({ body: { jsonPath: "$.system.channels", equalTo: 4 } }, r)).toBeDefined();
    expect(matches({ body: { jsonPath: "$['system']['id']", matches: "^osbiz-\\d+$" } }, r)).toBeDefined();
    expect(
      matches(
        {
          body: [
            { jsonPath: "$.tags[1]", equalTo: "b" },
            { jsonPath: "$.x", absent: true },
          ],
        },
        r,
      ),
    ).toBeDefined();
    expect(matches({ body: { jsonPath: "$.system", contains: '"id":"osbiz-9"' } }, r)).toBeDefined();
    expect(matches({ body: { jsonPath: "$.system.id", equalTo: "other" } }, r)).toBeUndefined();
    expect(
      matches({ body: { jsonPath: "$.system.id", equalTo: "x" } }, req({ body: Buffer.from("not json") })),
    ).toBeUndefined();
    expect(matches({ body: { absent: true } })).toBeDefined();
  });

  it("an exact path is more specific than a template, a template than a regex; predicates add", () => {
    const exact = httpSpecificity(mapping({ path: "/a/b" }));
    const template = httpSpecificity(mapping({ path: "/a/{b}" }));
    const regex = httpSpecificity(mapping({ pathPattern: "^/a/" }));
    expect(exact).toBeGreaterThan(template);
    expect(template).toBeGreaterThan(regex);
    expect(httpSpecificity(mapping({ path: "/a/{b}", query: { x: "1" } }))).toBeGreaterThan(template);
  });
});

describe("SIP request matching", () => {
  const sip = (match: object): SipMapping => {
    const r = new ProblemReader();
    const m = readMapping(r, { sip: match, response: { status: 200 } }, [], "s");
    expect(r.issues).toEqual([]);
    return m as SipMapping;
  };
  const subscribe: UnmatchedSipRequest = {
    method: "SUBSCRIBE",
    requestUri: "sip:3919209257@127.0.0.1",
    headers: [],
    body: "",
    event: "x-vendor-blf;id=2",
  };
  it("method, event package (parameters ignored), content type, request-URI regex", () => {
    expect(matchSip(sip({ method: "subscribe", event: "X-Vendor-BLF" }), subscribe)).toBe(true);
    expect(matchSip(sip({ event: "presence" }), subscribe)).toBe(false);
    expect(matchSip(sip({ requestUri: "^sip:39" }), subscribe)).toBe(true);
    expect(matchSip(sip({ method: "INFO" }), subscribe)).toBe(false);
    const info = { ...subscribe, method: "INFO", contentType: "application/x-vendor; v=1" };
    expect(matchSip(sip({ method: "INFO", contentType: "application/x-vendor" }), info)).toBe(true);
    expect(matchSip(sip({ contentType: "application/dtmf-relay" }), info)).toBe(false);
  });
});
