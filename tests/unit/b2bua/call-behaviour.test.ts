import { describe, expect, it } from "vitest";
import { behaviourOf, refusalOf } from "../../../src/b2bua/call-behaviour.js";

describe("a virtual user's call behaviour", () => {
  it("defaults to ring 1 s, answer with echo, clients in parallel", () => {
    expect(behaviourOf(undefined)).toEqual({
      mode: "answer",
      ringMs: 1000,
      media: "echo",
      routing: "parallel",
    });
    expect(behaviourOf({ mode: "dance", routing: "everyone" })).toEqual(behaviourOf(undefined));
  });

  it("takes each mode's own fields, bounding ring times to 0…600 s", () => {
    expect(behaviourOf({ mode: "answer", ringMs: 0, media: "tone" })).toMatchObject({
      ringMs: 0,
      media: "tone",
    });
    expect(behaviourOf({ mode: "no-answer" })).toMatchObject({ mode: "no-answer", ringMs: 30_000 });
    expect(behaviourOf({ mode: "voicemail", ringMs: 10_000_000 })).toMatchObject({ ringMs: 600_000 });
    expect(behaviourOf({ mode: "answer", ringMs: -5 })).toMatchObject({ ringMs: 1000 });
    expect(behaviourOf({ mode: "answer", ringMs: Number.NaN })).toMatchObject({ ringMs: 1000 });
    expect(behaviourOf({ mode: "forward", to: "+4930999", routing: "virtual-only" })).toEqual({
      mode: "forward",
      to: "+4930999",
      routing: "virtual-only",
    });
  });

  it("refuses at once with the status a phone would send, or not at all", () => {
    expect(refusalOf(behaviourOf({ mode: "busy" }))).toEqual({
      status: 486,
      reason: "Busy Here",
      cause: "user busy",
    });
    expect(refusalOf(behaviourOf({ mode: "reject" }))?.status).toBe(603);
    expect(refusalOf(behaviourOf({ mode: "unavailable" }))?.status).toBe(480);
    for (const mode of ["answer", "no-answer", "forward", "voicemail"])
      expect(refusalOf(behaviourOf({ mode }))).toBeUndefined();
  });
});
