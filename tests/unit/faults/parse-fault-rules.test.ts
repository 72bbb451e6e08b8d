import { describe, expect, it } from "vitest";
import { FaultRuleError, parseFaultRule, parseFaultRules } from "../../../src/faults/index.js";

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof FaultRuleError) return error.issues.map(({ path, message }) => ({ path, message }));
    throw error;
  }
  throw new Error("expected a FaultRuleError");
}

describe("parseFaultRule", () => {
  it("accepts one rule of each layer and normalises it", () => {
    expect(
      parseFaultRule({
        layer: "sip",
        match: {
          direction: "in",
          method: "register",
          headers: [{ header: "User-Agent", pattern: "OpenScape" }],
        },
        action: { type: "respond", status: 503, retryAfter: 30, warning: "overloaded" },
        when: { from: new Date("2030-01-01T00:00:00Z"), until: "2030-01-02T00:00:00+01:00", seed: 7 },
      }),
    ).toEqual({
      layer: "sip",
      match: {
        direction: "in",
        method: "REGISTER",
        headers: [{ header: "User-Agent", pattern: "OpenScape" }],
      },
      action: { type: "respond", status: 503, retryAfter: 30, warning: "overloaded" },
      when: { from: "2030-01-01T00:00:00.000Z", until: "2030-01-01T23:00:00.000Z", seed: 7 },
    });
    expect(
      parseFaultRule({ layer: "tls", action: { type: "limit-version", maxVersion: "TLSv1.2" } }),
    ).toEqual({
      layer: "tls",
      match: {},
      action: { type: "limit-version", maxVersion: "TLSv1.2" },
    });
    expect(
      parseFaultRule({
        layer: "http",
        match: { method: "post", path: "/api/v1/**" },
        action: { type: "close" },
      }),
    ).toMatchObject({ match: { method: "POST", path: "/api/v1/**" } });
    expect(
      parseFaultRule({ layer: "rtp", match: { trunk: "gtc-001" }, action: { type: "drop", percent: 12.5 } }),
    ).toMatchObject({ action: { type: "drop", percent: 12.5 } });
  });

  it("names every problem by its path instead of stopping at the first", () => {
    expect(
      issuesOf(() =>
        parseFaultRule(
          {
            layer: "sip",
            match: { direction: "sideways", headers: [{ header: "User-Agent", pattern: "(" }] },
            action: { type: "respond", status: 99, retryAfter: -1, colour: "red" },
            when: { firstN: 0, probability: 2, from: "2030-01-02", until: "2030-01-01" },
          },
          "faults[3]",
        ),
      ),
    ).toEqual(
      expect.arrayContaining([
        { path: "faults[3].match.direction", message: "must be one of in, out" },
        {
          path: "faults[3].match.headers[0].pattern",
          message: expect.stringMatching(/^is not a valid regular expression/),
        },
        { path: "faults[3].action.colour", message: expect.stringMatching(/^unknown key "colour"/) },
        { path: "faults[3].action.status", message: "must be an integer from 200 to 699" },
        { path: "faults[3].action.retryAfter", message: "must be an integer from 0 to 86400" },
        { path: "faults[3].when.firstN", message: "must be an integer from 1 to 1000000000" },
        { path: "faults[3].when.probability", message: "must be a number from 0 to 1" },
        { path: "faults[3].when.until", message: "must be later than from" },
      ]),
    );
  });

  it("refuses actions that cannot happen where the rule points", () => {
    expect(
      issuesOf(() =>
        parseFaultRule({
          layer: "sip",
          match: { direction: "out" },
          action: { type: "respond", status: 500 },
        }),
      ),
    ).toEqual([{ path: "fault.action", message: "respond answers incoming requests: use direction in" }]);
    expect(
      issuesOf(() =>
        parseFaultRule({ layer: "sip", match: { direction: "in" }, action: { type: "corrupt" } }),
      ),
    ).toEqual([{ path: "fault.action", message: "corrupt garbles what we send: use direction out" }]);
    expect(
      issuesOf(() =>
        parseFaultRule({
          layer: "rtp",
          match: { direction: "in" },
          action: { type: "stop", direction: "send" },
        }),
      ),
    ).toEqual([{ path: "fault.action", message: "stop send acts on direction out; remove match.direction" }]);
    expect(
      issuesOf(() =>
        parseFaultRule({ layer: "http", action: { type: "respond", status: 503, code: "nope" } }),
      ),
    ).toEqual([
      { path: "fault.action.code", message: "must be a code of the API error registry (docs/errors.md)" },
    ]);
    expect(
      issuesOf(() => parseFaultRule({ layer: "sip", action: { type: "delay", ms: 5, minMs: 1, maxMs: 2 } })),
    ).toEqual([{ path: "fault.action", message: "give either ms or minMs/maxMs, not both" }]);
    expect(issuesOf(() => parseFaultRule({ layer: "sip", action: { type: "drop", ms: 5 } }))).toEqual([
      { path: "fault.action.ms", message: 'unknown key "ms" in a drop action (allowed: type)' },
    ]);
  });

  it("requires a layer and an action, and rejects unknown keys and bad ids", () => {
    expect(issuesOf(() => parseFaultRule({ id: "no spaces", layr: "sip" }))).toEqual(
      expect.arrayContaining([
        { path: "fault.layr", message: expect.stringMatching(/^unknown key "layr"/) },
        { path: "fault.id", message: expect.stringMatching(/^must be 1–64 letters/) },
        { path: "fault.layer", message: "is required" },
      ]),
    );
    expect(issuesOf(() => parseFaultRule({ layer: "tls" }))).toEqual([
      { path: "fault.action", message: "is required" },
    ]);
  });

  it("accepts a listed rule posted back (read-only fields are ignored)", () => {
    const rule = parseFaultRule({
      id: "f9",
      layer: "sip",
      match: {},
      action: { type: "drop" },
      when: { seed: 1 },
      hits: 4,
      lastHitAt: null,
      createdAt: "2030-01-01T00:00:00Z",
    });
    expect(rule).toEqual({ id: "f9", layer: "sip", match: {}, action: { type: "drop" }, when: { seed: 1 } });
  });
});

describe("parseFaultRules", () => {
  it("reads a list, absent meaning none, and refuses an id used twice", () => {
    expect(parseFaultRules(undefined, "faults")).toEqual([]);
    expect(
      issuesOf(() =>
        parseFaultRules(
          [
            { id: "a", layer: "tls", action: { type: "refuse" } },
            { id: "a", layer: "tls", action: { type: "stall" } },
          ],
          "faults",
        ),
      ),
    ).toEqual([{ path: "faults[1].id", message: '"a" is already the id of faults[0]' }]);
    expect(issuesOf(() => parseFaultRules({ layer: "tls" }, "faults"))).toEqual([
      { path: "faults", message: "must be a list of fault rules" },
    ]);
  });

  it("gives each issue its path segments, to locate it in a YAML source", () => {
    try {
      parseFaultRules(
        [
          { layer: "tls", action: { type: "refuse" } },
          { layer: "tls", action: {} },
        ],
        "faults",
      );
      expect.unreachable();
    } catch (error) {
      expect((error as FaultRuleError).issues[0]?.segments).toEqual([1, "action", "type"]);
    }
  });
});
