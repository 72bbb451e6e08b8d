import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../../../src/config/index.js";

describe("unmatched options", () => {
  it("default to a 16 KiB body, 404 over HTTP and the RFC's SIP status (0)", () => {
    const c = resolveConfig({});
    expect([c.unmatchedBodyLimit, c.unmatchedHttpStatus, c.unmatchedSipStatus]).toEqual([16_384, 404, 0]);
  });

  it("refuse statuses no answer can carry", () => {
    expect(() => resolveConfig({ unmatchedHttpStatus: 99 })).toThrow(ConfigError);
    expect(() => resolveConfig({ unmatchedHttpStatus: 600 })).toThrow(/200-599/);
    expect(() => resolveConfig({ unmatchedSipStatus: 180 })).toThrow(/200-699/);
    expect(() => resolveConfig({ unmatchedSipStatus: 700 })).toThrow(ConfigError);
    expect(resolveConfig({ unmatchedSipStatus: 489 }).unmatchedSipStatus).toBe(489);
  });
});
