import { describe, expect, it } from "vitest";
import { parseNumbering, resolveMockOptions } from "../../../src/mock-osbiz/mock-options.js";

const base = { url: "https://127.0.0.1:8443", apiKey: "k" };

describe("mock options", () => {
  it("fills in the defaults", () => {
    const resolved = resolveMockOptions(base);
    expect(resolved).toMatchObject({
      systemId: "osbiz-mock",
      behaviour: { mode: "answer", ringMs: 1000, media: "tone" },
      rtp: { bind: "0.0.0.0", portRange: { min: 30000, max: 30999 } },
      expires: undefined,
      reregisterMargin: 0.2,
      keepAliveMs: 30_000,
      reconnect: { initialMs: 1000, maxMs: 30_000 },
    });
  });

  it("refuses a behaviour, media mode, margin or expiry it cannot use", () => {
    expect(() => resolveMockOptions({ ...base, behaviour: { mode: "hold" as "busy" } })).toThrow(
      /behaviour.mode/,
    );
    expect(() =>
      resolveMockOptions({ ...base, behaviour: { mode: "answer", media: "music" as "tone" } }),
    ).toThrow(/behaviour.media/);
    expect(() => resolveMockOptions({ ...base, reregisterMargin: 1 })).toThrow(/reregisterMargin/);
    expect(() => resolveMockOptions({ ...base, expires: 0 })).toThrow(/expires/);
  });

  it("reads the wizard's location number or the internal schema", () => {
    expect(parseNumbering("49/2302/667")).toEqual({
      schema: "international",
      countryCode: "49",
      areaCode: "2302",
      pabxNumber: "667",
    });
    expect(parseNumbering("internal")).toEqual({ schema: "internal" });
    expect(() => parseNumbering("49-2302-667")).toThrow(/country\/area\/pabx/);
  });
});
